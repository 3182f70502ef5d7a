"""What a run is asked to do, in one place: the command line builds it (its defaults are the
command line's), the runner hands it to the flow as parameters, and a scheduled deployment
stores the same ones. Validation lives here, so that the command line and a deployment
refuse the same things with the same message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from flows.engines import ENGINE_CHOICES, ArgosOptions
from flows.errors import UsageError
from flows.translation.align import SCOPES

# A run reads, processes and stages its inputs one window of this many files at a time
# (bounded memory; rows do not depend on it).
DOCUMENTS_PER_WINDOW = 1000


@dataclass(frozen=True)
class RunSettings:
    """The flow's parameters. `run_date` None means the day the run starts."""

    paths: tuple[str, ...] = ("seeds",)
    out: str = "outputs"
    run_date: date | None = None
    engine: str = "auto"
    scope: str = "tweets"
    source_lang: str = "es"
    target_lang: str = "en"
    force: bool = False
    follow_symlinks: bool = False
    progress: bool = False
    workers: int | None = None  # segmentation+detection processes; None: one per core
    # The scheduler of a Dask cluster that analyses and translates (None: this machine).
    dask_address: str | None = None
    window: int = DOCUMENTS_PER_WINDOW
    argos: ArgosOptions = field(default_factory=ArgosOptions)
    # The fields of a row file's records (JSONL, JSON, CSV, Parquet) an article is read from;
    # None tries the usual names in order (`flows.readers.rows.TEXT_FIELDS`, `TITLE_FIELDS`,
    # `ID_FIELDS`).
    text_field: str | None = None
    title_field: str | None = None
    id_field: str | None = None

    def __post_init__(self) -> None:
        if not self.paths:
            raise UsageError("no input paths given")
        if self.engine not in ENGINE_CHOICES:
            choices = ", ".join(ENGINE_CHOICES)
            raise UsageError(f"unknown engine {self.engine!r}; choose one of {choices}")
        if self.scope not in SCOPES:
            raise UsageError(f"unknown scope {self.scope!r}; choose one of {', '.join(SCOPES)}")
        for option, lang in (
            ("--source-lang", self.source_lang),
            ("--target-lang", self.target_lang),
        ):
            if not lang.strip():
                raise UsageError(f"{option} needs a language code, not an empty string")
        if self.window < 1:
            raise UsageError(f"window must be at least 1 document, not {self.window}")
        if self.workers is not None and self.workers < 1:
            raise UsageError(f"--workers must be at least 1, not {self.workers}")
        self._check_record_fields()

    def _check_record_fields(self) -> None:
        for option, value in (
            ("--text-field", self.text_field),
            ("--title-field", self.title_field),
            ("--id-field", self.id_field),
        ):
            if value is not None and not value.strip():
                raise UsageError(f"{option} needs a field name, not an empty string")
        named = [v for v in (self.text_field, self.title_field, self.id_field) if v]
        if len(set(named)) < len(named):
            raise UsageError(
                "--text-field, --title-field and --id-field must name different fields"
            )

    @classmethod
    def from_flow_parameters(cls, **params: Any) -> RunSettings:
        """The settings a flow was started with (`flow_parameters`' inverse), checked."""
        argos = ArgosOptions.from_dict(params.pop("argos_options", None))
        return cls(paths=tuple(params.pop("paths")), argos=argos, **params)

    def flow_parameters(self) -> dict[str, Any]:
        """Keyword arguments of `bilingual_flow`: plain values (lists, dicts, a date)."""
        params = asdict(self)
        params["paths"] = list(self.paths)
        params["argos_options"] = params.pop("argos")
        return params

    def schedule_parameters(self) -> dict[str, Any]:
        """The JSON parameters a scheduled run is started with: its own day, no progress bar,
        no --force, and the Argos options the flow works out on the machine it runs on."""
        params = self.flow_parameters()
        for one_off in ("run_date", "progress", "force", "argos_options"):
            del params[one_off]
        return params


# What a run does unless told otherwise: the command line's defaults and the flow's.
DEFAULTS = RunSettings()
