"""The detect stage against the detect stage as it was when issue 10 was filed, on the same
segmented articles, in one process:

- before: `flows/language/detection.py` at `BASELINE` (the last commit before the issue's
  work: pure-Python langdetect, nothing memoised), loaded from git into a module of its own;
- now: the working tree's `flows/language/detection.py` (langdetect-rs, memoised pieces),
  every cache emptied before each run, so nothing judged by the segmenter or an earlier run
  is reused.

Both judge every article with `detect_document`, after ingest and segmentation (untimed, done
once by the working tree) and after loading their models (langdetect's profiles, py3langid's
model: once per process, untimed). CPU seconds are the figure to quote on a shared machine
(wall seconds are printed too); `now` is the best of `--repeat` runs, `before` one run (it
is slow). The decisions are not compared: the rules changed since (issue 9); whether a speed
change keeps every decision is `benchmarks/detect_identity.py`'s question.

    uv run python benchmarks/detect_speed.py [--n 1000] [--seed 11] [--repeat 3] [--json]
        [--before REV]

`--before REV` compares with `flows/language/detection.py` at another commit instead (for issue 20:
d0e1b49, the hand-set chain just before the fitted model), timed the same way as now (best
of `--repeat`, its caches emptied before each run).

The articles are scale.py's corpus (`make_layouts.py --n N --seed SEED`, cached).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detect_identity import detect_at, segmented  # a script: its folder is on the path

# flows/language/detection.py when issue 10 was filed (the parent of its first commit, 4326f01).
BASELINE = "7a48ad8"


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of `run()`."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def empty_caches() -> None:
    """Forget every judged text (the detect stage's, langdetect's and py3langid's memos); the
    loaded models stay."""
    from flows.language import (
        detection,
        langdetect_backend,
        language_model,
        reading,
        second_opinion,
    )

    for module in (detection, reading, langdetect_backend, second_opinion, language_model):
        for value in vars(module).values():
            wrapped = getattr(value, "__wrapped__", None)
            if (
                hasattr(value, "cache_clear")
                and getattr(value, "__module__", None) == module.__name__
                and wrapped is not None
                and wrapped.__code__.co_argcount > 0  # model loaders take no text
                and value.__name__ not in ("factory", "_langlist")
            ):
                value.cache_clear()


def measure(articles: Path, repeat: int = 3, rev: str = BASELINE) -> dict[str, Any]:
    """Seconds of the detect stage before (at `rev`) and now over the articles in
    `articles`."""
    from flows.language import (
        detection,
        langdetect_backend,
        language_model,
        reading,
        second_opinion,
    )

    docs = segmented([articles])
    before = detect_at(rev)
    for langs in (reading.LATIN_LANGS, None):  # models loaded before timing, both sides
        if hasattr(before, "_factory"):
            before._factory(langs)
        langdetect_backend.factory(langs, reading.SEED)
    second_opinion._identifier()
    language_model.model()
    now_cpu = now_wall = float("inf")
    for _ in range(repeat):
        empty_caches()
        cpu, wall = timed(lambda: [detection.detect_document(d) for d in docs])
        now_cpu, now_wall = min(now_cpu, cpu), min(now_wall, wall)
    before_cpu = before_wall = float("inf")
    for _ in range(1 if rev == BASELINE else repeat):  # the issue-10 baseline is slow
        empty_caches()
        for value in vars(before).values():
            if (
                hasattr(value, "cache_clear")
                and getattr(value, "__module__", "") == before.__name__
            ):
                value.cache_clear()
        cpu, wall = timed(lambda: [before.detect_document(d) for d in docs])
        before_cpu, before_wall = min(before_cpu, cpu), min(before_wall, wall)
    return {
        "articles": len(docs),
        "baseline": rev,
        "before_cpu_s": round(before_cpu, 2),
        "before_wall_s": round(before_wall, 2),
        "now_cpu_s": round(now_cpu, 2),
        "now_wall_s": round(now_wall, 2),
        "speedup_cpu": round(before_cpu / now_cpu, 1),
        "speedup_wall": round(before_wall / now_wall, 1),
        "now_over_before_cpu": round(now_cpu / before_cpu, 3),
    }


def lines(r: dict[str, Any]) -> list[str]:
    return [
        f"detect stage at {r['baseline']:<21}{r['before_cpu_s']:8.2f} s CPU "
        f"{r['before_wall_s']:8.2f} s wall",
        f"detect stage now (caches emptied)     {r['now_cpu_s']:8.2f} s CPU "
        f"{r['now_wall_s']:8.2f} s wall",
        f"speed-up                              {r['speedup_cpu']:8.1f}x CPU "
        f"{r['speedup_wall']:7.1f}x wall",
        f"now / before                          {r['now_over_before_cpu']:8.3f}  CPU",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="articles")
    parser.add_argument("--seed", type=int, default=11, help="make_layouts seed")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the current stage")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--before", default=BASELINE, help="the commit to compare with")
    args = parser.parse_args()
    from scale import MAKE_LAYOUTS, TWEETS, corpus

    if not MAKE_LAYOUTS.exists() or not TWEETS.exists():
        sys.exit(f"needs {MAKE_LAYOUTS} and {TWEETS}")
    result = measure(corpus(args.n, args.seed), args.repeat, args.before)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['articles']:,} articles (make_layouts --n {args.n} --seed {args.seed})")
    print("\n".join(lines(result)))


if __name__ == "__main__":
    main()
