"""Throughput and memory at scale. For each N, builds N articles with
`../shared/eval/tools/make_layouts.py` (cached in `benchmarks/.cache/scale/`), then on the
same input:

- the real flow: `bilingual run` against a local Prefect server started once for the whole
  benchmark (`bilingual server start`, private data dir and port), so Prefect's start-up is
  measured apart from the run; wall time, the flow's own time (its `runs` row) and the peak
  RSS of the command;
- the bare stage functions, no Prefect, one process, in a child of this script: the same
  calls as the flow, timed per stage, and its peak RSS.

Detection is also timed apart, in a process of its own (`benchmarks/detect_speed.py`): the
detect stage as it was when issue 10 was filed against today's with its memos emptied, on the
same segmented articles (CPU seconds: the bare run's detect figure profits from what the
segmenter already judged).

Then the start-up with history: a run over 10 new articles into the output root of the
largest N (N articles already there) against the same run into an empty root.

    uv run python benchmarks/scale.py [--n 1000 5000 20000] [--engine apertium] [--json]

Prints one table per N, or with `--json` one line of JSON. Wall times on a shared machine
are noisy; the bare run's per-stage times are the steadier guide.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
MAKE_LAYOUTS = EVAL / "tools" / "make_layouts.py"
TWEETS = EVAL / "tweetlid2014" / "tweets.tsv"
CACHE = ROOT / "benchmarks" / ".cache" / "scale"
DEFAULT_NS = (1000, 5000, 20000)
HISTORY_NEW = 10
STAGES = ("ingest", "segment", "detect", "translate", "align", "write")


def corpus(n: int, seed: int) -> Path:
    """The folder of N generated articles (built once, then reused: same arguments, same
    bytes)."""
    dest = CACHE / f"n{n}-seed{seed}"
    articles = dest / "articles"
    if not (articles.is_dir() and len(list(articles.glob("*.txt"))) == n):
        options = {"--n": n, "--seed": seed, "--tweets": TWEETS, "--dest": dest}
        command = [sys.executable, str(MAKE_LAYOUTS)]
        command += [str(part) for pair in options.items() for part in pair]
        subprocess.run(command, check=True, capture_output=True)
    return articles


def child(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run `command`; its wall seconds, peak RSS in MB (of it and the children it waited
    for) and stdout. A failure stops the benchmark with the command's stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - t0
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{err.read().decode()}")
        return wall, usage.ru_maxrss / 1024, out.read().decode()


@contextmanager
def local_server(env: dict[str, str]) -> Iterator[float]:
    """`bilingual server start` under `env` (a private data dir); yields its start seconds."""
    from flows.orchestration.local_server import free_port

    cli = [sys.executable, "-m", "flows.cli", "server"]
    wall, _, _ = child([*cli, "start", "--port", str(free_port())], env)
    try:
        yield wall
    finally:
        subprocess.run([*cli, "stop"], env=env, check=True, capture_output=True)


def flow_run(articles: Path, out: Path, engine: str, env: dict[str, str]) -> dict[str, float]:
    """`bilingual run` over `articles` into `out`: wall, peak RSS, and the flow's own
    seconds from the run's `runs` row."""
    command = [sys.executable, "-m", "flows.cli", "run", str(articles), "--out", str(out)]
    wall, rss, _ = child([*command, "--engine", engine, "--no-progress"], env)
    return {"wall_s": wall, "flow_s": last_run_seconds(out), "peak_rss_mb": rss}


def last_run_seconds(out: Path) -> float:
    import pyarrow.compute as pc

    from flows.store import datasets

    runs = datasets.read_dataset(out, "runs", ["started_at", "finished_at"])
    last = runs.sort_by([("finished_at", "descending")]).slice(0, 1)
    took = pc.subtract(last.column("finished_at"), last.column("started_at"))[0]
    return took.as_py().total_seconds()


def bare_run(articles: Path, out: Path, engine: str, env: dict[str, str]) -> dict[str, Any]:
    """The stage functions without Prefect, in a child process: per-stage seconds and its
    peak RSS."""
    command = [sys.executable, str(Path(__file__).resolve()), "--bare", str(articles)]
    wall, rss, stdout = child([*command, "--out", str(out), "--engine", engine], env)
    return {**json.loads(stdout.splitlines()[-1]), "wall_s": wall, "peak_rss_mb": rss}


def bare(articles: Path, out: Path, engine: str) -> dict[str, Any]:
    """What the flow does (flows/pipeline.py), stage by stage in plain Python, one process,
    on an output root of its own; returns per-stage seconds (each with the imports its stage
    makes on first use, as in the flow) and counts."""
    import uuid
    from datetime import UTC, date, datetime
    from functools import partial

    from flows.engines import ArgosOptions, select_engine
    from flows.language.detection import detect_document
    from flows.orchestration import plan
    from flows.records import ProcessedDocument
    from flows.segmentation.segment import segment
    from flows.store import datasets
    from flows.translation.batch import engine_info, translate_texts

    seconds: dict[str, float] = {}

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        yield
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t0

    scope, source, target, options = "tweets", "es", "en", ArgosOptions()
    run_id, run_date, started_at = str(uuid.uuid4()), date.today(), datetime.now(UTC)
    with stage("ingest"):
        datasets.remove_uncommitted(out)
        intake = plan.intake_of(out, [str(articles)])
    with stage("segment"):
        segmented = [ProcessedDocument(a, segment(a)) for a in intake.articles]
    with stage("detect"):
        docs = [detect_document(d) for d in segmented]
    digest = decisions_digest(docs)
    with stage("translate"):
        chosen = select_engine(engine, source, target, options)
        info = engine_info(chosen) if chosen else None
        todo = plan.plan_translation(
            docs, scope, source, info, partial(datasets.translation_cache, out)
        )
        name = info.name if info else engine
        sent = (
            [translate_texts(name, source, target, todo.to_send, options)] if todo.to_send else []
        )
        done = plan.gather(todo, sent)
    with stage("align"):
        pairs = plan.align_all(docs, scope, source, target, todo, done, info)
    with stage("write"):
        run = datasets.RunInfo.of(run_id, run_date, scope, source, target, info)
        rows = plan.dataset_rows(docs, pairs, intake.new_rejects, run_id, source)
        moves = datasets.stage(out, run, rows)
        counters = plan.run_counters(intake, docs, todo, done, pairs, info)
        total = round(sum(seconds.values()), 3)
        summary = plan.summarise_run(run, intake, docs, pairs, counters, str(out), total)
        run_row = summary.run_row(started_at, datetime.now(UTC), scope, run.signature)
        replaced = {d.article.doc_id for d in docs}
        datasets.commit(out, run, moves, replaced, run_row, intake.settled)
    return {
        "stages_s": {name: round(seconds.get(name, 0.0), 3) for name in STAGES},
        "documents": len(docs),
        "sentences_translated": len(done.translations),
        "detect_digest": digest,
    }


def decisions_digest(docs: list[Any]) -> str:
    """One hash of every language decision (article, segments, sentences) of a run."""
    import hashlib

    h = hashlib.sha256()
    for doc in docs:
        h.update(repr(doc.lang).encode())
        for seg in doc.segments:
            h.update(repr(seg.lang).encode())
            for sentence in seg.sentences:
                h.update(repr(sentence.lang).encode())
    return h.hexdigest()


def detect_reference(articles: Path) -> dict[str, Any]:
    """The detect stage when issue 10 was filed against today's, cold, on the same segmented
    articles (benchmarks/detect_speed.py)."""
    from detect_speed import measure as detect_speed

    return detect_speed(articles, repeat=1)


def reference_run(articles: Path, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--detect-reference", str(articles)]
    _, _, stdout = child(command, env)
    return json.loads(stdout.splitlines()[-1])


def measure(
    n: int, seed: int, engine: str, env: dict[str, str], work: Path, reference: bool
) -> dict[str, Any]:
    articles = corpus(n, seed)
    flow = flow_run(articles, work / f"flow-{n}", engine, env)
    plain = bare_run(articles, work / f"bare-{n}", engine, env)
    bare_s = sum(plain["stages_s"].values())
    detect_s = plain["stages_s"]["detect"]
    ref = reference_run(articles, env) if reference else None
    return {
        "n": n,
        "documents": plain["documents"],
        "flow_wall_s": round(flow["wall_s"], 2),
        "flow_s": round(flow["flow_s"], 2),
        "flow_articles_per_s": round(n / flow["wall_s"], 1),
        "bare_s": round(bare_s, 2),
        "bare_articles_per_s": round(n / bare_s, 1),
        "ratio": round(bare_s / flow["wall_s"], 3),
        "stages_s": plain["stages_s"],
        "detect_s": detect_s,
        "detect_speed": ref,
        "flow_peak_rss_mb": round(flow["peak_rss_mb"], 1),
        "bare_peak_rss_mb": round(plain["peak_rss_mb"], 1),
    }


def history(
    root_with_history: Path, n: int, seed: int, engine: str, env: dict[str, str], work: Path
) -> dict[str, Any]:
    """A run over HISTORY_NEW new articles into a root holding `n` articles, and into an
    empty root."""
    new = corpus(HISTORY_NEW, seed + 1)
    empty = flow_run(new, work / "history-empty", engine, env)
    full = flow_run(new, root_with_history, engine, env)
    return {
        "history_articles": n,
        "new_articles": HISTORY_NEW,
        "empty_root_wall_s": round(empty["wall_s"], 2),
        "empty_root_flow_s": round(empty["flow_s"], 2),
        "with_history_wall_s": round(full["wall_s"], 2),
        "with_history_flow_s": round(full["flow_s"], 2),
        "with_history_peak_rss_mb": round(full["peak_rss_mb"], 1),
        "ratio": round(full["wall_s"] / empty["wall_s"], 3),
    }


def print_table(server_start_s: float, results: list[dict[str, Any]], hist: dict) -> None:
    print(f"local Prefect server start: {server_start_s:.1f} s (not in the figures below)")
    for r in results:
        print(f"\n{r['n']:,} articles ({r['documents']:,} documents)")
        print(
            f"  end to end (bilingual run)  {r['flow_articles_per_s']:8.1f} articles/s  "
            f"{r['flow_wall_s']:8.1f} s wall, flow {r['flow_s']:.1f} s, "
            f"peak RSS {r['flow_peak_rss_mb']:.0f} MB"
        )
        print(
            f"  bare stage functions        {r['bare_articles_per_s']:8.1f} articles/s  "
            f"{r['bare_s']:8.1f} s, peak RSS {r['bare_peak_rss_mb']:.0f} MB"
        )
        print(f"  end to end / bare           {r['ratio']:8.3f}")
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["stages_s"].items())
        print(f"  bare per stage (s)          {stages}")
        print(f"  detection (bare run)        {r['detect_s']:8.2f} s")
        if r["detect_speed"] is not None:
            from detect_speed import lines

            print("\n".join(f"  {line}" for line in lines(r["detect_speed"])))
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["flow_peak_rss_mb"] / small["flow_peak_rss_mb"]
        print(
            f"\npeak RSS of the run, {large['n']:,} against {small['n']:,} articles: {growth:.2f}×"
        )
    print(
        f"\nstart-up with history: {hist['new_articles']} new articles into a root with "
        f"{hist['history_articles']:,} articles {hist['with_history_wall_s']:.2f} s wall "
        f"(flow {hist['with_history_flow_s']:.2f} s), into an empty root "
        f"{hist['empty_root_wall_s']:.2f} s (flow {hist['empty_root_flow_s']:.2f} s): "
        f"{hist['ratio']:.2f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, nargs="+", default=list(DEFAULT_NS), metavar="N")
    parser.add_argument("--seed", type=int, default=11, help="make_layouts seed")
    parser.add_argument("--engine", default="apertium", choices=["apertium", "argos", "auto"])
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip timing the detect stage as it was when issue 10 was filed (~50 ms an article)",
    )
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--detect-reference", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        print(json.dumps(bare(args.bare, args.out, args.engine)))
        return
    if args.detect_reference:
        print(json.dumps(detect_reference(args.detect_reference)))
        return
    if not MAKE_LAYOUTS.exists() or not TWEETS.exists():
        sys.exit(f"needs {MAKE_LAYOUTS} and {TWEETS}")
    with tempfile.TemporaryDirectory(prefix="bilingual-scale-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(XDG_DATA_HOME=str(work / "data"), PYTHONPATH=str(ROOT))
        with local_server(env) as server_start_s:
            results = [
                measure(n, args.seed, args.engine, env, work, not args.no_reference)
                for n in sorted(args.n)
            ]
            largest = max(args.n)
            hist = history(work / f"flow-{largest}", largest, args.seed, args.engine, env, work)
    if args.json:
        print(
            json.dumps(
                {"server_start_s": round(server_start_s, 2), "runs": results, "history": hist}
            )
        )
    else:
        print_table(server_start_s, results, hist)


if __name__ == "__main__":
    main()
