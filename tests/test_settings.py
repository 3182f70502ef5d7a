"""Run settings: one object from the command line to the flow's parameters."""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import fields
from datetime import date

import click
import pytest

from flows.engines import ArgosOptions
from flows.errors import UsageError
from flows.settings import DEFAULTS, RunSettings


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


def _options(command_name: str) -> dict[str, click.Parameter]:
    from flows.cli import main

    command = main.commands[command_name]
    return {p.name: p for p in command.params if p.name}


@pytest.mark.parametrize("command", ["run", "serve"])
def test_the_command_lines_defaults_are_the_settings_defaults(command: str) -> None:
    """`run` and `serve` share one definition of their options, whose defaults are
    `RunSettings`' (and `ArgosOptions`'): compared by value, not only by name."""
    options = _options(command)
    compared = 0
    for name, option in options.items():
        if name in {f.name for f in fields(ArgosOptions)}:
            assert option.default == getattr(ArgosOptions(), name), name
            compared += 1
        # paths: an argument; run_date: today; progress: on in a terminal (decided at run time)
        elif name in {f.name for f in fields(RunSettings)} - {"paths", "run_date", "progress"}:
            assert option.default == getattr(DEFAULTS, name), name
            compared += 1
    shared = {"out", "engine", "scope", "source_lang", "target_lang", "workers", "follow_symlinks"}
    assert shared <= set(options)
    assert compared >= len(shared) + 3  # the record fields too


def test_run_and_serve_declare_their_shared_options_once() -> None:
    run, serve = _options("run"), _options("serve")
    for name in ("out", "engine", "scope", "source_lang", "workers", "text_field"):
        assert run[name].opts == serve[name].opts
        assert run[name].help == serve[name].help


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "everything"}, "unknown scope 'everything'"),
        ({"engine": "google"}, "unknown engine 'google'"),
        ({"workers": 0}, "--workers must be at least 1, not 0"),
        ({"window": 0}, "window must be at least 1 document, not 0"),
        ({"source_lang": " "}, "--source-lang needs a language code"),
        ({"argos_options": {"beam_size": 0}}, "--beam-size must be 1 to 16, not 0"),
        ({"argos_options": {"compute_type": "int4"}}, "unknown --compute-type 'int4'"),
        ({"text_field": "body", "id_field": "body"}, "must name different fields"),
    ],
)
def test_a_deployments_parameters_are_refused_as_the_command_line_refuses_them(
    change: dict[str, object], message: str
) -> None:
    """The flow builds `RunSettings` from its parameters: a scheduled run started with
    parameters edited in Prefect's UI meets the same checks as `bilingual run`."""
    params = {**RunSettings(paths=("in",)).flow_parameters(), **change}
    with pytest.raises(UsageError, match=re.escape(message)):
        RunSettings.from_flow_parameters(**params)


def test_flow_parameters_read_back_into_the_same_settings() -> None:
    settings = RunSettings(paths=("a",), engine="apertium", workers=3, argos=ArgosOptions(4))
    assert RunSettings.from_flow_parameters(**settings.flow_parameters()) == settings
