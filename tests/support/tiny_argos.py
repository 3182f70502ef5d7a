"""Build a tiny but real Argos Translate package for tests: a trained tokenizer (SentencePiece
or subword-nmt BPE), a CTranslate2 Transformer with small seeded random weights, and Argos
metadata, zipped as one top-level directory. Translations are gibberish, but every layer of
the real stack (zip, install, tokenizer, CTranslate2 decoding) runs."""

from __future__ import annotations

import itertools
import json
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.random_model import SPECIAL, save_model, spec_shape, train_sentencepiece

NAMES = {"es": "Spanish", "en": "English", "fr": "French", "pt": "Portuguese"}
SEED = 20240601
D_MODEL = 32
FFN = 64

CORPUS = """\
El presidente habló ayer con los periodistas en Madrid.
La economía española creció un 2,5 % en el último trimestre.
¿Dónde está la estación de tren más cercana?
¡Qué día tan bonito para caminar por la playa!
@maria_lopez gracias por compartir la noticia #EnVivo
Mañana habrá elecciones en toda la región, según @ElPais_es.
Los niños juegan en el jardín después de la escuela.
Nuestro equipo ganó el partido por tres goles a uno. #Fútbol
La reunión empezará a las diez de la mañana.
Muchas gracias a todos por el apoyo 🙌 #Gracias
Hoy publicamos el informe anual sobre el cambio climático.
No estoy de acuerdo con esa decisión del gobierno.
El café de la esquina abre muy temprano los domingos.
Según el ministro, la inflación bajará el próximo año.
Esta canción me recuerda a mi infancia en Sevilla.
@juanperez ¿vienes a la manifestación de esta tarde?
El museo está cerrado por obras hasta septiembre.
La película ganó tres premios en el festival de cine.
Los científicos descubrieron una nueva especie de pájaro.
Nos vemos en la plaza mayor a las ocho. #Quedada
The president spoke with journalists in Madrid yesterday.
The Spanish economy grew 2.5% in the last quarter.
Where is the nearest train station?
What a beautiful day to walk on the beach!
@maria_lopez thanks for sharing the news #Live
Tomorrow there will be elections across the region, according to @ElPais_es.
The children play in the garden after school.
Our team won the match three goals to one. #Football
The meeting will start at ten in the morning.
Thank you all so much for the support 🙌 #Thanks
Today we publish the annual report on climate change.
I do not agree with that government decision.
The café on the corner opens very early on Sundays.
According to the minister, inflation will fall next year.
This song reminds me of my childhood in Seville.
@juanperez are you coming to the protest this afternoon?
The museum is closed for renovations until September.
The film won three awards at the film festival.
Scientists discovered a new species of bird.
See you in the main square at eight. #Meetup
"""


def corpus_lines() -> list[str]:
    return [line for line in CORPUS.splitlines() if line.strip()]


def build_tiny_argosmodel(
    dest_dir: Path,
    source: str = "es",
    target: str = "en",
    *,
    tokenizer: str = "sentencepiece",
    max_positions: int | None = None,
) -> Path:
    """Write `translate-<source>_<target>-1_0.argosmodel` into `dest_dir` and return its path.

    `tokenizer` is `"sentencepiece"` (a `sentencepiece.model`) or `"bpe"` (a subword-nmt
    `bpe.model` used with Moses tokenisation, as older Argos packages do). `max_positions`
    stores a finite position-encoding table of that many rows, as OpenNMT-py conversions do
    (5000 rows there); by default positions are computed (sinusoidal, unbounded)."""
    if tokenizer not in ("sentencepiece", "bpe"):
        raise ValueError(f"unknown tokenizer {tokenizer!r}")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = f"translate-{source}_{target}-1_0"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        (root / "model").mkdir(parents=True)
        if tokenizer == "sentencepiece":
            vocabulary = _write_sentencepiece(root / "sentencepiece.model")
        else:
            vocabulary = _write_bpe(root / "bpe.model", source)
        _write_ct2_model(root / "model", vocabulary, max_positions)
        metadata = {
            "package_version": "1.0",
            "argos_version": "1.0",
            "from_code": source,
            "from_name": NAMES.get(source, source),
            "to_code": target,
            "to_name": NAMES.get(target, target),
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        (root / "README.md").write_text("Tiny random test model; output is gibberish.\n")
        out = dest_dir / f"{name}.argosmodel"
        _zip_dir(root, out)
    return out


def _zip_dir(root: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(root, f"{root.name}/")
        for path in sorted(root.rglob("*")):
            arcname = f"{root.name}/{path.relative_to(root).as_posix()}"
            zf.write(path, arcname + ("/" if path.is_dir() else ""))


def _write_sentencepiece(path: Path) -> list[str]:
    return train_sentencepiece(
        corpus_lines(),
        path,
        vocab_size=200,
        model_type="unigram",
        seed_sentencepiece_size=10000,
        num_threads=1,
    )


def _write_bpe(path: Path, source: str) -> list[str]:
    """Learn subword-nmt (v0.2) merges on the Moses-tokenised corpus; the vocabulary is every
    unit the codes produce on it plus each character in both word-final and `@@` forms."""
    from argostranslate.apply_bpe import BPE
    from sacremoses.normalize import MosesPunctNormalizer
    from sacremoses.tokenize import MosesTokenizer

    normalizer = MosesPunctNormalizer(source)
    moses = MosesTokenizer(source)
    tokenized = [moses.tokenize(normalizer.normalize(line)) for line in corpus_lines()]
    words = Counter(w for line in tokenized for w in line)
    vocab = Counter({(*w[:-1], w[-1] + "</w>"): n for w, n in words.items()})
    merges: list[tuple[str, str]] = []
    for _ in range(150):
        pairs: Counter[tuple[str, str]] = Counter()
        for word, n in vocab.items():
            for pair in itertools.pairwise(word):
                pairs[pair] += n
        if not pairs:
            break
        best = max(pairs, key=lambda p: (pairs[p], p))
        if pairs[best] < 2:
            break
        merges.append(best)
        vocab = Counter({_merge(word, best): n for word, n in vocab.items()})
    path.write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    with path.open(encoding="utf-8") as codes:
        bpe = BPE(codes)
    units = {u for line in tokenized for u in bpe.segment_tokens(line)}
    chars = {c for w in words for c in w}
    units |= chars | {c + "@@" for c in chars}
    return [*SPECIAL, *sorted(units - set(SPECIAL))]


def _merge(word: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(word[i] + word[i + 1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def _write_ct2_model(model_dir: Path, vocabulary: list[str], max_positions: int | None) -> None:
    """A 1+1 layer pre-norm Transformer (sinusoidal positions) with seeded random weights.
    The output bias keeps the special tokens from being generated, so every output is
    non-empty and runs to the decoding length limit (deterministic either way)."""
    from ctranslate2.specs import model_spec, transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(num_layers=(1, 1), num_heads=2)
    rng = np.random.default_rng(SEED)
    size = len(vocabulary)

    def fill(layer: Any, name: str, value: Any) -> None:
        attr = name.rsplit("/", 1)[-1]
        if value is None:
            setattr(layer, attr, _random(rng, name, size))
        elif attr == "bias" and isinstance(value, str) and value == model_spec.OPTIONAL:
            weight = getattr(layer, "weight")  # noqa: B009 - spec attributes are dynamic
            setattr(layer, attr, (rng.standard_normal(weight.shape[0]) * 0.02).astype("f4"))

    model_spec.visit_spec(spec, fill)
    if max_positions is not None:
        table = _sinusoids(max_positions, D_MODEL)
        spec.encoder.position_encodings.encodings = table
        spec.decoder.position_encodings.encodings = table.copy()
    save_model(spec, vocabulary, model_dir)


def _sinusoids(rows: int, dim: int) -> np.ndarray:
    position = np.arange(rows, dtype="f4")[:, None]
    rates = np.exp(np.arange(0, dim, 2, dtype="f4") * (-np.log(10000.0) / dim))
    table = np.zeros((rows, dim), dtype="f4")
    table[:, 0::2] = np.sin(position * rates)
    table[:, 1::2] = np.cos(position * rates)
    return table


def argos_env(root: Path) -> dict[str, str]:
    """Environment that keeps argostranslate inside `root` (packages, data, config, cache)
    and points its package index at a closed local port, so nothing touches the network or
    the real home directory. Set it before `argostranslate.settings` is first imported."""
    root = Path(root)
    return {
        "ARGOS_PACKAGES_DIR": str(root / "packages"),
        "XDG_DATA_HOME": str(root / "data"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
    }


def _random(rng: np.random.Generator, name: str, vocab_size: int) -> np.ndarray:
    """A float32 array shaped for the spec variable `name` (weights before their biases:
    `visit_spec` visits `weight` before `bias` in every linear layer)."""
    shape = spec_shape(name, vocab_size, D_MODEL, FFN)
    if name.endswith(("gamma", "beta")):
        base = 1.0 if name.endswith("gamma") else 0.0
        return (base + rng.standard_normal(shape) * 0.02).astype("f4")
    scale = 1.0 if "projection" in name else 0.3
    return (rng.standard_normal(shape) * scale).astype("f4")


def copy_package_dir(package_file: Path, dest: Path) -> Path:
    """Extract `package_file` into `dest` (a plain copy, no Argos involved); return the
    package directory."""
    with zipfile.ZipFile(package_file) as zf:
        zf.extractall(dest)
        top = zf.namelist()[0].split("/")[0]
    return dest / top
