"""Per-run overhead of `bilingual run` on the seed: with Prefect's temporary per-process
server, and against an already running local server. Prints medians of wall time.

    uv run python benchmarks/overhead.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "run",
                str(ROOT / "seeds"),
                "--out",
                out,
                "--no-progress",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - t0


def import_time() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import flows.pipeline"], check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from flows.runner import prefect_server

    base = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    imports = statistics.median(import_time() for _ in range(args.repeat))
    temporary = statistics.median(one_run(base) for _ in range(args.repeat))
    with prefect_server() as api_url:
        running = statistics.median(
            one_run({**base, "PREFECT_API_URL": api_url}) for _ in range(args.repeat)
        )
    print(f"import flows.pipeline                  median {imports:6.2f} s")
    print(f"bilingual run seeds, temporary server  median {temporary:6.2f} s")
    print(f"bilingual run seeds, running server    median {running:6.2f} s")
    print(f"temporary server costs                        {temporary - running:6.2f} s per run")


if __name__ == "__main__":
    main()
