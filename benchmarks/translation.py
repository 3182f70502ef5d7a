"""Translation throughput: the pipeline's Argos translate stage against bare CTranslate2 and
against argostranslate's own per-string API, on a random-weight model of a real Argos es→en
package's size; plus Apertium's speed and BLEU/chrF.

    uv run --with sacrebleu python benchmarks/translation.py [--json] [--sentences N]
        [--repeat R] [--argos-sentences M] [--intra-threads N] [--inter-threads N]
        [--eval-dir DIR]

The model (built once, cached in `benchmarks/.cache/`, git-ignored) is a Transformer base
(6+6 layers, d_model 512, 8 heads, FFN 2048, sinusoidal positions) with seeded random weights,
quantised to int8 when saved, and a SentencePiece vocabulary trained on the Spanish side of
`shared/eval/parallel` (FLORES devtest + newssyscomb2009). Its output is gibberish (so no
BLEU for it); special tokens are biased away, so every output runs to `max_decoding_length`
(48) in every path.

Timed on the same FLORES devtest sentences (an evenly spaced subset, `--sentences`, 256 by
default; 1012 is all), with beam 4, max_decoding_length 48, int8, and one shared CTranslate2
model instance for (a) and (b), run as the pipeline runs it by default (one batch per core at
a time, one thread each), and for (c) a Translator built as argostranslate builds it by
default (inter_threads 1, intra_threads 0, compute_type "auto"):

(a) `flows.translation.batch.translate_unique(ArgosEngine(...), sentences)`: the pipeline's stage,
    entity masking, tokenisation and detokenisation included. The engine keeps production's
    chunking (128 source tokens, half of its default max_decoding_length 256): 48 here only
    stands in for the end of sentence a trained model would emit;
(b) bare `Translator.translate_batch` on pre-tokenised input, one call, length-sorted by
    CTranslate2 into token-budget batches: the hardware limit;
(c) argostranslate's `apply_packaged_translation`, called once per sentence as a user of its
    API translating one tweet at a time (sentence splitter: one sentence per string;
    `max_decoding_length` 48 added to its CTranslate2 calls, which pass none);
(d) bare `Translator.translate_batch` one sentence at a time, on (c)'s Translator and
    sentences (its threads, inter 1 and intra 0, are the faster layout for one sentence at a
    time here): (b)/(d), `ctranslate2_batching_gain`, is what batching wins inside CTranslate2
    over a per-sentence caller on this CPU; (a)/(c) cannot exceed it by much.

Each repetition runs (a) to (d) in turn (rotating the order), so a machine shared with
other work slows all four alike; medians are reported. (c) and (d) make one model call per
sentence, so by default they run on an evenly spaced subset of the sentences
(`--argos-sentences`, 64): their per-sentence cost does not depend on how many there are.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # `python benchmarks/translation.py` from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.random_model import save_model, spec_shape  # noqa: E402
from benchmarks.random_model import train_sentencepiece as train  # noqa: E402
from flows.engines import ArgosOptions  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
CACHE_DIR = HERE / ".cache"

BEAM_SIZE = 4
MAX_DECODING_LENGTH = 48
# (a) and (b) run as the pipeline does by default (ArgosOptions): a batch per core at a time,
# one thread each; (c) as argostranslate does by default (inter 1, intra 0, compute "auto").
INTRA_THREADS = ArgosOptions().intra_threads
INTER_THREADS = ArgosOptions().inter_threads
COMPUTE_TYPE = "int8"
# Token budget of the bare CTranslate2 call (b): of 512…8192, 2048 took the least CPU time
# per sentence on the 2-core machine this was written on (8192: 20-50% more).
BARE_BATCH_TOKENS = 2048
# All 1012 FLORES sentences take 3-4 min per batched path and repetition on 2 shared cores
# (and (c) 4× that), too long for three paths × three repetitions; an evenly spaced quarter
# gives the same throughput (batches are full either way).
DEFAULT_SENTENCES = 256
DEFAULT_ARGOS_SENTENCES = 64
# The pipeline chunks a sentence at half of max_decoding_length (256 in production, so 128
# source tokens, more than any FLORES sentence has). Here max_decoding_length is 48 only to
# stand in for the end-of-sentence a trained model would emit; keep production's chunking.
PIPELINE_CHUNK_TOKENS = 128

# The model: Transformer base, as Argos's OpenNMT-py es→en packages are.
LAYERS = (6, 6)
D_MODEL = 512
HEADS = 8
FFN = 2048
VOCAB_SIZE = 32000
SEED = 20240601
BUILD_VERSION = 1  # bump when the builder changes: the cache key includes it

SPANISH_FILES = ("spa_Latn.devtest", "newssyscomb2009.spa")
FLORES = ("spa_Latn.devtest", "eng_Latn.devtest")
NEWS = ("newssyscomb2009.spa", "newssyscomb2009.eng")


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------- model package (cached)


def use_cache_dir(path: Path) -> None:
    """Build and find the model under `path` (a child build process gets the same)."""
    global CACHE_DIR
    CACHE_DIR = path.resolve()


def package_dir(eval_dir: Path) -> Path:
    digest = hashlib.sha256(
        f"v{BUILD_VERSION} {LAYERS} {D_MODEL} {HEADS} {FFN} {VOCAB_SIZE}".encode()
    )
    for name in SPANISH_FILES:
        digest.update((eval_dir / "parallel" / name).read_bytes())
    return CACHE_DIR / f"translate-es_en-random-base-{digest.hexdigest()[:12]}"


def ensure_package(eval_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The cached package directory and its build record, building it first if needed (in a
    child process, so this process's peak RSS is the benchmark's own)."""
    path = package_dir(eval_dir)
    record = path / "build.json"
    if not record.is_file():
        log(f"building the random Transformer-base package in {path} (once) ...")
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--build-only",
                "--eval-dir",
                str(eval_dir),
                "--cache-dir",
                str(CACHE_DIR),
            ],
            check=True,
        )
    return path, json.loads(record.read_text(encoding="utf-8"))


def build_package(eval_dir: Path) -> Path:
    """Write the package directory (metadata.json, sentencepiece.model, model/) atomically."""
    dest = package_dir(eval_dir)
    if (dest / "build.json").is_file():
        return dest
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        root = Path(tmp) / dest.name
        (root / "model").mkdir(parents=True)
        corpus = [
            line for name in SPANISH_FILES for line in read_lines(eval_dir / "parallel" / name)
        ]
        vocabulary, model_type = train_sentencepiece(corpus, root / "sentencepiece.model")
        tokenizer_s = time.perf_counter() - start
        write_ct2_model(root / "model", vocabulary)
        metadata = {
            "package_version": "1.0",
            "argos_version": "1.0",
            "from_code": "es",
            "from_name": "Spanish",
            "to_code": "en",
            "to_name": "English",
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        (root / "README.md").write_text(
            "Random-weight Transformer base for benchmarks/translation.py; output is gibberish.\n"
        )
        model_bin = root / "model" / "model.bin"
        build = {
            "build_s": round(time.perf_counter() - start, 2),
            "tokenizer_s": round(tokenizer_s, 2),
            "model_bin_mb": round(model_bin.stat().st_size / 1e6, 1),
            "package_mb": round(
                sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6, 1
            ),
            "vocab_size": len(vocabulary),
            "vocab_requested": VOCAB_SIZE,
            "sentencepiece_model_type": model_type,
            "corpus_sentences": len(corpus),
            "architecture": f"Transformer base {LAYERS[0]}+{LAYERS[1]} layers, d_model {D_MODEL}, "
            f"{HEADS} heads, FFN {FFN}, sinusoidal positions, weights int8",
        }
        (root / "build.json").write_text(json.dumps(build, indent=2), encoding="utf-8")
        os.replace(root, dest)
    return dest


def train_sentencepiece(corpus: list[str], path: Path) -> tuple[list[str], str]:
    """A SentencePiece model asked for VOCAB_SIZE pieces. The corpus (1,514 sentences) cannot
    support 32k unigram pieces (a soft limit stops near 6.8k); BPE with `hard_vocab_limit=False`
    gets close (about 29.6k), so BPE it is. Returns the pieces in id order."""
    return train(corpus, path, vocab_size=VOCAB_SIZE, model_type="bpe", num_threads=2), "bpe"


def write_ct2_model(model_dir: Path, vocabulary: list[str]) -> None:
    """A pre-norm Transformer base with seeded random weights (scaled by 1/sqrt(fan-in) so
    activations stay finite), saved int8. The
    output bias keeps the special tokens from being generated, so every output runs to the
    decoding limit."""
    import numpy as np
    from ctranslate2.specs import model_spec, transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(num_layers=LAYERS, num_heads=HEADS)
    rng = np.random.default_rng(SEED)
    size = len(vocabulary)

    def fill(layer: Any, name: str, value: Any) -> None:
        attr = name.rsplit("/", 1)[-1]
        if value is None:
            shape = spec_shape(name, size, D_MODEL, FFN)
            if attr == "gamma":
                array = np.ones(shape, dtype="f4")
            elif attr == "beta":
                array = np.zeros(shape, dtype="f4")
            else:
                array = rng.standard_normal(shape, dtype="f4") / np.float32(np.sqrt(shape[-1]))
            setattr(layer, attr, array)
        elif attr == "bias" and isinstance(value, str) and value == model_spec.OPTIONAL:
            weight = getattr(layer, "weight")  # noqa: B009 - spec attributes are dynamic
            setattr(layer, attr, rng.standard_normal(weight.shape[0], dtype="f4") * 0.02)

    model_spec.visit_spec(spec, fill)  # positions stay unset: sinusoidal, computed
    save_model(spec, vocabulary, model_dir, quantization="int8")


# ---------------------------------------------------------------- the paths


def subset(items: Sequence[str], n: int | None) -> list[str]:
    """`n` evenly spaced items (all of them if `n` is None or too large): deterministic."""
    if n is None or n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(max(1, n))]


def argos_environment(home: Path) -> None:
    """Keep argostranslate's settings (data, config, cache dirs) inside the cache and away
    from the network; set before argostranslate is first imported."""
    os.environ.setdefault("ARGOS_PACKAGES_DIR", str(home / "packages"))
    os.environ.setdefault("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/")
    for key, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        os.environ.setdefault(key, str(home / sub))


def import_argostranslate_translate() -> tuple[Any, Any, list[str]]:
    """`apply_packaged_translation` and the sentence-splitter base class. argostranslate's
    `translate` module imports stanza and minisbd (its sentence splitters), which this project
    leaves out of its environment: empty stand-ins are put in `sys.modules` if they are absent
    (argostranslate imports spacy itself only if present)."""
    stubbed: list[str] = []
    for name in ("stanza", "minisbd"):
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            module = types.ModuleType(name)
            module.__dict__["__stub__"] = True
            if name == "minisbd":
                models = types.ModuleType("minisbd.models")
                module.__dict__.update(SBDetect=object, models=models)
                sys.modules["minisbd.models"] = models
            sys.modules[name] = module
            stubbed.append(name)
    from argostranslate.sbd import ISentenceBoundaryDetectionModel
    from argostranslate.translate import apply_packaged_translation

    return apply_packaged_translation, ISentenceBoundaryDetectionModel, stubbed


class CappedTranslator:
    """The shared `ctranslate2.Translator`, with `max_decoding_length` added to the calls
    argostranslate makes (it passes none, so CTranslate2's default, 256, would apply)."""

    def __init__(self, inner: Any, max_decoding_length: int) -> None:
        self.inner = inner
        self.max_decoding_length = max_decoding_length

    def translate_batch(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("max_decoding_length", self.max_decoding_length)
        return self.inner.translate_batch(*args, **kwargs)


class Timed:
    """Runs `fn` and keeps the wall-clock times."""

    def __init__(self, name: str, fn: Callable[[], Any], sentences: int) -> None:
        self.name, self.fn, self.sentences = name, fn, sentences
        self.times: list[float] = []
        self.cpu: list[float] = []

    def run(self) -> Any:
        cpu = _cpu_s()
        start = time.perf_counter()
        out = self.fn()
        self.times.append(time.perf_counter() - start)
        self.cpu.append(_cpu_s() - cpu)
        return out

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def per_s(self) -> float:
        return self.sentences / self.median


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_name() -> str:
    """The CPU model as /proc/cpuinfo names it: CTranslate2 picks its GEMM backend by vendor
    (Intel MKL on Intel, oneDNN elsewhere), and the batching gain depends on it."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------- Apertium


def apertium_report(eval_dir: Path, sentences: list[str], repeat: int) -> dict[str, Any] | None:
    from flows.engines import apertium
    from flows.translation.batch import translate_unique

    if not apertium.is_available("es", "en"):
        log("Apertium spa-eng is not installed: skipped (apt-get install apertium-eng-spa)")
        return None
    engine = apertium.ApertiumEngine("es", "en")
    timed = Timed("apertium", lambda: translate_unique(engine, sentences), len(sentences))
    for _ in range(repeat):
        timed.run()
    report: dict[str, Any] = {
        "model_id": engine.model_id,
        "sentences_per_s": round(timed.per_s, 2),
        "median_s": round(timed.median, 3),
    }
    try:
        import sacrebleu
    except ImportError:
        log(
            "sacrebleu is not installed: Apertium BLEU/chrF skipped. Run with "
            "`uv run --with sacrebleu python benchmarks/translation.py`."
        )
        return report
    for label, (src_name, ref_name) in (("flores_devtest", FLORES), ("newssyscomb2009", NEWS)):
        sources = read_lines(eval_dir / "parallel" / src_name)
        references = read_lines(eval_dir / "parallel" / ref_name)
        out = translate_unique(engine, sources)
        hypotheses = [out[s].text for s in sources]
        report[label] = {
            "sentences": len(sources),
            "bleu": round(sacrebleu.corpus_bleu(hypotheses, [references]).score, 2),
            "chrf": round(sacrebleu.corpus_chrf(hypotheses, [references]).score, 2),
        }
    return report


# ---------------------------------------------------------------- main


def run(args: argparse.Namespace) -> dict[str, Any]:
    eval_dir = args.eval_dir
    package, build = ensure_package(eval_dir)
    argos_environment(CACHE_DIR / "argos-home")

    from flows.engines.argos import ArgosEngine
    from flows.translation.batch import translate_unique

    flores = list(dict.fromkeys(read_lines(eval_dir / "parallel" / FLORES[0])))
    sentences = subset(flores, args.sentences)
    argos_sentences = subset(sentences, args.argos_sentences)

    engine = ArgosEngine(
        package,
        beam_size=BEAM_SIZE,
        max_decoding_length=MAX_DECODING_LENGTH,
        compute_type=COMPUTE_TYPE,
        intra_threads=args.intra_threads,
        inter_threads=args.inter_threads,
        chunk_tokens=PIPELINE_CHUNK_TOKENS,
    )
    translator = engine._translator()  # the one model instance (a) and (b) use
    processor = engine.tokenizer.processor  # type: ignore[attr-defined]
    source_tokens = processor.encode(sentences, out_type=str)
    n_source_tokens = sum(len(t) for t in source_tokens)
    over_chunk = sum(len(t) > engine.chunk_tokens for t in source_tokens)
    over_half = sum(len(t) > MAX_DECODING_LENGTH // 2 for t in source_tokens)

    def bare() -> Any:
        return translator.translate_batch(
            source_tokens,
            beam_size=BEAM_SIZE,
            max_decoding_length=MAX_DECODING_LENGTH,
            max_batch_size=args.batch_tokens,
            batch_type="tokens",
        )

    apply_packaged_translation, sentencizer_base, stubbed = import_argostranslate_translate()
    if stubbed:
        log(
            "stubbed absent modules in sys.modules for argostranslate.translate: "
            + ", ".join(stubbed)
        )
    from argostranslate.package import Package

    class OneSentence(sentencizer_base):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            pass

        def split_sentences(self, text: str) -> list[str]:
            return [text]

    argos_pkg = Package(package)
    import ctranslate2

    # The Translator argostranslate's own `Translator` builds, with its default settings.
    argos_translator = ctranslate2.Translator(
        str(package / "model"),
        device="cpu",
        inter_threads=1,
        intra_threads=0,
        compute_type="auto",
    )
    capped = CappedTranslator(argos_translator, MAX_DECODING_LENGTH)
    splitter = OneSentence()

    def argos() -> list[Any]:
        return [
            apply_packaged_translation(argos_pkg, s, capped, splitter, num_hypotheses=1)
            for s in argos_sentences
        ]

    single_tokens = processor.encode(argos_sentences, out_type=str)

    def bare_single() -> list[Any]:
        return [
            argos_translator.translate_batch(
                [tokens], beam_size=BEAM_SIZE, max_decoding_length=MAX_DECODING_LENGTH
            )
            for tokens in single_tokens
        ]

    paths = [
        Timed("pipeline", lambda: translate_unique(engine, sentences), len(sentences)),
        Timed("ctranslate2", bare, len(sentences)),
        Timed("argostranslate", argos, len(argos_sentences)),
        Timed("ctranslate2_single", bare_single, len(argos_sentences)),
    ]
    warm = sentences[:8]
    translate_unique(engine, warm)  # loads the model; first calls allocate
    translator.translate_batch(source_tokens[:8], beam_size=BEAM_SIZE, max_decoding_length=8)
    apply_packaged_translation(argos_pkg, warm[0], capped, splitter, num_hypotheses=1)
    log(
        f"{len(sentences)} sentences ({n_source_tokens} source tokens), argostranslate on "
        f"{len(argos_sentences)}; {args.repeat} repetitions ..."
    )
    pipeline_rss = 0.0
    outputs = None
    for r in range(args.repeat):
        order = paths[r % len(paths) :] + paths[: r % len(paths)]
        for timed in order:
            out = timed.run()
            log(f"  round {r + 1}: {timed.name:<18} {timed.times[-1]:8.2f} s")
            if timed.name == "pipeline" and not pipeline_rss:
                pipeline_rss = peak_rss_mb()
            if timed.name == "ctranslate2":
                outputs = out
    target_tokens = sum(len(r.hypotheses[0]) for r in outputs) if outputs else 0
    a, b, c, d = paths
    result: dict[str, Any] = {
        "sentences": len(sentences),
        "sentences_per_s": round(a.per_s, 3),
        "tokens_per_s": round(n_source_tokens / a.median, 1),
        "target_tokens_per_s": round(target_tokens / a.median, 1),
        "ratio_vs_ctranslate2": round(a.per_s / b.per_s, 3),
        "speedup_vs_argostranslate": round(a.per_s / c.per_s, 2),
        "ctranslate2_batching_gain": round(b.per_s / d.per_s, 2),
        "peak_rss_mb": round(pipeline_rss, 1),
        "peak_rss_mb_all_paths": round(peak_rss_mb(), 1),
        "median_s": {p.name: round(p.median, 3) for p in paths},
        "sentences_per_s_by_path": {p.name: round(p.per_s, 3) for p in paths},
        "times_s": {p.name: [round(t, 3) for t in p.times] for p in paths},
        "cpu_cores_used": {
            p.name: round(sum(p.cpu) / sum(p.times), 2) for p in paths if sum(p.times)
        },
        "cpu_s_per_sentence": {
            p.name: round(statistics.median(p.cpu) / p.sentences, 4) for p in paths
        },
        "argostranslate_sentences": len(argos_sentences),
        "source_tokens": n_source_tokens,
        "target_tokens": target_tokens,
        "sentences_over_chunk_limit": over_chunk,
        "sentences_over_half_max_decoding_length": over_half,
        "settings": {
            "beam_size": BEAM_SIZE,
            "max_decoding_length": MAX_DECODING_LENGTH,
            "compute_type": COMPUTE_TYPE,
            "intra_threads": args.intra_threads,
            "inter_threads": args.inter_threads,
            "pipeline_max_batch_tokens": engine.max_batch_tokens,
            "pipeline_chunk_tokens": engine.chunk_tokens,
            "bare_max_batch_tokens": args.batch_tokens,
            "repeat": args.repeat,
            "stubbed_modules": stubbed,
            "cpu": cpu_name(),
            "CT2_USE_MKL": os.environ.get("CT2_USE_MKL", "unset (MKL on Intel CPUs only)"),
        },
        "model": build,
    }
    if not args.no_apertium:
        result["apertium"] = apertium_report(eval_dir, sentences, args.repeat)
    return result


def print_table(result: dict[str, Any]) -> None:
    s = result["settings"]
    m = result["model"]
    print(
        f"Model: {m['architecture']}; SentencePiece {m['sentencepiece_model_type']} vocabulary "
        f"{m['vocab_size']} (asked {m['vocab_requested']}); model.bin {m['model_bin_mb']} MB"
    )
    print(
        f"Settings: beam {s['beam_size']}, max_decoding_length {s['max_decoding_length']}, "
        f"{s['compute_type']}, intra_threads {s['intra_threads']}, inter_threads "
        f"{s['inter_threads']}; pipeline batch {s['pipeline_max_batch_tokens']} tokens, "
        f"bare batch {s['bare_max_batch_tokens']} tokens; median of {s['repeat']}"
    )
    print(
        f"FLORES devtest: {result['sentences']} sentences, {result['source_tokens']} source "
        f"tokens (argostranslate on {result['argostranslate_sentences']})"
    )
    print()
    print(f"{'path':<34} {'median s':>9} {'sent/s':>8} {'vs (a)':>7}  cores")
    labels = {
        "pipeline": "(a) pipeline translate stage",
        "ctranslate2": "(b) bare CTranslate2, one call",
        "argostranslate": "(c) argostranslate per string",
        "ctranslate2_single": "(d) bare CTranslate2, per sentence",
    }
    a_rate = result["sentences_per_s"]
    for name, label in labels.items():
        rate = result["sentences_per_s_by_path"][name]
        print(
            f"{label:<34} {result['median_s'][name]:>9.2f} {rate:>8.2f} "
            f"{rate / a_rate:>7.2f}  {result['cpu_cores_used'].get(name, 0):.2f}"
        )
    print()
    print(f"(a) tokens/s (source): {result['tokens_per_s']}")
    print(f"(a)/(b) throughput ratio: {result['ratio_vs_ctranslate2']}")
    print(f"(a)/(c) speedup: {result['speedup_vs_argostranslate']}")
    print(
        f"(b)/(d) CTranslate2's own batching gain: {result['ctranslate2_batching_gain']} "
        f"(CPU {s['cpu']}; CT2_USE_MKL {s['CT2_USE_MKL']})"
    )
    print(
        f"peak RSS after (a): {result['peak_rss_mb']} MB "
        f"(all paths: {result['peak_rss_mb_all_paths']} MB)"
    )
    ap = result.get("apertium")
    if ap:
        print()
        print(f"Apertium ({ap['model_id']}): {ap['sentences_per_s']} sentences/s")
        for label in ("flores_devtest", "newssyscomb2009"):
            if label in ap:
                q = ap[label]
                print(
                    f"  {label:<16} BLEU {q['bleu']:6.2f}  chrF {q['chrf']:6.2f}  "
                    f"({q['sentences']} sentences)"
                )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument(
        "--sentences",
        type=int,
        default=DEFAULT_SENTENCES,
        help=f"evenly spaced FLORES devtest subset (default {DEFAULT_SENTENCES}; 1012 is all)",
    )
    parser.add_argument("--intra-threads", type=int, default=INTRA_THREADS)
    parser.add_argument("--inter-threads", type=int, default=INTER_THREADS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--argos-sentences",
        type=int,
        default=DEFAULT_ARGOS_SENTENCES,
        help="evenly spaced subset of the sentences for (c), one model call each "
        f"(default {DEFAULT_ARGOS_SENTENCES})",
    )
    parser.add_argument("--batch-tokens", type=int, default=BARE_BATCH_TOKENS, help="budget of (b)")
    parser.add_argument("--no-apertium", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--build-only", action="store_true", help="build the model and stop")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=CACHE_DIR,
        help=f"where the model is built (default {CACHE_DIR})",
    )
    args = parser.parse_args(argv)
    if not (args.eval_dir / "parallel").is_dir():
        parser.error(f"no evaluation data in {args.eval_dir / 'parallel'}; pass --eval-dir DIR")
    use_cache_dir(args.cache_dir)
    if args.build_only:
        build_package(args.eval_dir)
        return
    result = run(args)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
