"""The README against the code, as sqlite-utils checks its docs against its commands: a
column or a command-line flag added without the README fails here. Its examples run as
written: the example article, and every SQL query of the README and docs/ run the way the
README says to run them, on an output root made by `bilingual run`."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.store.datasets import SCHEMAS
from tests.conftest import ROOT, SEED

README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCED = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)

needs_apertium = pytest.mark.skipif(
    not (shutil.which("apertium") and Path("/usr/share/apertium/modes/spa-eng.mode").exists()),
    reason="apertium-eng-spa is not installed (make test installs it)",
)


def split_top_level(text: str) -> list[str]:
    """Split at commas outside (), <> and []."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
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


def blocks(text: str, language: str) -> list[str]:
    return [body for lang, body in FENCED.findall(text) if lang == language]


def duckdb_code() -> str:
    """The Python code of the README's command for a query: `uv run --with duckdb python -c
    CODE < query.sql`."""
    [line] = [line for b in blocks(README, "sh") for line in b.splitlines() if "duckdb" in line]
    argv = shlex.split(line)
    assert argv[:6] == ["uv", "run", "--with", "duckdb", "python", "-c"], line
    assert argv[7:] == ["<", "query.sql"], line
    return argv[6]


QUERIES = [
    pytest.param(sql, id=f"{page.name}-{n}")
    for page in PAGES
    for n, sql in enumerate(blocks(page.read_text(encoding="utf-8"), "sql"), start=1)
]


@pytest.fixture(scope="module")
def folder(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `outputs/`, written by `bilingual run` from the seed, the README's
    example article and an empty file (a reject), on 2026-01-02."""
    [article] = blocks(README, "text")
    here = tmp_path_factory.mktemp("readme")
    (here / "in").mkdir()
    shutil.copy(SEED, here / "in" / SEED.name)
    (here / "in" / "example.txt").write_text(article, encoding="utf-8")
    (here / "in" / "empty.txt").write_text("", encoding="utf-8")
    args = ["run", str(here / "in"), "--out", str(here / "outputs"), "--engine", "apertium"]
    result = CliRunner().invoke(main, [*args, "--run-date", "2026-01-02"])
    assert result.exit_code == 0, result.output
    return here


@needs_apertium
def test_the_readme_example_article_reads_as_it_says(folder: Path) -> None:
    """Title line, blank line, body; the tweet's attribution is its metadata, not its text."""
    segments = duckdb.execute(
        f"SELECT s.kind, s.lang, s.author_handle, s.posted_on, s.text "
        f"FROM '{folder}/outputs/segments/*/*.parquet' s "
        f"JOIN '{folder}/outputs/documents/*/*.parquet' d USING (doc_id) "
        "WHERE d.source_path LIKE '%example.txt' ORDER BY s.ordinal"
    ).fetchall()
    assert [kind for kind, *_ in segments] == [
        "title",
        "paragraph",
        "paragraph",
        "tweet",
        "paragraph",
    ]
    [(_, lang, handle, posted_on, text)] = [s for s in segments if s[0] == "tweet"]
    assert (lang, handle, str(posted_on)) == ("es", "m_ebrard", "2023-04-13")
    assert text.startswith("Hoy acordamos") and "@m_ebrard" not in text


@needs_apertium
@pytest.mark.parametrize("sql", QUERIES)
def test_every_query_runs_as_the_readme_says(folder: Path, sql: str) -> None:
    """Each query, fed to the README's command (this interpreter in place of `uv run --with
    duckdb python`) in the folder that holds `outputs/`, prints a table with rows."""
    done = subprocess.run(
        [sys.executable, "-c", duckdb_code()],
        input=sql,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "├" in done.stdout and "0 rows" not in done.stdout, done.stdout


def module_tree() -> set[str]:
    """The `.py` paths of the module tree under `## Modules` in docs/design.md."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text[text.index("## Modules") :]
    [tree] = [b for b in blocks(section[: section.index("\n## ", 1)], "")]
    stack: list[str] = []
    listed = set()
    for line in tree.splitlines()[1:]:  # under `flows/`
        branch = line.find("── ")
        if branch < 0:
            continue
        depth, name = branch // 4, line[branch + 3 :].split()[0]
        stack[depth:] = [name.rstrip("/")]
        if name.endswith(".py"):
            listed.add("/".join(stack))
    return listed


def test_the_design_module_tree_lists_every_module() -> None:
    modules = {
        p.relative_to(ROOT / "flows").as_posix()
        for p in (ROOT / "flows").rglob("*.py")
        if p.name != "__init__.py"
    }
    assert sorted(module_tree()) == sorted(modules)
