"""The command line as a user meets it: one JSON object per line from `detect`, one-line
errors with exit status 1 from `models install --file`, and `show` before any run."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from tests.support.tiny_argos import build_tiny_argosmodel


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_detect_reads_lines_and_writes_json_lines(tmp_path: Path) -> None:
    texts = [
        "Resultados del diálogo sobre seguridad que tuvo lugar hoy en Washington",
        "The instruction we have is to identify what additional actions we can take",
        "https://t.co/abc 😀",
    ]
    source = tmp_path / "texts.txt"
    source.write_text("\n".join(texts) + "\n", encoding="utf-8")
    result = invoke("detect", str(source))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["lang"] for d in lines] == ["es", "en", "und"]
    assert lines[2]["reason"] == "no_text"
    assert set(lines[0]) == {"line", "lang", "confidence", "prob", "candidates", "reason"}
    assert [d["line"] for d in lines] == [1, 2, 3]
    assert lines[0]["reason"] == "model"
    assert invoke("detect", "-", stdin=source.read_text(encoding="utf-8")).output == result.output


def test_detect_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("Reunión en México\n".encode("latin-1"))
    result = invoke("detect", str(source))
    assert result.exit_code == 1
    assert result.stderr == f"error: {source}: not UTF-8 text (byte 5)\n"


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "packages"))
    return tmp_path / "packages"


def _not_a_zip(tmp: Path) -> Path:
    (tmp / "model.argosmodel").write_text("plain text, not a zip")
    return tmp / "model.argosmodel"


def _no_metadata(tmp: Path) -> Path:
    with zipfile.ZipFile(tmp / "model.argosmodel", "w") as zf:
        zf.writestr("translate-es_en/model/model.bin", b"0")
    return tmp / "model.argosmodel"


def _other_pair(tmp: Path) -> Path:
    return build_tiny_argosmodel(tmp / "build", source="en", target="es")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_a_zip, "not an Argos model package (not a zip archive)"),
        (_no_metadata, "no metadata.json in the archive"),
        (_other_pair, "package translates en→es, not es→en"),
    ],
    ids=["not-a-zip", "no-metadata", "other-pair"],
)
def test_models_install_file_refuses_in_one_line(
    make, message: str, tmp_path: Path, packages: Path
) -> None:
    path = make(tmp_path)
    result = invoke("models", "install", "--file", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not packages.exists() or not any(packages.iterdir())


def test_models_install_file_then_list(tmp_path: Path, packages: Path) -> None:
    path = build_tiny_argosmodel(tmp_path / "build")
    installed = invoke("models", "install", "--file", str(path))
    assert installed.exit_code == 0, installed.stderr
    assert installed.output.startswith("installed argos es→en 1.0 in ")
    listed = invoke("models", "list")
    assert listed.exit_code == 0
    assert any(line.startswith("argos     es→en  1.0") for line in listed.output.splitlines())


def test_show_before_any_run_says_what_to_do(tmp_path: Path) -> None:
    result = invoke("show", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path}: no sentence_pairs dataset here; run `bilingual run` first\n"
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["run", "--engine", "google"], "Invalid value for '--engine': 'google' is not one of"),
        (["run", "--scope", "everything"], "Invalid value for '--scope': 'everything'"),
        (["run", "--run-date", "2026-13-45"], "Invalid value for '--run-date': '2026-13-45'"),
        (["run", "--nonsense"], "No such option '--nonsense'."),
        (["frobnicate"], "No such command 'frobnicate'."),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], line: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {line}")
    assert result.stderr.count("\n") == 1 and "Usage:" not in result.stderr
