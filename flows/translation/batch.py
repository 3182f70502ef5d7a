"""Translate stage: one small engine protocol, engine selection, and the batch over every
pending sentence of a run (entities kept, each distinct sentence sent once)."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache, partial
from typing import Any, Protocol

from flows import languages
from flows.errors import EngineUnavailable, ModelPackageError, UsageError
from flows.records import Translation
from flows.text.entities import MASKING_VERSION, translate_keeping_entities
from flows.translation.align import EngineInfo

ENGINE_CHOICES = ("auto", "argos", "apertium")
logger = logging.getLogger(__name__)
_WARNED: set[str] = set()  # unusable packages already named in a warning by this process


@dataclass(frozen=True)
class ArgosOptions:
    """How the Argos engine runs CTranslate2. A run translates all its sentences in one
    call, split into token-budget batches: by default one batch per core at a time, each on
    one thread (throughput rather than the latency of a single sentence)."""

    beam_size: int = 4
    compute_type: str = "int8"
    inter_threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    intra_threads: int = 1  # 0: CTranslate2 picks
    max_batch_tokens: int = 2048

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> ArgosOptions:
        return cls(**(values or {}))


class TranslationEngine(Protocol):
    """Anything that turns a batch of source sentences into target sentences."""

    name: str
    model_id: str

    def signature(self) -> str:
        """Name, model, versions and every option that changes the output."""
        ...

    def translate_batch(
        self, sentences: Sequence[str], stats: Counter[str] | None = None
    ) -> list[Translation]:
        """One `Translation` per input sentence, in order; what the engine had to do on
        the way (fallbacks, chunked inputs) is counted in `stats`."""
        ...


def engine_info(engine: TranslationEngine) -> EngineInfo:
    """The engine as rows and the translation cache know it: its signature with the entity
    masking's version (masking changes what the engine sees)."""
    return EngineInfo(
        engine.name, engine.model_id, f"{engine.signature()}|masking:{MASKING_VERSION}"
    )


@dataclass(frozen=True)
class BatchResult:
    """What one translate task gives back: translations, the texts whose engine call failed
    with its one-line reason, and the engine's counters."""

    done: dict[str, Translation] = field(default_factory=dict)
    failed: tuple[str, ...] = ()
    reason: str | None = None
    stats: Counter[str] = field(default_factory=Counter)


def select_engine(
    choice: str, source: str, target: str, options: ArgosOptions | None = None
) -> TranslationEngine | None:
    """The engine for `choice`: `auto` prefers an installed Argos package that loads (newest
    first; one that does not is skipped with a warning), then Apertium, else None (sentences
    stay pending). An explicit engine that cannot run raises."""
    from flows.engines import apertium

    if choice not in ENGINE_CHOICES:
        raise UsageError(f"unknown engine {choice!r}; choose one of {', '.join(ENGINE_CHOICES)}")
    if choice == "argos":
        from flows.engines import argos

        package = argos.find_package(source, target)
        if package is None:
            raise EngineUnavailable(
                f"no Argos {source}→{target} package is installed; "
                f"install one with `bilingual models install --file PKG.argosmodel`"
            )
        return argos.ArgosEngine(package, **asdict(options or ArgosOptions()))
    if choice == "auto":
        engine = _usable_argos(source, target, options or ArgosOptions())
        if engine is not None:
            return engine
    if choice in ("auto", "apertium"):
        if apertium.is_available(source, target):
            return apertium.ApertiumEngine(source, target)
        if choice == "apertium":
            package = languages.apertium_package(source, target)
            if package is None:
                raise EngineUnavailable(
                    f"Debian has no Apertium {source}→{target} pair; use an Argos package: "
                    f"`bilingual models install --from {source} --to {target}`"
                )
            raise EngineUnavailable(
                f"Apertium {source}→{target} is not installed; "
                f"install it with `apt-get install {package}`"
            )
    return None


def _usable_argos(source: str, target: str, options: ArgosOptions) -> TranslationEngine | None:
    """The newest installed `source`→`target` Argos package whose tokenizer and model load;
    each one that does not is named in a warning (once per process) and skipped."""
    from flows.engines import argos

    packages = [
        p for p in argos.installed_packages() if (p.from_code, p.to_code) == (source, target)
    ]
    packages.sort(key=lambda p: argos.version_key(p.package_version), reverse=True)
    for package in packages:
        try:
            engine = argos.ArgosEngine(package, **asdict(options))
            engine.load()
        except (ModelPackageError, EngineUnavailable) as err:
            if str(err) not in _WARNED:
                _WARNED.add(str(err))
                logger.warning("warning: skipping an unusable Argos package: %s", err)
            continue
        return engine
    return None


def translate_unique(
    engine: TranslationEngine, sentences: Sequence[str], stats: Counter[str] | None = None
) -> dict[str, Translation]:
    """Translate each distinct sentence once, entities passing through unchanged."""
    unique = list(dict.fromkeys(sentences))
    batch = partial(engine.translate_batch, stats=stats)
    return dict(zip(unique, translate_keeping_entities(batch, unique), strict=True))


@lru_cache(maxsize=8)
def engine_for(
    choice: str, source: str, target: str, options: ArgosOptions | None = None
) -> TranslationEngine | None:
    """`select_engine`, once per process: on a Dask worker the model loads once, not per task."""
    return select_engine(choice, source, target, options)


def translate_texts(
    choice: str,
    source: str,
    target: str,
    texts: Sequence[str],
    options: ArgosOptions | None = None,
) -> BatchResult:
    """Translate `texts` with the process's engine. An engine failure does not stop the run:
    the texts come back as failed, with the one-line reason."""
    engine = engine_for(choice, source, target, options)
    if engine is None or not texts:
        return BatchResult()
    stats: Counter[str] = Counter()
    try:
        return BatchResult(translate_unique(engine, texts, stats), stats=stats)
    except Exception as exc:  # an engine crash fails this batch's sentences, not the run
        return BatchResult(failed=tuple(texts), reason=f"{engine.name}: {exc}".splitlines()[0])


def split_cached(
    texts: Sequence[str], cache: Mapping[str, Translation]
) -> tuple[dict[str, Translation], list[str]]:
    """Of `texts`, the translations `cache` (made with the same engine signature) holds,
    and the texts still to send."""
    cached = {t: cache[t] for t in texts if t in cache}
    return cached, [t for t in texts if t not in cached]
