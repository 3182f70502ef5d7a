"""The README against the code, as sqlite-utils checks its docs against its commands: a
column or a command-line flag added without the README fails here."""

from __future__ import annotations

import re

import click
import pytest

from flows.cli import main
from flows.store.datasets import SCHEMAS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def split_top_level(text: str) -> list[str]:
    """Split at commas outside (), <> and []."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += (char in "(<[" and 1) or 0
        depth -= (char in ")>]" and 1) or 0
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*parts, "".join(current)]


def documented_columns() -> dict[str, list[str]]:
    """`dataset → [column, …]` from the README's dataset table (types and notes in
    parentheses dropped)."""
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| (.+) \|$", README, re.MULTILINE)
    return {
        name: [part.strip().split(" ")[0] for part in split_top_level(cols.replace("\\|", "/"))]
        for name, cols in rows
        if name in SCHEMAS
    }


@pytest.mark.parametrize("dataset", sorted(SCHEMAS))
def test_readme_lists_every_column_of_every_dataset_in_order(dataset: str) -> None:
    columns = documented_columns().get(dataset)
    assert columns is not None, f"README has no row for `{dataset}` in its dataset table"
    # `run_date` comes from the partition path: listed, but not stored in the files
    assert "run_date" in columns
    assert [c for c in columns if c != "run_date"] == SCHEMAS[dataset].names


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{path} "))
    return found


def test_readme_documents_quiet_and_verbose_once_for_every_command() -> None:
    intro = README[README.index("## Commands") : README.index("### `bilingual run")]
    assert "`-q/--quiet`" in intro and "`-v/--verbose`" in intro
    for path, command in commands(main):
        assert {"quiet", "verbose"} <= {p.name for p in command.params}, path


def readme_section(top: str) -> str:
    """The README text under the `### \\`bilingual <top>…` heading, up to the next heading."""
    match = re.search(
        rf"^### `bilingual {re.escape(top)}\b.*?$(.*?)(?=^##)", README, re.MULTILINE | re.DOTALL
    )
    assert match, f"README has no `### \\`bilingual {top}` section"
    return match.group(0)


@pytest.mark.parametrize(("path", "command"), commands(main), ids=lambda v: str(v))
def test_readme_documents_every_command_and_flag(path: str, command: click.Command) -> None:
    section = readme_section(path.split(" ")[0])
    assert f"bilingual {path}" in section or path.split(" ")[-1] in section
    for param in command.params:
        # -q/-v are on every command, documented once above the commands
        if isinstance(param, click.Option) and param.name not in ("help", "quiet", "verbose"):
            for flag in [*param.opts, *param.secondary_opts]:
                if flag.startswith("--"):
                    assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", section), (
                        f"`bilingual {path} {flag}` is not in the README"
                    )
