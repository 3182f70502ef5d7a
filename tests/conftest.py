"""Shared fixtures. Argos Translate reads its folders from the environment when first
imported, so they point into a temporary folder before any test imports it."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

_ARGOS_HOME = Path(tempfile.mkdtemp(prefix="bilingual-tests-"))
for _name, _sub in {
    "ARGOS_PACKAGES_DIR": "argos-packages",
    "XDG_DATA_HOME": "xdg-data",
    "XDG_CONFIG_HOME": "xdg-config",
    "XDG_CACHE_HOME": "xdg-cache",
}.items():
    os.environ[_name] = str(_ARGOS_HOME / _sub)
    (_ARGOS_HOME / _sub).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_fb888b10f3d357a7.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = str(address[0]) if isinstance(address, tuple) and address else ""
    return host in ("localhost", "::1") or host.startswith("127.") or host == "0.0.0.0"


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse every connection that leaves the machine (loopback stays open for the local
    Prefect server). Returns the list of attempts, which a test can assert is empty."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            attempts.append(address)
            raise NetworkBlocked(f"network access attempted: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            attempts.append(address)
            raise NetworkBlocked(f"network access attempted: {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host not in (None, "localhost") and not _is_loopback((host,)):
            attempts.append(host)
            raise NetworkBlocked(f"name lookup attempted: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


@pytest.fixture(scope="module")
def argos_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private argostranslate home for one test module (packages, data, config, cache)."""
    from tests.support.tiny_argos import argos_env

    root = tmp_path_factory.mktemp("argos-home")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in argos_env(root).items():
            mp.setenv(key, value)
        yield root


@pytest.fixture(scope="module")
def package_file(argos_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight es→en `.argosmodel`, built once per test module."""
    from tests.support.tiny_argos import build_tiny_argosmodel

    return build_tiny_argosmodel(tmp_path_factory.mktemp("build"))


@pytest.fixture
def seed_text() -> str:
    from flows.readers.ingest import normalise

    return normalise(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_run(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Result]:
    """The seed article run once with Apertium, `--json` and the progress bar on: (output
    root, the command's result). Tests read it and must not change it."""
    import shutil

    from click.testing import CliRunner

    from flows.cli import main
    from flows.engines import apertium

    if not apertium.is_available("es", "en"):
        pytest.skip("apertium-eng-spa is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("seed-run")
    (root / "in").mkdir()
    shutil.copy(SEED, root / "in" / SEED.name)
    args = ["run", str(root / "in"), "--out", str(root / "out"), "--engine", "apertium"]
    result = CliRunner().invoke(
        main, [*args, "--run-date", "2026-01-02", "--json", "--progress"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return root / "out", result
