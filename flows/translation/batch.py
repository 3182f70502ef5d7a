"""Translate stage: the batch over every pending sentence of a run, each distinct sentence
sent once to the process's engine (`flows.engines.select_engine`), entities kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial

from flows.engines import ArgosOptions, TranslationEngine, select_engine
from flows.records import Translation
from flows.text.entities import MASKING_VERSION, translate_keeping_entities
from flows.translation.align import EngineInfo


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
