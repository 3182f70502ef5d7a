"""Run settings: one object from the command line to the flow's parameters."""

from __future__ import annotations

import inspect
import json
from datetime import date

from flows.engines import ArgosOptions
from flows.settings import RunSettings


def test_run_settings_are_exactly_the_flow_parameters() -> None:
    from flows.pipeline import bilingual_flow

    flow_parameters = set(inspect.signature(bilingual_flow.fn).parameters)
    assert set(RunSettings().flow_parameters()) == flow_parameters


def test_argos_options_reach_the_flow_as_a_dict_it_reads_back() -> None:
    options = ArgosOptions(beam_size=2, compute_type="float32", inter_threads=3, intra_threads=0)
    params = RunSettings(paths=("a", "b"), argos=options).flow_parameters()
    assert params["paths"] == ["a", "b"]
    assert ArgosOptions.from_dict(params["argos_options"]) == options


def test_a_schedule_stores_json_and_no_one_off_choices() -> None:
    settings = RunSettings(run_date=date(2026, 1, 2), force=True, progress=True, engine="apertium")
    params = settings.schedule_parameters()
    assert json.loads(json.dumps(params)) == params
    assert {"run_date", "force", "progress", "argos_options"}.isdisjoint(params)
    assert params["engine"] == "apertium" and params["scope"] == "tweets"
