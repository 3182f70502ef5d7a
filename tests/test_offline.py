"""Offline by construction: a full run inside a network namespace that has nothing but
loopback, and an environment without torch, stanza, spaCy or MiniSBD."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

from tests.conftest import SEED


def _can_unshare() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs root, unshare and ip (CI installs them)")
def test_full_run_in_a_namespace_with_only_loopback(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    command = (
        f"ip link set lo up && {sys.executable} -m flows.cli run {inputs} --out {out} --no-progress"
    )
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**_env_without_api_url(), "PREFECT_HOME": str(tmp_path / "ph")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "│ Spanish tweets" in done.stdout
    assert list((out / "sentence_pairs").glob("run_date=*/part-*.parquet"))
    assert list((out / "runs").glob("run_date=*/part-*.parquet"))


def _env_without_api_url() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}


@pytest.mark.parametrize("name", ["torch", "stanza", "spacy", "minisbd"])
def test_heavy_or_agpl_packages_are_not_installed(name: str) -> None:
    with pytest.raises(PackageNotFoundError):
        distribution(name)


def test_importing_and_running_the_stages_imports_no_torch() -> None:
    code = (
        "import sys\n"
        "import flows.pipeline, flows.cli, flows.engines.argos, flows.engines.argos_packages\n"
        "from flows.engines import select_engine\n"
        "select_engine('auto', 'es', 'en')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'torch', 'stanza', 'spacy', 'minisbd'} or m == 'argostranslate.translate')\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
