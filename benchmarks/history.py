"""Start-up with history: a run over 10 new articles into an output root that already holds
N articles of the same day, against the same run into an empty root.

Builds each root once (`bilingual run` over N articles from `benchmarks/scale.py`'s corpus,
`--workers 2`, one run date), then per round copies every root afresh (so the 10 articles
are new each time) and runs the 10 articles into the empty root and each root with
history, interleaved within the round, against one local Prefect server. Prints the median
wall time of each and its ratio to the empty root's.

    uv run python benchmarks/history.py [--n 5000 20000] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from scale import HISTORY_NEW, ROOT, child, corpus, local_server

RUN_DATE = "2026-01-02"


def run(articles: Path, out: Path, env: dict[str, str], *extra: str) -> float:
    """One `bilingual run` into `out` on `RUN_DATE`; its wall seconds."""
    command = [sys.executable, "-m", "flows.cli", "run", str(articles), "--out", str(out)]
    command += ["--engine", "apertium", "--no-progress", "--run-date", RUN_DATE, *extra]
    wall, _, _ = child(command, env)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, nargs="+", default=[5000, 20000], metavar="N")
    parser.add_argument("--seed", type=int, default=11, help="make_layouts seed")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    args = parser.parse_args()
    new = corpus(HISTORY_NEW, args.seed + 1)
    walls: dict[int, list[float]] = {n: [] for n in [0, *args.n]}
    with tempfile.TemporaryDirectory(prefix="bilingual-history-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(XDG_DATA_HOME=str(work / "data"), PYTHONPATH=str(ROOT))
        with local_server(env):
            built = {}
            for n in args.n:
                built[n] = work / f"history-{n}"
                run(corpus(n, args.seed), built[n], env, "--workers", "2")
            for round_ in range(args.rounds):
                for n in walls:
                    out = work / f"round-{round_}-{n}"
                    if n:
                        shutil.copytree(built[n], out)
                    walls[n].append(run(new, out, env))
                    shutil.rmtree(out)
                    print(f"round {round_ + 1} history {n}: {walls[n][-1]:.2f} s", file=sys.stderr)
    medians = {n: statistics.median(w) for n, w in walls.items()}
    result = {
        "new_articles": HISTORY_NEW,
        "rounds": args.rounds,
        "median_wall_s": {str(n): round(m, 2) for n, m in medians.items()},
        "ratio_to_empty": {str(n): round(medians[n] / medians[0], 3) for n in args.n},
        "load_average": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{HISTORY_NEW} new articles, medians of {args.rounds} interleaved rounds")
    for n, m in medians.items():
        ratio = f"  {m / medians[0]:.2f}× the empty root" if n else ""
        print(f"  into a root with {n:>6,} articles of the day: {m:6.2f} s wall{ratio}")


if __name__ == "__main__":
    main()
