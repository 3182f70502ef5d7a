"""`--workers 1`, `--workers 2` and `--task-runner dask` on the same input, end to end; and
`apart`: `--dask-address` against a cluster started apart (`dask scheduler` and two
`dask worker` processes of one thread on 127.0.0.1), whose CPU is not the command's: its CPU
is then the driver's own, the ceiling of articles a second one flow process can commit.

Builds N articles with `../shared/eval/tools/make_layouts.py` (the cache of
`benchmarks/scale.py`), starts one local Prefect server (private data dir and port), then runs
`bilingual run` once per runner per round, the runners interleaved within each round so that
a change in the machine's load falls on all of them alike. Prints, per runner, the median wall
time, the flow's own time (its `runs` row), the CPU time of the command and its children, and
the peak RSS of its largest process; then the speed-up of two workers over one and of Dask
against the default runner; and checks that every run wrote the same rows (each dataset's
rows hashed, `run_id` and times left out).

    uv run python benchmarks/runners.py [--n 5000] [--rounds 3] [--runners w1 w2 dask apart]
        [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

from scale import ROOT, corpus, last_run_seconds, local_server

RUNNERS = {
    "w1": ["--workers", "1"],
    "w2": ["--workers", "2"],
    "dask": ["--task-runner", "dask"],
    "apart": ["--task-runner", "dask", "--dask-address"],  # + the cluster's address
}


@contextmanager
def cluster_apart(work: Path, env: dict[str, str]) -> Iterator[str]:
    """`dask scheduler` and two one-thread `dask worker` processes on 127.0.0.1, as a user
    starts them on other machines; yields the scheduler's address; all killed at the end."""
    from distributed import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    commands = [[dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]]
    worker = [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard"]
    commands += [[*worker, "--local-directory", str(work / f"dask-worker-{i}")] for i in range(2)]
    quiet = subprocess.DEVNULL
    groups = [
        subprocess.Popen(c, env=env, stdout=quiet, stderr=quiet, start_new_session=True)
        for c in commands
    ]
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for group in groups:
            with suppress(ProcessLookupError):
                os.killpg(group.pid, signal.SIGKILL)
            group.wait()


def run(articles: Path, out: Path, options: list[str], env: dict[str, str]) -> dict[str, float]:
    """One `bilingual run` into the fresh root `out`: wall, the flow's seconds, CPU seconds
    of the command and the children it waited for, and the peak RSS of the largest of them
    (the flow's process: workers hold one batch)."""
    command = [sys.executable, "-m", "flows.cli", "run", str(articles), "--out", str(out)]
    command += ["--engine", "apertium", "--no-progress", *options]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"failed: {' '.join(command)}\n{err.read().decode()}")
    return {
        "wall_s": wall,
        "flow_s": last_run_seconds(out),
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def rows_digest(out: Path) -> str:
    """One hash of every committed row of the datasets a run's documents make (`runs` is
    one row of times and counts), `run_id` left out."""
    from flows.store import datasets

    h = hashlib.sha256()
    for name in sorted(set(datasets.DATASETS) - {"runs"}):
        table = datasets.read_dataset(out, name)
        keep = [c for c in table.column_names if c != "run_id"]
        rows = sorted(
            json.dumps(r, sort_keys=True, default=str) for r in table.select(keep).to_pylist()
        )
        h.update(name.encode())
        for row in rows:
            h.update(row.encode())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11, help="make_layouts seed")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runners", nargs="+", choices=list(RUNNERS), default=list(RUNNERS))
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    args = parser.parse_args()
    runners = {name: list(RUNNERS[name]) for name in args.runners}
    articles = corpus(args.n, args.seed)
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in args.runners}
    digests: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="bilingual-runners-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(XDG_DATA_HOME=str(work / "data"), PYTHONPATH=str(ROOT))
        apart = cluster_apart(work, env) if "apart" in runners else nullcontext(None)
        with local_server(env), apart as address:
            if address is not None:
                runners["apart"].append(address)
            for round_ in range(args.rounds):
                for name in args.runners:
                    out = work / f"{name}-{round_}"
                    figures[name].append(run(articles, out, runners[name], env))
                    digests.add(rows_digest(out))
                    print(f"round {round_ + 1} {name}: {figures[name][-1]}", file=sys.stderr)
    medians = {
        name: {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
        for name, runs in figures.items()
    }
    ratios = {}
    if {"w1", "w2"} <= medians.keys():
        ratios["w2_speedup_over_w1"] = round(medians["w1"]["wall_s"] / medians["w2"]["wall_s"], 3)
    if {"w2", "dask"} <= medians.keys():
        ratios["dask_wall_over_w2"] = round(medians["dask"]["wall_s"] / medians["w2"]["wall_s"], 3)
    if {"w1", "dask"} <= medians.keys():
        ratios["dask_cpu_over_w1"] = round(medians["dask"]["cpu_s"] / medians["w1"]["cpu_s"], 3)
    if "apart" in medians:
        per_article = medians["apart"]["cpu_s"] / args.n
        ratios["driver_cpu_ms_per_article"] = round(1000 * per_article, 3)
        ratios["driver_ceiling_articles_per_s"] = round(1 / per_article, 1)
    result = {
        "n": args.n,
        "rounds": args.rounds,
        "medians": medians,
        **ratios,
        "same_rows": len(digests) == 1,
        "load_average": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.n:,} articles, Apertium, medians of {args.rounds} interleaved rounds")
    for name, m in medians.items():
        print(
            f"  {name:<5} {' '.join(RUNNERS[name]):<34} {m['wall_s']:7.1f} s wall  "
            f"flow {m['flow_s']:6.1f} s  CPU {m['cpu_s']:6.1f} s  "
            f"peak RSS {m['peak_rss_mb']:5.0f} MB"
        )
    for key, value in ratios.items():
        unit = "" if key.startswith("driver") else "×"
        print(f"  {key.replace('_', ' ')}: {value:.2f}{unit}")
    print(f"  the same rows from every run: {'yes' if result['same_rows'] else 'NO'}")


if __name__ == "__main__":
    main()
