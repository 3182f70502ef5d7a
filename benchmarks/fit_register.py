"""Fit the tweet-register model (`flows/segmentation/tweet_register.py`): how much text reads
like a tweet rather than news prose.

    uv run python benchmarks/fit_register.py [--eval-dir DIR] [--check]

Tweets: the half of `../shared/eval/tweetlid2014/tweets.tsv` whose sha256 of the tweet id is
even (the other half is never read here, so that layout sets generated from it with
`make_layouts.py --tweets` measure the model on tweets it never saw). Prose: the English sides
of FLORES-200 devtest and WMT newssyscomb2009 (the layout generator takes its English prose
from other articles) and every other line of their Spanish sides. Naive Bayes with add-one
smoothing over character 2–4-grams; n-grams seen fewer than `MIN_COUNT` times are left out.
Deterministic: the same data gives the same file, byte for byte (`--check` says whether the
file in the package is what the data gives). Prints the held-out AUC on the odd half of the
tweets against the Spanish lines left out.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import io
import math
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.quality import Tweet  # noqa: E402
from flows.segmentation import tweet_register  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
MIN_COUNT = 2
DECIMALS = 3


def fitting_half(tweet_id: str) -> bool:
    """The half of TweetLID this model is fitted on: the same as `quality.py`'s tuning half."""
    return Tweet(tweet_id, "", "").tuning


def read_data(eval_dir: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """Tweets and prose to fit on, and tweets and prose held out."""
    tweets, held_tweets = [], []
    for line in (eval_dir / "tweetlid2014" / "tweets.tsv").read_text("utf-8").splitlines():
        tweet_id, _user, _label, text = line.split("\t", 3)
        (tweets if fitting_half(tweet_id) else held_tweets).append(text)
    parallel = eval_dir / "parallel"
    english = [
        line
        for name in ("eng_Latn.devtest", "newssyscomb2009.eng")
        for line in (parallel / name).read_text("utf-8").splitlines()
    ]
    spanish = [
        line
        for name in ("spa_Latn.devtest", "newssyscomb2009.spa")
        for line in (parallel / name).read_text("utf-8").splitlines()
    ]
    return tweets, english + spanish[::2], held_tweets, spanish[1::2]


def counts(texts: Iterable[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for text in texts:
        found.update(tweet_register.grams(text))
    return found


def fit(tweets: list[str], prose: list[str]) -> bytes:
    """The weights file: `gram<TAB>weight` lines in gram order, gzip without a timestamp."""
    in_tweets, in_prose = counts(tweets), counts(prose)
    vocab = sorted(
        g for g in set(in_tweets) | set(in_prose) if in_tweets[g] + in_prose[g] >= MIN_COUNT
    )
    n_tweets = sum(in_tweets[g] for g in vocab) + len(vocab)
    n_prose = sum(in_prose[g] for g in vocab) + len(vocab)
    lines = io.StringIO()
    for gram in vocab:
        weight = math.log((in_tweets[gram] + 1) / n_tweets) - math.log(
            (in_prose[gram] + 1) / n_prose
        )
        if "\t" not in gram and "\n" not in gram:
            lines.write(f"{gram}\t{weight:.{DECIMALS}f}\n")
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(lines.getvalue().encode("utf-8"))
    return raw.getvalue()


def auc(positive: list[float], negative: list[float]) -> float:
    negative = sorted(negative)
    return sum(bisect.bisect_left(negative, p) for p in positive) / (len(positive) * len(negative))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--check", action="store_true", help="compare with the packaged file")
    args = parser.parse_args(argv)
    tweets, prose, held_tweets, held_prose = read_data(args.eval_dir)
    data = fit(tweets, prose)
    path = tweet_register.WEIGHTS_FILE
    if args.check:
        same = path.exists() and path.read_bytes() == data
        print(f"{path.name}: {'the same as' if same else 'DIFFERS from'} what the data gives")
        raise SystemExit(0 if same else 1)
    path.write_bytes(data)
    tweet_register.weights.cache_clear()
    tweet_register.digest.cache_clear()
    print(
        f"fitted on {len(tweets)} tweets and {len(prose)} prose lines; {path.name}: "
        f"{len(data) / 1e6:.2f} MB, digest {tweet_register.digest()}"
    )
    score = tweet_register.tweet_likeness
    held = auc([score(t) for t in held_tweets], [score(p) for p in held_prose])
    print(
        f"held out: {len(held_tweets)} tweets against {len(held_prose)} Spanish lines, "
        f"AUC {held:.3f}"
    )


if __name__ == "__main__":
    main()
