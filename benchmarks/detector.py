"""langdetect-rs against langdetect on the texts the detect stage judges: texts per second of
each (no memo: every text judged afresh) and how many judgements differ in any bit.

    uv run python benchmarks/detector.py [--json]

Texts: the TweetLID 2014 tweets and the layout set's article bodies, segments and sentences
(`../shared/eval`), cleaned and normalised as the detect stage does, judged among the five
Latin-script profiles with the stage's seed; a sample of every 50th also among all 55
profiles. CPU seconds, best of `--repeat`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
TWEETS = EVAL / "tweetlid2014" / "tweets.tsv"
LAYOUTS = EVAL / "layouts" / "articles"


def texts() -> dict[str, list[str]]:
    from flows.language.reading import clean, normalise
    from flows.readers.ingest import read_article
    from flows.records import Article
    from flows.segmentation.segment import segment

    tweets = [line.split("\t", 3)[3] for line in TWEETS.read_text(encoding="utf-8").splitlines()]
    layout: dict[str, None] = {}
    for path in sorted(LAYOUTS.glob("*.txt")):
        article = read_article(path)
        if not isinstance(article, Article):
            continue
        segments = [s for s in segment(article) if s.kind != "boilerplate"]
        layout["\n".join(s.text for s in segments if s.kind != "tweet")] = None
        for s in segments:
            layout[s.text] = None
            layout.update(dict.fromkeys(x.text for x in s.sentences))
    return {
        "tweetlid": [normalise(clean(t)) for t in tweets],
        "layouts": list(dict.fromkeys(normalise(clean(t)) for t in layout)),
    }


def best_cpu(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        result = run()
        best = min(best, time.process_time() - t0)
    return best, result


def compare(items: list[str], langs: tuple[str, ...] | None, repeat: int) -> dict[str, Any]:
    from flows.language import langdetect_backend as backend
    from flows.language.reading import SEED

    fresh = backend._judge.__wrapped__  # no memo: each text judged again
    for name in backend.BACKENDS:
        backend.factory(langs, SEED, name)  # profiles loaded before timing
    rust_s, rust = best_cpu(lambda: [fresh(t, langs, SEED, "langdetect-rs") for t in items], repeat)
    ref_s, ref = best_cpu(lambda: [fresh(t, langs, SEED, "langdetect") for t in items], 1)
    return {
        "texts": len(items),
        "langdetect_texts_per_s": round(len(items) / ref_s, 1),
        "langdetect_rs_texts_per_s": round(len(items) / rust_s, 1),
        "speedup": round(ref_s / rust_s, 1),
        "differing": sum(a != b for a, b in zip(rust, ref, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of langdetect-rs (best)")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    args = parser.parse_args()
    from flows.language import langdetect_backend as backend
    from flows.language.reading import LATIN_LANGS

    if not (TWEETS.exists() and LAYOUTS.exists()):
        sys.exit(f"needs {TWEETS} and {LAYOUTS}")
    if not backend._rust_available():
        sys.exit("langdetect-rs is not installed")
    results = {}
    for corpus, items in texts().items():
        results[f"{corpus}, 5 Latin profiles"] = compare(items, LATIN_LANGS, args.repeat)
        results[f"{corpus}, all profiles, every 50th"] = compare(items[::50], None, args.repeat)
    if args.json:
        print(json.dumps(results))
        return
    for label, r in results.items():
        print(
            f"{label:<36} {r['texts']:5d} texts  langdetect {r['langdetect_texts_per_s']:8.1f}/s"
            f"  langdetect-rs {r['langdetect_rs_texts_per_s']:9.1f}/s  {r['speedup']:5.1f}×"
            f"  differing {r['differing']}"
        )


if __name__ == "__main__":
    main()
