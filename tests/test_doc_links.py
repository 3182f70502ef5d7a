"""Every link in README.md and docs/*.md resolves: relative links name a file that exists,
`#anchors` a heading of the file they point into (GitHub's slugs), images exist, and every
repository path or `flows.` module named in code resolves too. External links are listed
and checked for form only: nothing here touches the network."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_SRC = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
# a repository path in code (`flows/detect.py`, `benchmarks/scale.py`, `docs/`) or a module
REPO_PATH = re.compile(r"(?<![\w./-])((?:flows|benchmarks|tests|docs|seeds|\.ci)/[\w./-]*)")
MODULE = re.compile(r"(?<![\w./-])(flows(?:\.\w+)+)")


def prose(text: str) -> str:
    """The text without fenced code blocks (a `# comment` in one is no heading)."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: links and code marks dropped, lower case, everything but
    letters, digits, `_`, `-` and spaces removed, spaces as `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub gives the headings of `path` (a repeated slug gets -1, -2, …)."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _, title in HEADING.findall(prose(path.read_text(encoding="utf-8"))):
        base = slug(title)
        n = counts.get(base, 0)
        counts[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[tuple[bool, str]]:
    """(is an image, target) of every Markdown link and image in `path`, outside code."""
    text = INLINE_CODE.sub("", prose(path.read_text(encoding="utf-8")))
    found = [(bang == "!", target) for bang, _, target in LINK.findall(text)]
    return found + [(False, target) for target in HTML_SRC.findall(text)]


def code_spans(path: Path) -> list[str]:
    return [code for _, code in INLINE_CODE.findall(prose(path.read_text(encoding="utf-8")))]


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE))


def malformed_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"{url}: not an http(s) link"
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?", parts.netloc, re.IGNORECASE):
        return f"{url}: no host name"
    if re.search(r"\s", url):
        return f"{url}: has whitespace"
    return None


def broken_links(path: Path, root: Path) -> list[str]:
    """What is wrong with the links of `path`, one line each (nothing: all resolve)."""
    problems = []
    for image, target in links(path):
        where = f"{path.relative_to(root)}: ({target})"
        if not target:
            problems.append(f"{where} is empty")
            continue
        if is_external(target):
            if error := malformed_url(target):
                problems.append(f"{where} {error}")
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            problems.append(f"{where} names no file")
        elif image and not dest.is_file():
            problems.append(f"{where} is no image file")
        elif anchor and not (dest.is_file() and dest.suffix == ".md"):
            problems.append(f"{where} has an anchor into a file without headings")
        elif anchor and anchor not in anchors(dest):
            problems.append(f"{where} names no heading of {dest.name}")
    return problems


def broken_names(path: Path, root: Path) -> list[str]:
    """Repository paths and `flows.` modules named in the code spans of `path` that do not
    exist. Generated folders (`benchmarks/.cache/`) are left out."""
    problems = []
    for code in code_spans(path):
        for name in REPO_PATH.findall(code):
            if ".cache" not in name and not (root / name).exists():
                problems.append(f"{path.relative_to(root)}: `{name}` does not exist")
        for name in MODULE.findall(code):
            if not resolves(name):
                problems.append(f"{path.relative_to(root)}: `{name}` does not import")
    return problems


def resolves(dotted: str) -> bool:
    """`flows.a.b` is a module, or a module's attribute (`flows.detect.WORDS`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def external_links(paths: Iterable[Path]) -> list[str]:
    return sorted({t for p in paths for _, t in links(p) if is_external(t)})


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_link_resolves(path: Path) -> None:
    problems = broken_links(path, ROOT)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_path_and_module_named_exists(path: Path) -> None:
    problems = broken_names(path, ROOT)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("url", external_links(DOCS))
def test_external_links_are_well_formed(url: str) -> None:
    """Listed (`pytest -v` shows each), checked for form, never fetched."""
    assert malformed_url(url) is None


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {
        (ROOT / t.partition("#")[0]).resolve()
        for _, t in links(ROOT / "README.md")
        if not is_external(t)
    }
    assert [p.name for p in DOCS[1:] if p.resolve() not in linked] == []


def test_the_checks_fail_on_what_they_look_for(tmp_path: Path) -> None:
    """A check that cannot fail checks nothing: one page with one of each fault."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n\n## A `code` heading…\n")
    (tmp_path / "pic.png").write_bytes(b"")
    page = tmp_path / "README.md"
    page.write_text(
        "# Page\n\n"
        "[fine](docs/there.md#a-code-heading) [self](#page) ![fine](pic.png)\n"
        "[gone](docs/missing.md) [bad anchor](docs/there.md#nowhere) [self](#nowhere)\n"
        "![no image](missing.png) [no host](https:///x) [bad](ftp://example.org/x)\n"
        "`flows/no_such_module.py` `flows.no_such_module` `flows.cli.no_such_name`\n"
        "```sh\n# not a heading\n[not a link](nowhere.md)\n```\n"
        "`[not a link either](nowhere.md)`\n"
    )
    assert broken_links(page, tmp_path) == [
        "README.md: (docs/missing.md) names no file",
        "README.md: (docs/there.md#nowhere) names no heading of there.md",
        "README.md: (#nowhere) names no heading of README.md",
        "README.md: (missing.png) names no file",
        "README.md: (https:///x) https:///x: no host name",
        "README.md: (ftp://example.org/x) ftp://example.org/x: not an http(s) link",
    ]
    assert broken_names(page, tmp_path) == [
        "README.md: `flows/no_such_module.py` does not exist",
        "README.md: `flows.no_such_module` does not import",
        "README.md: `flows.cli.no_such_name` does not import",
    ]
    assert anchors(page) == {"page"}
