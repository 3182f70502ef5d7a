"""What a run is asked to do, in one place: the command line builds it, the runner checks it
and hands it to the flow as parameters (a scheduled deployment stores the same ones)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from flows.translate import ArgosOptions


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
    progress: bool = False
    argos: ArgosOptions = field(default_factory=ArgosOptions)

    def flow_parameters(self) -> dict[str, Any]:
        """Keyword arguments of `bilingual_flow`: plain JSON-friendly values."""
        params = asdict(self)
        params["paths"] = list(self.paths)
        params["argos_options"] = params.pop("argos")
        return params

    def schedule_parameters(self) -> dict[str, Any]:
        """The parameters a scheduled run is started with: its own day, no progress bar."""
        params = self.flow_parameters()
        del params["run_date"], params["progress"], params["force"]
        return params
