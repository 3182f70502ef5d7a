"""Fit the second opinion's two thresholds (`flows/detect.py`: `VETO_BELOW`, `NO_PROFILE_SURE`).

    uv run python benchmarks/fit_second_opinion.py [--fit-seeds 11 12] [--check-seeds 7 99]
        [--n 400] [--eval-dir DIR]

Spanish F1 (strict rule of `benchmarks/quality.py`) of every tweet judged alone, on the
TweetLID 2014 tuning half (tweet-id hash even) and on the tweets of generated layout sets,
for each pair of thresholds on a grid, with and without the rescue of a call py3langid puts
Spanish first. The fitting score is the lower of the tuning half's F1 and the fitting sets'
mean: layout sets hold more non-Spanish tweets than TweetLID, so precision weighs more
there. Each tweet is judged once with the second opinion off; its settled language then
comes from `flows.detect.settled`, the function the stage uses. Prints the best rows, with
the held-out half and the checking sets beside them (never used to choose).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.fit_extent import make_set  # noqa: E402
from flows import detect as detection  # noqa: E402
from flows import second_opinion  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
VETOES = (0.0, 0.01, 0.03, 0.05, 0.1)
NO_PROFILE_SURES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)

# One judged tweet: langdetect and the words' call, py3langid's ranking (None when the
# second opinion does not run: not Latin script, or nothing to judge), Spanish in truth.
Item = tuple[str, tuple[tuple[str, float], ...] | None, bool]


def judge(text: str, spanish: bool) -> Item:
    """The call without the second opinion, and the ranking it would settle it with."""
    lang = detection.detect(text, second_opinion=False).lang
    cleaned = detection.clean(text)
    prepared = detection.normalise(cleaned)
    judged = lang != "und" and detection._is_latin("".join(prepared.split()))
    return lang, second_opinion.rank(cleaned) if judged else None, spanish


def tweetlid(eval_dir: Path) -> tuple[dict[str, str], dict[str, list[Item]]]:
    texts: dict[str, str] = {}
    halves: dict[str, list[Item]] = {"tweetlid tuning": [], "tweetlid held-out": []}
    path = eval_dir / "tweetlid2014" / "tweets.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        tweet_id, _user, label, text = line.split("\t", 3)
        texts[tweet_id] = " ".join(text.splitlines())
        parts = set(re.split(r"[+/]", label))
        if label != "es" and "es" in parts:
            continue  # mixed or ambiguous: left out, as in quality.py's strict rule
        even = int(hashlib.sha256(tweet_id.encode()).hexdigest(), 16) % 2 == 0
        half = "tweetlid tuning" if even else "tweetlid held-out"
        halves[half].append(judge(texts[tweet_id], label == "es"))
    return texts, halves


def layout_items(set_dir: Path, texts: dict[str, str]) -> list[Item]:
    items = []
    for line in (set_dir / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        tweet = json.loads(line)
        if tweet["lang"] != "missing":
            items.append(judge(texts[tweet["tweet_id"]], tweet["lang"] == "es"))
    return items


def f1(
    items: list[Item], decide: Callable[[str, tuple[tuple[str, float], ...] | None], str]
) -> float:
    tp = fp = fn = 0
    for lang, ranked, spanish in items:
        said = decide(lang, ranked) == "es"
        tp += spanish and said
        fp += said and not spanish
        fn += spanish and not said
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def decider(
    veto: float, sure: float, rescue: bool
) -> Callable[[str, tuple[tuple[str, float], ...] | None], str]:
    def decide(lang: str, ranked: tuple[tuple[str, float], ...] | None) -> str:
        if ranked is None:
            return lang
        new = detection.settled(lang, ranked, veto, sure)
        return lang if new == "es" and not rescue else new

    return decide


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit-seeds", type=int, nargs="+", default=[11, 12])
    parser.add_argument("--check-seeds", type=int, nargs="+", default=[7, 99])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    args = parser.parse_args(argv)
    texts, sets = tweetlid(args.eval_dir)
    with tempfile.TemporaryDirectory() as tmp:
        for seed in [*args.fit_seeds, *args.check_seeds]:
            set_dir = make_set(args.eval_dir, seed, args.n, Path(tmp) / f"seed{seed}")
            sets[f"seed {seed}"] = layout_items(set_dir, texts)
    fitting = [f"seed {s}" for s in args.fit_seeds]

    def score(decide: Callable[[str, tuple[tuple[str, float], ...] | None], str]) -> float:
        layouts = sum(f1(sets[name], decide) for name in fitting) / len(fitting)
        return min(f1(sets["tweetlid tuning"], decide), layouts)

    grid = list(itertools.product(VETOES, NO_PROFILE_SURES, (True, False)))
    ranked = sorted(grid, key=lambda g: -score(decider(*g)))
    names = list(sets)
    print(f"{'veto':>5} {'gl/eu':>5} rescue  fit    " + "  ".join(names))
    off = decider(-1.0, 2.0, False)
    print(
        f"{'off':>5} {'off':>5} {'no':>6}  {score(off):.4f} "
        + "  ".join(f"{f1(sets[n], off):.4f}".rjust(len(n)) for n in names)
    )
    for veto, sure, rescue in ranked[:8]:
        decide = decider(veto, sure, rescue)
        print(
            f"{veto:>5} {sure:>5} {'yes' if rescue else 'no':>6}  {score(decide):.4f} "
            + "  ".join(f"{f1(sets[n], decide):.4f}".rjust(len(n)) for n in names)
        )
    print(
        f"in flows/detect.py: VETO_BELOW = {detection.VETO_BELOW}, "
        f"NO_PROFILE_SURE = {detection.NO_PROFILE_SURE}"
    )


if __name__ == "__main__":
    main()
