"""Translation engines: Argos packages run with CTranslate2, Apertium, and the Argos package
store. This base holds what every engine shares (the protocol, the options, the registry) and
imports no engine: an engine's module, with its native libraries, is imported when a run asks
for it (`engine_kind`), never when the command line starts."""

from __future__ import annotations

import importlib
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from flows.errors import EngineUnavailable, UsageError

if TYPE_CHECKING:
    from flows.records import Translation

# Each engine's module, in the order `auto` prefers them.
ENGINES = {"argos": "flows.engines.argos", "apertium": "flows.engines.apertium"}
ENGINE_CHOICES = ("auto", *ENGINES)
COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32", "default")
MAX_BEAM_SIZE = 16


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

    def __post_init__(self) -> None:
        if not 1 <= self.beam_size <= MAX_BEAM_SIZE:
            raise UsageError(f"--beam-size must be 1 to {MAX_BEAM_SIZE}, not {self.beam_size}")
        if self.compute_type not in COMPUTE_TYPES:
            choices = ", ".join(COMPUTE_TYPES)
            raise UsageError(f"unknown --compute-type {self.compute_type!r}; choose {choices}")
        if self.inter_threads < 1:
            raise UsageError(f"--inter-threads must be at least 1, not {self.inter_threads}")
        if self.intra_threads < 0:
            raise UsageError(f"--intra-threads must be 0 or more, not {self.intra_threads}")
        if self.max_batch_tokens < 1:
            raise UsageError(f"max_batch_tokens must be at least 1, not {self.max_batch_tokens}")

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


class EngineKind(Protocol):
    """What each engine's module offers the registry."""

    def why_unavailable(self, source: str, target: str) -> str | None:
        """None when a `source`→`target` engine of this kind can be made here, else why
        not and how to fix it, in one line."""
        ...

    def create(
        self, source: str, target: str, options: ArgosOptions, *, skip_unusable: bool
    ) -> TranslationEngine | None:
        """The engine, once `why_unavailable` said yes. With `skip_unusable`, one that does
        not load is passed over with a warning (None if none is left); else it raises."""
        ...


def engine_kind(name: str) -> EngineKind:
    """The module of engine `name`, imported on first use (native libraries: start-up)."""
    return cast(EngineKind, importlib.import_module(ENGINES[name]))


def select_engine(
    choice: str, source: str, target: str, options: ArgosOptions | None = None
) -> TranslationEngine | None:
    """The engine for `choice`: `auto` takes the first kind in `ENGINES` that can run here
    (an Argos package that does not load is skipped with a warning), else None (sentences
    stay pending). An engine asked for by name that cannot run raises, saying why."""
    if choice not in ENGINE_CHOICES:
        raise UsageError(f"unknown engine {choice!r}; choose one of {', '.join(ENGINE_CHOICES)}")
    auto = choice == "auto"
    for name in ENGINES if auto else (choice,):
        kind = engine_kind(name)
        reason = kind.why_unavailable(source, target)
        if reason is None:
            engine = kind.create(source, target, options or ArgosOptions(), skip_unusable=auto)
            if engine is not None:
                return engine
        elif not auto:
            raise EngineUnavailable(reason)
    return None
