"""The same articles as `.txt` files and as one JSONL file: peak RSS and articles/s of
`bilingual run` on each (issue 23, acceptance 2: the JSONL run's peak RSS at most 1.25× the
`.txt` run's, its articles/s within 10%). N articles are generated with
`../shared/eval/tools/make_layouts.py` and written as JSONL by `layouts_as_rows.py`; each run
goes into an empty output root, under a local Prefect server started once (so Prefect's own
start-up is left out of both), with the same engine.

    flock /tmp/bench.lock uv run python benchmarks/rows_scale.py --n 20000 [--engine apertium]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

from benchmarks.layouts_as_rows import write_rows  # noqa: E402
from benchmarks.scale import flow_run, local_server  # noqa: E402


def corpus(n: int, seed: int, dest: Path) -> Path:
    articles = dest / "articles"
    if not articles.is_dir():
        subprocess.run(
            [
                sys.executable,
                str(EVAL / "tools" / "make_layouts.py"),
                "--n",
                str(n),
                "--seed",
                str(seed),
                "--tweets",
                str(EVAL / "tweetlid2014" / "tweets.tsv"),
                "--dest",
                str(dest),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--engine", default="apertium", choices=["apertium", "argos", "auto"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rows-scale-") as tmp:
        work = Path(tmp)
        articles = corpus(args.n, args.seed, work / "corpus")
        (jsonl,) = [p for p in write_rows(articles, work / "rows") if p.suffix == ".jsonl"]
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(XDG_DATA_HOME=str(work / "data"), PYTHONPATH=str(ROOT))  # a private server
        with local_server(env) as server_start_s:
            results = {
                kind: flow_run(path, work / f"out-{kind}", args.engine, env)
                for kind, path in (("txt", articles), ("jsonl", jsonl))
            }
    print(f"local Prefect server start: {server_start_s:.1f} s (not in the figures below)")
    print(f"{args.n} articles, engine {args.engine}")
    print(f"{'input':6} {'wall s':>8} {'flow s':>8} {'art/s':>7} {'peak RSS MB':>12}")
    for kind, r in results.items():
        rate = args.n / r["flow_s"]
        print(
            f"{kind:6} {r['wall_s']:>8.1f} {r['flow_s']:>8.1f} {rate:>7.1f} "
            f"{r['peak_rss_mb']:>12.0f}"
        )
    txt, rows = results["txt"], results["jsonl"]
    rss = rows["peak_rss_mb"] / txt["peak_rss_mb"]
    speed = txt["flow_s"] / rows["flow_s"]
    print(f"JSONL/txt: peak RSS ×{rss:.2f} (limit 1.25), articles/s ×{speed:.2f} (limit 0.90)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
