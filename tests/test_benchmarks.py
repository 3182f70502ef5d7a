"""The benchmarks run as the README gives them: as scripts, from a checkout with no cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

EVAL_DIR = ROOT.parent / "shared" / "eval"


@pytest.mark.skipif(not (EVAL_DIR / "parallel").is_dir(), reason="needs ../shared/eval/parallel")
def test_translation_benchmark_builds_its_model_in_a_clean_directory(tmp_path: Path) -> None:
    """`python benchmarks/translation.py` imports its helpers as a script (not through pytest's
    path), so a missing or shadowed import fails here as it would on a fresh checkout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "translation.py"),
            "--build-only",
            "--eval-dir",
            str(EVAL_DIR),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (package,) = (tmp_path / "cache").iterdir()
    build = json.loads((package / "build.json").read_text(encoding="utf-8"))
    assert (package / "model" / "model.bin").stat().st_size > 50_000_000
    assert (package / "sentencepiece.model").is_file()
    assert build["vocab_size"] > 20_000
