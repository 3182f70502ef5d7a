"""Per-run overhead of `bilingual run` on the seed: against the server of `bilingual server
start` (its start, the first run after it, later runs, a run with nothing new), and with
Prefect's temporary per-process server. Prints wall time and the CPU time of the command
(user + system, less sensitive to other load on the machine); medians of `--repeat`.

    uv run python benchmarks/overhead.py [--repeat 3] [--no-temporary]

The server runs under a private data dir and port, so a server of yours is left alone.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of `python -m flows.cli ARGS`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], env=env, check=True, capture_output=True
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_seeds(env: dict[str, str], out: str | None = None) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as fresh:
        return timed(["run", str(ROOT / "seeds"), "--out", out or fresh, "--no-progress"], env)


def import_time() -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import flows.pipeline"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - t0, cpu


def median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def line(label: str, figures: tuple[float, float]) -> None:
    print(f"{label:<46} {figures[0]:6.2f} s wall  {figures[1]:6.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-temporary", action="store_true", help="skip the runs on a temporary server"
    )
    args = parser.parse_args()
    from flows.orchestration.local_server import free_port

    base = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    line("import flows.pipeline", median([import_time() for _ in range(args.repeat)]))
    with tempfile.TemporaryDirectory() as data_home, tempfile.TemporaryDirectory() as root:
        env = {**base, "XDG_DATA_HOME": data_home}
        line(
            "bilingual server start (new database)",
            timed(["server", "start", "--port", str(free_port())], env),
        )
        try:
            line("bilingual run seeds, first run on the server", run_seeds(env))
            line(
                "bilingual run seeds, later runs (median)",
                median([run_seeds(env) for _ in range(args.repeat)]),
            )
            run_seeds(env, root)
            line(
                "bilingual run seeds, nothing new (median)",
                median([run_seeds(env, root) for _ in range(args.repeat)]),
            )
        finally:
            timed(["server", "stop"], env)
    if not args.no_temporary:
        with tempfile.TemporaryDirectory() as no_server:
            env = {**base, "XDG_DATA_HOME": no_server}
            line(
                "bilingual run seeds, temporary server (median)",
                median([run_seeds(env) for _ in range(args.repeat)]),
            )


if __name__ == "__main__":
    main()
