"""Fit the detect stage's language model (`flows/language/language_model.npz`) and report it
cross-validated.

    uv run python benchmarks/fit_language_model.py [--write] [--eval-dir DIR] [--grid]

On TweetLID 2014's visible half (`../shared/eval/tweetlid2014/tweets.tsv`, never copied
here): folds by sha256 of the tweet id (`FOLDS`), every tweet answered by the model fitted
on the other folds. Prints TweetLID's official macro-F1 (`benchmarks/quality.py`'s
`official_macro`) with per-class F1, Spanish vs rest F1 (strict rule), the expected
calibration error of `confidence` against the answer being right (10 bins), the
reliability table, and how many answers rank the chosen language below another. `--grid`
also tries the settings in `GRID` (the shipped ones were chosen this way). `--write` fits on
every single-label tweet and writes the model; the bytes depend on the data and settings
only (no time stamps), so two runs write the same file. Needs scikit-learn (a development
dependency: the stage itself runs on numpy).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.quality import Tweet, official_macro, read_tweetlid, scores  # noqa: E402
from flows.language import language_model as lm  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
FOLDS = 5
# Chosen by `--grid` (cross-validated macro-F1 with ECE beside it).
C = 3.0
DENSE_SCALE = 1.0
MIN_DF = 2
IDF = True
# Each class weighs (largest class's tweets / its tweets) ** CLASS_WEIGHT_POWER: 1 is
# scikit-learn's "balanced" (Spanish recall suffers), 0 plain (`und`, `eu`, `gl` suffer).
CLASS_WEIGHT_POWER = 0.5
GRID = [
    {"C": c, "dense_scale": s, "class_weight_power": w}
    for c in (3.0, 10.0, 30.0)
    for s in (1.0, 3.0)
    for w in (0.5, 1.0)
]
BINS = 10
# Layout sets whose tweets (in articles of a known language) choose the context prior, and
# sets only reported; each tweet answered by the fold model that never saw it.
FIT_SEEDS = (11, 12)
CHECK_SEEDS = (7, 99)
PRIORS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
LABEL_CLASS = {lang: lang for lang in lm.CLASSES}


def fold(tweet_id: str) -> int:
    return int(hashlib.sha256(tweet_id.encode()).hexdigest(), 16) % FOLDS


def target(tweet: Tweet) -> str | None:
    """The class a single-label tweet trains (`other` for a language outside TweetLID's
    six); None for mixed and ambiguous labels (answered and scored, never fitted on)."""
    if "+" in tweet.label or "/" in tweet.label:
        return None
    return LABEL_CLASS.get(tweet.label)


def right(tweet: Tweet, lang: str) -> bool:
    """Whether answer `lang` is right: one of the label's languages (`und` for `und`; any
    language outside TweetLID's six for `other`)."""
    if "other" in tweet.parts and lang not in lm.CLASSES:
        return True
    return lang in tweet.parts


class Matrix:
    """The tweets' features: a sparse n-gram block (a vocabulary fitted on the training rows
    only) and the dense block, scaled on the training rows."""

    def __init__(self, evidence: Sequence[lm.Evidence]) -> None:
        self.evidence = evidence
        self.dense = np.array([e.dense for e in evidence], dtype=np.float64)

    def vocabulary(self, rows: Sequence[int], min_df: int) -> tuple[list[str], Any]:
        """The n-grams in at least `min_df` of `rows`, sorted, and their inverse document
        frequencies (scikit-learn's smoothed formula)."""
        df: dict[str, int] = {}
        for r in rows:
            for g in {g for w in self.evidence[r].words for g in lm.word_ngrams(w)}:
                df[g] = df.get(g, 0) + 1
        vocab = sorted(g for g, n in df.items() if n >= min_df)
        n = len(rows)
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in vocab])
        return vocab, idf

    def ngrams(self, rows: Sequence[int], vocab: dict[str, int]) -> Any:
        from scipy.sparse import csr_matrix

        data: list[float] = []
        cols: list[int] = []
        indptr = [0]
        for r in rows:
            words = self.evidence[r].words
            n = lm.ngram_count(words)
            counts: dict[int, int] = {}
            for w in words:
                for g in lm.word_ngrams(w):
                    j = vocab.get(g)
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
            for j in sorted(counts):
                cols.append(j)
                data.append(counts[j] / math.sqrt(n))
            indptr.append(len(cols))
        return csr_matrix((data, cols, indptr), shape=(len(rows), len(vocab)))


def fit(
    matrix: Matrix, rows: list[int], labels: list[str], settings: dict[str, Any]
) -> dict[str, Any]:
    """A logistic regression on `rows`; returns the arrays `flows.language.language_model` reads
    (temperature 1)."""
    from scipy.sparse import csr_matrix, diags, hstack
    from sklearn.linear_model import LogisticRegression

    vocab_list, idf = matrix.vocabulary(rows, MIN_DF)
    if not settings.get("idf", IDF):
        idf = np.ones(len(vocab_list))
    vocab = {g: i for i, g in enumerate(vocab_list)}
    dense = matrix.dense[rows]
    mean, std = dense.mean(axis=0), dense.std(axis=0)
    std[std == 0] = 1.0
    scale = settings["dense_scale"]
    grams = matrix.ngrams(rows, vocab) @ diags(idf)
    x = hstack([grams, csr_matrix((dense - mean) / std * scale)]).tocsr()
    y = np.array([lm.CLASSES.index(label) for label in labels])
    counts = np.bincount(y, minlength=len(lm.CLASSES))
    power = settings["class_weight_power"]
    weights = {c: (counts.max() / n) ** power for c, n in enumerate(counts) if n}
    clf = LogisticRegression(C=settings["C"], class_weight=weights, max_iter=3000, tol=1e-3)
    clf.fit(x, y)
    coef = np.zeros((len(lm.CLASSES), x.shape[1]))
    bias = np.zeros(len(lm.CLASSES))
    coef[clf.classes_] = clf.coef_
    bias[clf.classes_] = clf.intercept_
    bias[[c for c in range(len(lm.CLASSES)) if c not in clf.classes_]] = -30.0
    n_vocab = len(vocab_list)
    dense_w = (coef[:, n_vocab:] * scale / std).T  # features × classes, on raw features
    bias = bias - (mean[:, None] * dense_w).sum(axis=0)
    return {
        "dense_min": dense.min(axis=0),
        "dense_max": dense.max(axis=0),
        "ngram_cap": max(lm.ngram_count(matrix.evidence[r].words) for r in rows),
        "vocabulary": vocab_list,
        "ngram_weights": (coef[:, :n_vocab].T * idf[:, None]).astype(np.float32),
        "dense_weights": dense_w,
        "bias": bias,
        "temperature": 1.0,
    }


def logits(arrays: dict[str, Any], ev: lm.Evidence) -> np.ndarray[Any, Any]:
    """The fitted logits of one text, as `flows.language.language_model` computes them."""
    vocab = arrays.setdefault("_index", {g: i for i, g in enumerate(arrays["vocabulary"])})
    n = lm.ngram_count(ev.words)
    rows = [vocab[g] for w in ev.words for g in lm.word_ngrams(w) if g in vocab]
    scale = math.sqrt(min(n, arrays["ngram_cap"])) / n if n else 0.0
    ngrams = arrays["ngram_weights"][rows].sum(axis=0, dtype=np.float64) * scale
    clipped = np.clip(np.asarray(ev.dense), arrays["dense_min"], arrays["dense_max"])
    dense = clipped @ arrays["dense_weights"]
    return ngrams + dense + arrays["bias"]  # type: ignore[no-any-return]


def temperature(z: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> float:
    """The temperature that minimises the negative log-likelihood of classes `y` under
    logits `z` (golden-section search on log T)."""

    def nll(log_t: float) -> float:
        s = z / math.exp(log_t)
        s = s - s.max(axis=1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    lo, hi = math.log(0.05), math.log(20.0)
    g = (math.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return round(math.exp((lo + hi) / 2), 4)


def answers(z: np.ndarray[Any, Any], t: float, evs: Sequence[lm.Evidence]) -> list[Any]:
    """(lang, confidence, ranked) of each row of logits `z` at temperature `t`."""
    py = lm.other_index()
    out = []
    for row, ev in zip(z, evs, strict=True):
        s = row / t
        p = np.exp(s - s.max())
        p /= p.sum()
        ranked = lm.split_other(
            dict(zip(lm.CLASSES, p.tolist(), strict=True)), (ev.dense[py[0]], ev.dense[py[1]])
        )
        out.append((ranked[0][0], ranked[0][1], ranked))
    return out


def ece(conf: Sequence[float], ok: Sequence[bool]) -> tuple[float, list[tuple[int, float, float]]]:
    """Expected calibration error over `BINS` equal-width bins, and (n, mean confidence,
    share right) per non-empty bin."""
    table = []
    total = 0.0
    for b in range(BINS):
        idx = [
            i for i, c in enumerate(conf) if (b / BINS < c <= (b + 1) / BINS) or (b == 0 and c == 0)
        ]
        if not idx:
            continue
        mc = sum(conf[i] for i in idx) / len(idx)
        acc = sum(ok[i] for i in idx) / len(idx)
        total += len(idx) * abs(mc - acc)
        table.append((len(idx), mc, acc))
    return total / len(conf), table


def out_of_fold(tweets: list[Tweet], matrix: Matrix, settings: dict[str, Any]) -> Any:
    """Every tweet's logits by the model fitted on the other folds' single-label tweets."""
    z = np.zeros((len(tweets), len(lm.CLASSES)))
    folds = [fold(t.tweet_id) for t in tweets]
    for k in range(FOLDS):
        train = [i for i, t in enumerate(tweets) if folds[i] != k and target(t)]
        arrays = fit(matrix, train, [target(tweets[i]) or "" for i in train], settings)
        for i in range(len(tweets)):
            if folds[i] == k:
                z[i] = logits(arrays, matrix.evidence[i])
    return z


def cross_validate(
    tweets: list[Tweet], matrix: Matrix, settings: dict[str, Any]
) -> tuple[dict[str, Any], Any]:
    """The cross-validated report and the out-of-fold logits."""
    z = out_of_fold(tweets, matrix, settings)
    fitted = [i for i, t in enumerate(tweets) if target(t)]
    y = np.array([lm.CLASSES.index(target(tweets[i]) or "") for i in fitted])
    t = temperature(z[fitted], y)
    got = answers(z, t, matrix.evidence)
    return report(tweets, got, t), z


def report(tweets: list[Tweet], got: list[Any], t: float) -> dict[str, Any]:
    langs = [g[0] for g in got]
    macro = official_macro(tweets, langs)
    spanish = scores(tweets, langs, "strict")
    conf = [g[1] for g in got]
    ok = [right(tw, g[0]) for tw, g in zip(tweets, got, strict=True)]
    error, table = ece(conf, ok)
    below = sum(any(p > g[1] for _, p in g[2]) for g in got)
    return {
        "temperature": t,
        "macro_f1": round(macro["macro_f1"], 4),
        "per_class_f1": {c: round(macro[c], 3) for c in (*lm.CLASSES[:6], "amb", "und")},
        "spanish_f1": round(spanish.f1, 4),
        "spanish_p": round(spanish.precision, 4),
        "spanish_r": round(spanish.recall, 4),
        "ece": round(error, 4),
        "accuracy": round(sum(ok) / len(ok), 4),
        "below_a_rejected_candidate": below,
        "reliability": [(n, round(mc, 3), round(acc, 3)) for n, mc, acc in table],
        "kept_above_0.9": sum(c > 0.9 for c in conf),
        "right_above_0.9": round(
            sum(o for c, o in zip(conf, ok, strict=True) if c > 0.9)
            / max(1, sum(c > 0.9 for c in conf)),
            4,
        ),
    }


def layout_set(eval_dir: Path, seed: int, dest: Path) -> list[tuple[str, str, str]]:
    """(tweet_id, truth language, article language) of every tweet with text in the layout
    set `make_layouts.py --n 400 --seed SEED` (`layouts/` itself for seed 7)."""
    import subprocess

    if seed == 7:
        dest = eval_dir / "layouts"
    else:
        subprocess.run(
            [
                sys.executable,
                str(eval_dir / "tools" / "make_layouts.py"),
                *("--n", "400", "--seed", str(seed)),
                *("--tweets", str(eval_dir / "tweetlid2014" / "tweets.tsv")),
                *("--dest", str(dest)),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    rows = (dest / "articles.tsv").read_text(encoding="utf-8").splitlines()[1:]
    article_lang = dict(line.split("\t") for line in rows)
    out = []
    for line in (dest / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        tweet = json.loads(line)
        if tweet["lang"] != "missing":
            out.append((tweet["tweet_id"], tweet["lang"], article_lang[tweet["file"]]))
    return out


def with_prior(ranked: tuple[tuple[str, float], ...], context: str, factor: float) -> list[Any]:
    probs = {lang: p * (factor if lang == context else 1.0) for lang, p in ranked}
    total = sum(probs.values())
    return sorted(((lang, p / total) for lang, p in probs.items()), key=lambda x: (-x[1], x[0]))


def layout_scores(
    items: list[tuple[str, str, str]], by_id: dict[str, Any], factor: float
) -> dict[str, float]:
    """Spanish P/R/F1 and the log-likelihood of the truth over `items`, each tweet answered
    out of fold (`by_id`: tweet id → ranked answer) with the context prior `factor`."""
    tp = fp = fn = 0
    loglik = 0.0
    for tweet_id, truth, context in items:
        ranked = with_prior(by_id[tweet_id], context, factor)
        said = ranked[0][0] == "es"
        tp += said and truth == "es"
        fp += said and truth != "es"
        fn += truth == "es" and not said
        loglik += math.log(max(dict(ranked).get(truth, 0.0), 1e-6))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "spanish_p": round(p, 4),
        "spanish_r": round(r, 4),
        "spanish_f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
        "mean_loglik": round(loglik / max(1, len(items)), 4),
    }


def reliability_svg(table: Sequence[tuple[int, float, float]], ece_value: float) -> str:
    """A reliability diagram as plain SVG: for each confidence bin, the share of answers
    that were right (bars) against the diagonal a calibrated model follows."""
    size, pad = 320, 40
    scale = size - 2 * pad

    def x(v: float) -> float:
        return pad + v * scale

    def y(v: float) -> float:
        return size - pad - v * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect x="{pad}" y="{pad}" width="{scale}" height="{scale}" fill="none" stroke="#999"/>',
    ]
    for b in range(BINS):
        lo = b / BINS
        row = [t for t in table if lo < t[1] <= lo + 1 / BINS]
        if row:
            _n, _mc, acc = row[0]
            parts.append(
                f'<rect x="{x(lo) + 1:.1f}" y="{y(acc):.1f}" width="{scale / BINS - 2:.1f}" '
                f'height="{y(0) - y(acc):.1f}" fill="#4a7ab5"/>'
            )
    parts.append(
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#c33" '
        'stroke-dasharray="4 3"/>'
    )
    for v in (0, 0.5, 1):
        parts.append(f'<text x="{x(v) - 6:.0f}" y="{size - pad + 14}">{v:g}</text>')
        parts.append(f'<text x="{pad - 22}" y="{y(v) + 4:.0f}">{v:g}</text>')
    parts.append(
        f'<text x="{pad}" y="{size - 8}">confidence (cross-validated answers), '
        f"ECE {ece_value:.3f}</text>"
    )
    parts.append(f'<text x="{pad}" y="{pad - 10}">share of answers right, per bin</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def npz_bytes(arrays: dict[str, Any]) -> bytes:
    """The model as an .npz whose bytes depend on the arrays only (fixed member times)."""
    members = {
        "vocabulary": np.frombuffer("\n".join(arrays["vocabulary"]).encode("utf-8"), np.uint8),
        "ngram_weights": np.asarray(arrays["ngram_weights"], dtype=np.float32),
        "dense_weights": np.asarray(arrays["dense_weights"], dtype=np.float64),
        "bias": np.asarray(arrays["bias"], dtype=np.float64),
        "temperature": np.asarray(arrays["temperature"], dtype=np.float64),
        "context_prior": np.asarray(arrays["context_prior"], dtype=np.float64),
        "dense_min": np.asarray(arrays["dense_min"], dtype=np.float64),
        "dense_max": np.asarray(arrays["dense_max"], dtype=np.float64),
        "ngram_cap": np.asarray(arrays["ngram_cap"], dtype=np.int64),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, value, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    return out.getvalue()


def settings() -> dict[str, Any]:
    return {"C": C, "dense_scale": DENSE_SCALE, "class_weight_power": CLASS_WEIGHT_POWER}


def print_report(name: str, r: dict[str, Any]) -> None:
    per = "  ".join(f"{c} {f:.3f}" for c, f in r["per_class_f1"].items())
    print(
        f"{name}: macro-F1 {r['macro_f1']:.4f} ({per})  Spanish F1 {r['spanish_f1']:.4f} "
        f"(P {r['spanish_p']:.4f} R {r['spanish_r']:.4f})  ECE {r['ece']:.4f}  "
        f"T {r['temperature']}  below a rejected candidate {r['below_a_rejected_candidate']}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--write", action="store_true", help="write the shipped model file")
    parser.add_argument("--grid", action="store_true", help="also try every setting in GRID")
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    parser.add_argument("--svg", type=Path, help="write the reliability diagram here")
    args = parser.parse_args(argv)
    tweets = read_tweetlid(args.eval_dir)
    matrix = Matrix([lm.evidence(t.text) for t in tweets])
    results: dict[str, Any] = {}
    if args.grid:
        for s in GRID:
            name = (
                f"C={s['C']} dense_scale={s['dense_scale']} "
                f"class_weight_power={s['class_weight_power']}"
            )
            results[name] = cross_validate(tweets, matrix, s)[0]
            print_report(name, results[name])
    shipped, z = cross_validate(tweets, matrix, settings())
    results["shipped"] = shipped
    got = answers(z, shipped["temperature"], matrix.evidence)
    by_id = {tw.tweet_id: g[2] for tw, g in zip(tweets, got, strict=True)}
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        sets = {
            seed: layout_set(args.eval_dir, seed, Path(tmp) / f"seed{seed}")
            for seed in (*FIT_SEEDS, *CHECK_SEEDS)
        }
    fit_items = [item for seed in FIT_SEEDS for item in sets[seed]]
    prior = max(PRIORS, key=lambda f: layout_scores(fit_items, by_id, f)["mean_loglik"])
    results["context_prior"] = prior
    results["layouts"] = {
        f"seed {seed} prior {f}": layout_scores(sets[seed], by_id, f)
        for seed in (*FIT_SEEDS, *CHECK_SEEDS)
        for f in (1.0, prior)
    }
    if args.write:
        rows = [i for i, t in enumerate(tweets) if target(t)]
        arrays = fit(matrix, rows, [target(tweets[i]) or "" for i in rows], settings())
        arrays["temperature"] = shipped["temperature"]
        arrays["context_prior"] = prior
        blob = npz_bytes(arrays)
        (ROOT / "flows" / "language" / lm.MODEL_FILE).write_bytes(blob)
        results["model"] = {
            "bytes": len(blob),
            "sha256": hashlib.sha256(blob).hexdigest(),
            "vocabulary": len(arrays["vocabulary"]),
        }
    if args.svg:
        args.svg.write_text(reliability_svg(shipped["reliability"], shipped["ece"]))
    if args.json:
        print(json.dumps(results))
        return
    print_report(f"cross-validated ({FOLDS} folds by sha256 of the tweet id)", shipped)
    print(
        f"context prior (chosen on layout seeds {FIT_SEEDS} by the truth's likelihood): "
        f"{prior}; layout tweets answered out of fold, with the article's language:"
    )
    for name, r in results["layouts"].items():
        print(
            f"  {name:<18} Spanish F1 {r['spanish_f1']:.4f} (P {r['spanish_p']:.4f} "
            f"R {r['spanish_r']:.4f})  mean log-likelihood {r['mean_loglik']:.4f}"
        )
    print("reliability (n, mean confidence, share right):")
    for n, mc, acc in shipped["reliability"]:
        print(f"  {n:5d}  {mc:.3f}  {acc:.3f}")
    print(
        f"confidence > 0.9: {shipped['kept_above_0.9']} answers, "
        f"{shipped['right_above_0.9']:.4f} right; accuracy {shipped['accuracy']:.4f}"
    )
    if "model" in results:
        m = results["model"]
        print(f"wrote flows/{lm.MODEL_FILE}: {m['bytes']:,} bytes, sha256 {m['sha256'][:12]}")


if __name__ == "__main__":
    main()
