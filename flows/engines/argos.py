"""Argos Translate engine: an installed Argos package (`.argosmodel`) run directly with
CTranslate2 and the package's own tokenizer.

Only `argostranslate.package`/`settings`/`tokenizer` are used, lazily: `argostranslate.translate`
would pull in stanza and torch. Sentence splitting is done upstream, so each input is one
sentence; inputs longer than the model accepts are split into chunks, never truncated."""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from flows.engines import ArgosOptions
from flows.errors import EngineUnavailable, ModelPackageError
from flows.records import Translation

if TYPE_CHECKING:
    import ctranslate2
    from argostranslate.package import Package

# CTranslate2's own default for `translate_batch(max_input_length=...)`: longer inputs are
# silently truncated to this many tokens (special tokens included), so we chunk below it.
DEFAULT_MAX_INPUT_LENGTH = 1024
# A token after which a chunk boundary reads naturally (clause or sentence end).
BREAK_AFTER = frozenset('.!?;:,)]»”"…')

_TRANSLATORS: dict[tuple[str, str, str, int, int], ctranslate2.Translator] = {}
_TRANSLATORS_LOCK = threading.Lock()
logger = logging.getLogger(__name__)
_WARNED: set[str] = set()  # unusable packages already named in a warning by this process


def packages_dir() -> Path:
    """Where Argos packages are installed: `ARGOS_PACKAGES_DIR` as set now, else the
    directory `argostranslate.settings` computed when it was imported."""
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return Path(env).expanduser()
    # argostranslate: only when an Argos package is used
    from argostranslate import settings

    return Path(settings.package_data_dir)


def installed_packages(path: Path | None = None) -> list[Package]:
    """Installed translation packages under `path` (default `packages_dir()`).

    Equivalent to `argostranslate.package.get_installed_packages([path])`, which builds a
    `Package` per sub-directory, but one broken directory (no or bad `metadata.json`) is
    skipped instead of failing the whole listing."""
    # argostranslate: only when an Argos package is used
    from argostranslate.package import Package

    root = Path(path) if path is not None else packages_dir()
    if not root.is_dir():
        return []
    found: list[Package] = []
    for child in sorted(root.iterdir()):
        if not child.is_dir():
            continue
        try:
            package = Package(child)
        except (OSError, ValueError, TypeError, AttributeError):
            continue  # FileNotFoundError, json.JSONDecodeError, non-object metadata, ...
        if package.type == "translate":
            found.append(package)
    return found


def find_package(source: str, target: str, path: Path | None = None) -> Package | None:
    """The installed `source`→`target` package with the highest version, or None."""
    candidates = [
        p for p in installed_packages(path) if p.from_code == source and p.to_code == target
    ]
    return max(candidates, key=lambda p: version_key(p.package_version), default=None)


def why_unavailable(source: str, target: str) -> str | None:
    """None when a `source`→`target` package is installed, else how to install one."""
    if find_package(source, target) is not None:
        return None
    return (
        f"no Argos {source}→{target} package is installed; "
        f"install one with `bilingual models install --file PKG.argosmodel`"
    )


def create(
    source: str, target: str, options: ArgosOptions, *, skip_unusable: bool
) -> ArgosEngine | None:
    """The newest installed `source`→`target` package as an engine. With `skip_unusable`,
    each package whose tokenizer or model does not load is named in a warning (once per
    process) and the next newest tried; without, the newest one's error is raised."""
    if not skip_unusable:
        package = find_package(source, target)
        if package is None:
            raise EngineUnavailable(str(why_unavailable(source, target)))
        return ArgosEngine(package, **asdict(options))
    packages = [p for p in installed_packages() if (p.from_code, p.to_code) == (source, target)]
    packages.sort(key=lambda p: version_key(p.package_version), reverse=True)
    for package in packages:
        try:
            engine = ArgosEngine(package, **asdict(options))
            engine.load()
        except (ModelPackageError, EngineUnavailable) as err:
            if str(err) not in _WARNED:
                _WARNED.add(str(err))
                logger.warning("warning: skipping an unusable Argos package: %s", err)
            continue
        return engine
    return None


def version_key(version: str) -> tuple[int, Any]:
    """Sort key for package versions: PEP 440 versions above anything unparsable."""
    # only when Argos packages are compared
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def package_code(package: Package) -> str:
    """The package's argospm name, e.g. `translate-es_en`."""
    return package.code or f"{package.type}-{package.from_code}_{package.to_code}"


def clear_translator_cache() -> None:
    """Forget loaded CTranslate2 models (after a package is reinstalled in place)."""
    with _TRANSLATORS_LOCK:
        _TRANSLATORS.clear()


def load_translator(
    model_dir: Path,
    *,
    device: str = "cpu",
    compute_type: str = "int8",
    inter_threads: int = 1,
    intra_threads: int = 0,
) -> ctranslate2.Translator:
    """The process-wide `ctranslate2.Translator` for these options, loaded on first use.
    A compute type the device does not support falls back to `default`."""
    # CTranslate2: only when an Argos engine runs
    import ctranslate2

    compute_type = effective_compute_type(device, compute_type)
    key = (str(Path(model_dir).resolve()), device, compute_type, inter_threads, intra_threads)
    with _TRANSLATORS_LOCK:
        translator = _TRANSLATORS.get(key)
        if translator is None:
            try:
                translator = ctranslate2.Translator(
                    key[0],
                    device=device,
                    compute_type=compute_type,
                    inter_threads=inter_threads,
                    intra_threads=intra_threads,
                )
            except (RuntimeError, ValueError, OSError) as err:
                raise ModelPackageError(
                    f"{model_dir}: cannot load the CTranslate2 model ({_line(err)})"
                ) from err
            _TRANSLATORS[key] = translator
    return translator


def effective_compute_type(device: str, compute_type: str) -> str:
    """`compute_type`, or `default` when the device does not support it."""
    # CTranslate2: only when an Argos engine runs
    import ctranslate2

    try:
        supported = ctranslate2.get_supported_compute_types(device)
    except (RuntimeError, ValueError) as err:
        raise EngineUnavailable(f"CTranslate2 cannot use device {device!r} ({_line(err)})") from err
    if compute_type not in supported and compute_type not in ("default", "auto"):
        return "default"
    return compute_type


def _line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def position_table_rows(model_bin: Path) -> int | None:
    """Rows of a stored position-encoding table in a CTranslate2 `model.bin`, or None when
    positions are computed (sinusoidal, unbounded) or the file cannot be read. With a table
    (OpenNMT-py conversions store one, usually 5000 rows) CTranslate2 fails on longer inputs
    or outputs. Only the variable headers are read; the weights are skipped."""
    try:
        with open(model_bin, "rb") as f:
            version = _read(f, "<I")
            if not 1 <= version <= 6:  # the layouts CTranslate2 4.x reads (see its models.cc)
                return None
            if version >= 2:
                _read_string(f)  # spec name
                _read(f, "<I")  # spec revision
            rows: list[int] = []
            for _ in range(_read(f, "<I")):
                name = _read_string(f)
                rank = _read(f, "<B")
                dims = struct.unpack(f"<{rank}I", f.read(4 * rank))
                item_size = _read(f, "<B")  # a dtype id from version 4 on
                size = _read(f, "<I")  # bytes from version 4 on, items before
                f.seek(size if version >= 4 else size * item_size, os.SEEK_CUR)
                if name.endswith("position_encodings/encodings") and dims:
                    rows.append(dims[0])
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    return min(rows) if rows else None


def _read(f: BinaryIO, fmt: str) -> int:
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise struct.error("truncated model.bin")
    return int(struct.unpack(fmt, data)[0])


def _read_string(f: BinaryIO) -> str:
    return f.read(_read(f, "<H")).rstrip(b"\0").decode("utf-8")


class _Tokenizer:
    """Encode to the model's tokens and decode back; `word_start(prev, token)` tells whether
    `token` begins a new word (where a chunk may be cut). The `_batch` forms give the same
    results as one call per item."""

    def encode(self, text: str) -> list[str]:
        raise NotImplementedError

    def decode(self, tokens: list[str]) -> str:
        raise NotImplementedError

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.encode(text) for text in texts]

    def decode_batch(self, batch: Sequence[list[str]]) -> list[str]:
        return [self.decode(tokens) for tokens in batch]

    def word_start(self, prev: str, token: str) -> bool:
        raise NotImplementedError


class _SentencePieceTokenizer(_Tokenizer):
    """One SentencePiece call per batch (C++ loop), not one per sentence."""

    def __init__(self, model_file: Path) -> None:
        # SentencePiece: only when an Argos engine runs
        import sentencepiece as spm

        self.processor = spm.SentencePieceProcessor(model_file=str(model_file))

    def encode(self, text: str) -> list[str]:
        return list(self.processor.encode(text, out_type=str))

    def decode(self, tokens: list[str]) -> str:
        return self._clean(self.processor.decode_pieces(tokens))

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        if not texts:
            return []
        return [list(tokens) for tokens in self.processor.encode(list(texts), out_type=str)]

    def decode_batch(self, batch: Sequence[list[str]]) -> list[str]:
        if not batch:
            return []
        return [self._clean(text) for text in self.processor.decode([list(t) for t in batch])]

    @staticmethod
    def _clean(text: Any) -> str:
        # Unlike argostranslate, `_` is not turned into a space (it is part of @handles).
        return str(text).replace("▁", " ").strip()

    def word_start(self, prev: str, token: str) -> bool:
        return token.startswith("▁")


class _BPETokenizer(_Tokenizer):
    """Moses tokenisation + subword-nmt BPE, via argostranslate's own `BPETokenizer`."""

    def __init__(self, model_file: Path, source: str, target: str) -> None:
        # argostranslate: only when an Argos package is used
        from argostranslate.tokenizer import BPETokenizer

        self.inner = BPETokenizer(model_file, source, target)

    def encode(self, text: str) -> list[str]:
        return [t for t in self.inner.encode(text) if t]

    def decode(self, tokens: list[str]) -> str:
        return str(self.inner.decode(tokens)).strip()

    def word_start(self, prev: str, token: str) -> bool:
        return not prev.endswith("@@")


def split_tokens(
    tokens: Sequence[str], limit: int, word_start: Callable[[str, str], bool]
) -> list[list[str]]:
    """Cut `tokens` into consecutive chunks of at most `limit` tokens (joined, they are
    `tokens` again). A cut goes after punctuation if one lies in the back half of the
    window, else before a word start, else wherever the window ends."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chunks: list[list[str]] = []
    start = 0
    while len(tokens) - start > limit:
        end = start + limit
        best, best_quality = end, -1
        for cut in range(end, start + max(1, limit // 2) - 1, -1):
            prev, token = tokens[cut - 1], tokens[cut]
            if prev.strip("▁").removesuffix("@@")[-1:] in BREAK_AFTER:
                quality = 2
            elif word_start(prev, token):
                quality = 1
            else:
                quality = 0
            if quality > best_quality:
                best, best_quality = cut, quality
                if quality == 2:
                    break
        chunks.append(list(tokens[start:best]))
        start = best
    if start < len(tokens) or not chunks:
        chunks.append(list(tokens[start:]))
    return chunks


@dataclass(frozen=True)
class _Chunked:
    index: int  # position in the caller's batch
    chunks: list[list[str]]


class ArgosEngine:
    """An installed Argos package run with CTranslate2.

    `translate_batch` sends every chunk of every non-empty sentence in one CTranslate2 call,
    which sorts them by length and batches them under a token budget (`max_batch_tokens`;
    2048 measured a little faster than 4096 or 8192 for a Transformer base on CPU, see
    `benchmarks/translation.py`), returning results in input order. Tokenisation and
    detokenisation are one SentencePiece call each for the whole batch. A `Translation.score`
    is CTranslate2's hypothesis score with `length_penalty=1`: the log-probability of the
    output divided by its length in tokens (≤ 0; closer to 0 is more confident). A sentence
    split into chunks gets the length-weighted mean of its chunks' scores. Empty inputs give
    `Translation("", None)`.

    Chunks hold at most the model's input limit (`max_input_length`, CTranslate2's silent
    truncation point, less the source BOS/EOS the model adds; lower if the model stores a
    finite position table) and at most half of `max_decoding_length`, so that the output is
    not cut short either; `chunk_tokens` sets that second bound explicitly instead (the
    input limit still applies). Packages with `target_prefix` metadata get that token forced
    at the start of each output and stripped. Multilingual packages that need a source-language
    token (metadata `languages`) are not supported: their tokens pass through unprefixed."""

    name = "argos"

    def __init__(
        self,
        package: Package | Path,
        *,
        beam_size: int = 4,
        device: str = "cpu",
        compute_type: str = "int8",
        inter_threads: int = 1,
        intra_threads: int = 0,
        max_batch_tokens: int = 2048,
        max_decoding_length: int = 256,
        max_input_length: int = DEFAULT_MAX_INPUT_LENGTH,
        chunk_tokens: int | None = None,
    ) -> None:
        if not isinstance(package, Path | str):
            pkg = package
        else:
            # argostranslate: only when an Argos package is used
            from argostranslate.package import Package

            try:
                pkg = Package(Path(package))
            except (OSError, ValueError) as err:
                raise ModelPackageError(f"{package}: not an Argos package ({_line(err)})") from err
        self.package = pkg
        self.path = Path(pkg.package_path)
        self.model_dir = self.path / "model"
        if not (self.model_dir / "model.bin").is_file():
            raise ModelPackageError(f"{self.path}: Argos package has no model/model.bin")
        self.model_id = f"argos/{package_code(pkg)}@{pkg.package_version or 'unknown'}"
        self.source, self.target = pkg.from_code, pkg.to_code
        self.beam_size = beam_size
        self.device = device
        self.compute_type = compute_type
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self.max_batch_tokens = max_batch_tokens
        self.target_prefix: str = getattr(pkg, "target_prefix", "") or ""
        self.tokenizer = self._make_tokenizer()

        specials = self._source_special_tokens()
        rows = position_table_rows(self.model_dir / "model.bin")
        self.max_input_length = max_input_length if rows is None else min(max_input_length, rows)
        self.max_decoding_length = (
            max_decoding_length if rows is None else min(max_decoding_length, rows)
        )
        self.max_source_tokens = max(1, self.max_input_length - specials)
        wanted = self.max_decoding_length // 2 if chunk_tokens is None else chunk_tokens
        self.chunk_tokens = max(1, min(self.max_source_tokens, wanted))

    def signature(self) -> str:
        """The package, CTranslate2's version and every option that changes the output
        (threads and batch sizes do not)."""
        # CTranslate2: only when an Argos engine runs
        import ctranslate2

        compute = effective_compute_type(self.device, self.compute_type)
        return (
            f"engine:{self.name}|model:{self.model_id}|ctranslate2:{ctranslate2.__version__}"
            f"|beam:{self.beam_size}|compute:{compute}"
            f"|device:{self.device}|max_decoding:{self.max_decoding_length}"
            f"|max_input:{self.max_input_length}|chunk:{self.chunk_tokens}|length_penalty:1"
        )

    def _make_tokenizer(self) -> _Tokenizer:
        sp_model, bpe_model = self.path / "sentencepiece.model", self.path / "bpe.model"
        try:
            if sp_model.is_file():
                return _SentencePieceTokenizer(sp_model)
            if bpe_model.is_file():
                return _BPETokenizer(bpe_model, self.source, self.target)
        except (OSError, RuntimeError) as err:
            raise ModelPackageError(
                f"{self.path}: cannot load the tokenizer ({_line(err)})"
            ) from err
        raise ModelPackageError(
            f"{self.path}: Argos package has neither sentencepiece.model nor bpe.model"
        )

    def _source_special_tokens(self) -> int:
        try:
            config = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        if not isinstance(config, dict):
            return 0
        return int(bool(config.get("add_source_bos"))) + int(bool(config.get("add_source_eos")))

    def load(self) -> None:
        """Load the CTranslate2 model now (it is otherwise loaded on first use), so that a
        model that cannot load is known before a run relies on it."""
        self._translator()

    def _translator(self) -> ctranslate2.Translator:
        return load_translator(
            self.model_dir,
            device=self.device,
            compute_type=self.compute_type,
            inter_threads=self.inter_threads,
            intra_threads=self.intra_threads,
        )

    def translate_batch(
        self, sentences: Sequence[str], stats: Counter[str] | None = None
    ) -> list[Translation]:
        """Counted in `stats`: `argos.chunked_sentences`, sentences longer than the model
        takes at once (translated in `argos.chunks` pieces)."""
        stats = Counter() if stats is None else stats
        results = [Translation("", None) for _ in sentences]
        todo = [i for i, sentence in enumerate(sentences) if sentence.strip()]
        encoded = self.tokenizer.encode_batch([sentences[i] for i in todo])
        limit, word_start = self.chunk_tokens, self.tokenizer.word_start
        items: list[_Chunked] = []
        flat: list[list[str]] = []
        for i, tokens in zip(todo, encoded, strict=True):
            if not tokens:
                continue
            chunks = [tokens] if len(tokens) <= limit else split_tokens(tokens, limit, word_start)
            if len(chunks) > 1:
                stats["argos.chunked_sentences"] += 1
                stats["argos.chunks"] += len(chunks)
            items.append(_Chunked(i, chunks))
            flat.extend(chunks)
        if not flat:
            return results
        outputs = self._translate_tokens(flat)
        texts = self.tokenizer.decode_batch([tokens for tokens, _ in outputs])
        k = 0
        for item in items:
            if len(item.chunks) == 1:  # the usual case: one chunk, its own score
                results[item.index] = Translation(texts[k], outputs[k][1])
                k += 1
                continue
            parts: list[str] = []
            weighted, weight = 0.0, 0
            for _ in item.chunks:
                (tokens, score), text = outputs[k], texts[k]
                k += 1
                parts.append(text)
                n = max(1, len(tokens))
                weighted += score * n
                weight += n
            results[item.index] = Translation(" ".join(t for t in parts if t), weighted / weight)
        return results

    def _translate_tokens(self, batch: list[list[str]]) -> list[tuple[list[str], float]]:
        """One CTranslate2 call for `batch` (already within the input limit)."""
        prefix = [[self.target_prefix] for _ in batch] if self.target_prefix else None
        try:
            results = self._translator().translate_batch(
                batch,
                target_prefix=prefix,
                beam_size=self.beam_size,
                max_batch_size=self.max_batch_tokens,
                batch_type="tokens",
                max_input_length=self.max_input_length,
                max_decoding_length=self.max_decoding_length,
                length_penalty=1.0,
                replace_unknowns=True,
                return_scores=True,
            )
        except (RuntimeError, ValueError) as err:
            raise ModelPackageError(f"{self.path}: translation failed ({_line(err)})") from err
        out: list[tuple[list[str], float]] = []
        for result in results:
            tokens = list(result.hypotheses[0])
            if self.target_prefix and tokens[:1] == [self.target_prefix]:
                tokens = tokens[1:]
            out.append((tokens, float(result.scores[0])))
        return out
