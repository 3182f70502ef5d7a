"""Quality and speed of the detect stage on public data nobody on the team wrote.

    uv run python benchmarks/quality.py [--eval-dir DIR] [--json] [--articles] [--layouts]
        [--layout-seeds N …] [--timing-texts N] [--repeats N]

Reads `../shared/eval` beside the repository (see its README.md; never copied here):

- TweetLID 2014 (`tweetlid2014/tweets.tsv`): Spanish against everything else, decided
  through the command line exactly as a user would (`bilingual detect FILE`, run twice to
  check that the output is identical), and bare `langdetect.detect_langs` on the raw text
  as the baseline. Figures for all tweets, for the tuning half (sha256 of the tweet id
  even: the half the detect stage's choices were made on) and for the held-out half.
- CALCS 2016 (`calcs2016/`): how Spanish–English code-switched tweets are decided, whole
  and sentence by sentence.
- Speed: texts per second of `flows.language.detection.detect` and of bare `langdetect.detect_langs`
  on the same tweets (median of repeated runs, profiles already loaded).
- TweetLID 2014's own metric: macro P/R/F1 over ca, en, es, eu, gl, pt, amb, und, next to
  the best system of the 2014 shared task.
- Layout benchmark (`layouts/`, and sets generated with other seeds by
  `tools/make_layouts.py`): `bilingual run` over the articles, scored by
  `tools/check_layouts.py` (tweets found, exact extents, Spanish P/R/F1).
- Articles (`articles/`): embedded tweets found, their attributions, and their Spanish
  decisions, through ingest → segment → detect (`articles_report`).

How TweetLID's mixed (`a+b`) and ambiguous (`a/b`) labels count:
- strict: positives are tweets labelled `es` alone; negatives are labels without `es`;
  labels that hold `es` with another language are left out, since the gold neither says
  "Spanish" nor "not Spanish" for them. This is the headline.
- lenient: positives are every label with `es` as a part or an alternative (`es+eu`,
  `es/gl`): an ambiguous tweet is valid Spanish, a mixed one holds Spanish to translate.
- es-only: positives `es` alone, every other label negative, mixed and ambiguous included
  (the harshest reading: deciding `es` for `es/gl` counts as a false positive).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
RULES = ("strict", "lenient", "es-only")
HEADLINE = "strict"
DECIDED_COLUMNS = ("es", "en", "pt", "ca", "fr", "it")


# ---------------------------------------------------------------- TweetLID 2014


@dataclass(frozen=True)
class Tweet:
    tweet_id: str
    label: str
    text: str

    @property
    def parts(self) -> set[str]:
        return set(re.split(r"[+/]", self.label))

    @property
    def tuning(self) -> bool:
        """The deterministic half the detect stage was tuned on."""
        return int(hashlib.sha256(self.tweet_id.encode()).hexdigest(), 16) % 2 == 0


def read_tweetlid(eval_dir: Path) -> list[Tweet]:
    tweets = []
    path = eval_dir / "tweetlid2014" / "tweets.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        tweet_id, _user, label, text = line.split("\t", 3)
        # One tweet per line through the command line: no line breaks inside a text.
        tweets.append(Tweet(tweet_id, label, " ".join(text.splitlines())))
    return tweets


def gold(tweet: Tweet, rule: str) -> bool | None:
    """Whether the tweet counts as Spanish under `rule`; None: left out of the count."""
    if tweet.label == "es":
        return True
    if "es" not in tweet.parts:
        return False
    return {"strict": None, "lenient": True, "es-only": False}[rule]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    counted: int

    def line(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  (n={self.counted})"


def scores(tweets: Sequence[Tweet], decided: Sequence[str], rule: str) -> Scores:
    tp = fp = fn = counted = 0
    for tweet, lang in zip(tweets, decided, strict=True):
        truth = gold(tweet, rule)
        if truth is None:
            continue
        counted += 1
        said = lang == "es"
        tp += truth and said
        fp += (not truth) and said
        fn += truth and not said
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, counted)


def group(label: str) -> str:
    """The confusion table's row for a gold label."""
    parts = set(re.split(r"[+/]", label))
    if len(parts) == 1:
        return {"other": "other/und", "und": "other/und"}.get(label, label)
    kind = "mixed" if "+" in label else "ambiguous"
    if "es" in parts:
        return f"es {kind} (es{'+' if kind == 'mixed' else '/'}xx)"
    return f"{kind}, no es"


def confusion(tweets: Sequence[Tweet], decided: Sequence[str]) -> list[str]:
    rows: dict[str, Counter[str]] = {}
    for tweet, lang in zip(tweets, decided, strict=True):
        col = lang if lang in DECIDED_COLUMNS or lang == "und" else "other"
        rows.setdefault(group(tweet.label), Counter())[col] += 1
    cols = [*DECIDED_COLUMNS, "other", "und"]
    order = ["es", "es mixed (es+xx)", "es ambiguous (es/xx)", "pt", "ca", "gl", "en", "eu"]
    names = [n for n in order if n in rows] + sorted(n for n in rows if n not in order)
    width = max(len(n) for n in names) + 2
    corner = "gold \\ decided"
    out = [f"  {corner:<{width}}{'n':>6}" + "".join(f"{c:>7}" for c in cols)]
    for name in names:
        counts = rows[name]
        out.append(
            f"  {name:<{width}}{sum(counts.values()):>6}"
            + "".join(f"{counts.get(c, 0):>7}" for c in cols)
        )
    return out


def run_cli(texts: Sequence[str]) -> tuple[list[str], str]:
    """`bilingual detect FILE` on one text per line: the decided languages and the output."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.txt"
        path.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", "from flows.cli import main; main()", "detect", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    langs = [json.loads(line)["lang"] for line in done.stdout.splitlines()]
    if len(langs) != len(texts):
        raise SystemExit(f"bilingual detect gave {len(langs)} lines for {len(texts)} texts")
    return langs, done.stdout


def bare_langdetect(texts: Sequence[str]) -> list[str]:
    """The baseline: `langdetect.detect_langs` on the raw text, seed 0."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    out = []
    for text in texts:
        try:
            out.append(detect_langs(text)[0].lang)
        except LangDetectException:
            out.append("und")
    return out


def tweetlid_report(tweets: list[Tweet], headline: dict[str, object]) -> list[str]:
    texts = [t.text for t in tweets]
    t0 = time.perf_counter()
    ours, first = run_cli(texts)
    cli_seconds = time.perf_counter() - t0
    _, second = run_cli(texts)
    deterministic = first == second
    base = bare_langdetect(texts)
    halves = {
        "all": list(range(len(tweets))),
        "tuning half": [i for i, t in enumerate(tweets) if t.tuning],
        "held-out half": [i for i, t in enumerate(tweets) if not t.tuning],
    }
    print(f"== TweetLID 2014: Spanish vs rest ({len(tweets)} tweets)")
    print("   strict: es positive, labels without es negative, es mixed/ambiguous left out")
    print("   lenient: es anywhere in the label (es+xx, es/xx) positive")
    print("   es-only: es positive, everything else (es+xx, es/xx too) negative")
    for name, decided in (("bilingual detect (CLI)", ours), ("bare langdetect, raw text", base)):
        print(f"-- {name}")
        for half, idx in halves.items():
            sub_t = [tweets[i] for i in idx]
            sub_d = [decided[i] for i in idx]
            for rule in RULES:
                s = scores(sub_t, sub_d, rule)
                print(f"  {half:<14} {rule:<8} {s.line()}")
        print("  confusion by gold label (all tweets):")
        print("\n".join(confusion(tweets, decided)))
    print(
        f"-- same output twice: {'yes' if deterministic else 'NO'}"
        f" (CLI run of {len(tweets)} tweets: {cli_seconds:.1f} s incl. start-up)"
    )
    for rule in RULES:
        s = scores(tweets, ours, rule)
        b = scores(tweets, base, rule)
        headline[f"tweetlid_{rule}"] = {
            "precision": round(s.precision, 3),
            "recall": round(s.recall, 3),
            "f1": round(s.f1, 3),
            "baseline_f1": round(b.f1, 3),
        }
    held = [tweets[i] for i in halves["held-out half"]]
    held_d = [ours[i] for i in halves["held-out half"]]
    headline["tweetlid_heldout_strict_f1"] = round(scores(held, held_d, "strict").f1, 3)
    headline["deterministic"] = deterministic
    return ours


# ---------------------------------------------------------------- CALCS 2016


def calcs_report(eval_dir: Path, headline: dict[str, object]) -> None:
    from flows.language.detection import detect, detect_segment
    from flows.records import Segment, Sentence, Span
    from flows.text.sentences import split_spans

    folder = eval_dir / "calcs2016"
    texts: dict[str, str] = {}
    for line in (folder / "dev_tweets.tsv").read_text(encoding="utf-8").splitlines():
        tweet_id, _user, text = line.split("\t", 2)
        texts[tweet_id] = text
    tokens: dict[str, list[tuple[int, int, str]]] = {}
    for line in (folder / "dev_data.tsv").read_text(encoding="utf-8").splitlines():
        tweet_id, _user, start, end, _token, label = line.split("\t")
        tokens.setdefault(tweet_id, []).append((int(start), int(end), label))

    def mix(labels: set[str]) -> str:
        if {"en", "es"} <= labels:
            return "mixed"
        return "es-only" if "es" in labels else "en-only" if "en" in labels else "neither"

    by_class: dict[str, Counter[str]] = {}
    sentence_decisions: Counter[str] = Counter()
    sentence_right = sentence_judged = both = mixed_tweets = 0
    for tweet_id, text in texts.items():
        labels = {lab for _, _, lab in tokens.get(tweet_id, [])}
        klass = mix(labels)
        decided = detect(text).lang
        by_class.setdefault(klass, Counter())[
            decided if decided in ("es", "en", "und") else "other"
        ] += 1
        if klass != "mixed":
            continue
        mixed_tweets += 1
        spans = split_spans(text)
        sentences = tuple(Sentence(i, text[s:e], s, e) for i, (s, e) in enumerate(spans))
        seg = Segment("calcs", 0, "tweet", text, (Span(0, len(text)),), sentences)
        judged = detect_segment(seg, "und")
        seen = set()
        for sentence in judged.sentences:
            lang = sentence.lang.lang if sentence.lang.lang in ("es", "en", "und") else "other"
            sentence_decisions[lang] += 1
            seen.add(lang)
            inside = Counter(
                lab
                for s, e, lab in tokens[tweet_id]
                if lab in ("en", "es") and s >= sentence.start and e < sentence.end
            )
            if inside and inside.most_common(1)[0][1] * 2 > sum(inside.values()):
                sentence_judged += 1
                sentence_right += inside.most_common(1)[0][0] == sentence.lang.lang
        both += {"es", "en"} <= seen
    print(f"== CALCS 2016: code-switched Spanish/English tweets ({len(texts)} tweets)")
    print("   gold class from the token labels → share of tweet-level decisions")
    for klass in ("en-only", "es-only", "mixed", "neither"):
        counts = by_class.get(klass)
        if not counts:
            continue
        n = sum(counts.values())
        shares = "  ".join(f"{k} {counts.get(k, 0) / n:.3f}" for k in ("es", "en", "other", "und"))
        print(f"  {klass:<8} n={n:<4} {shares}")
    n_sent = sum(sentence_decisions.values())
    shares = "  ".join(
        f"{k} {sentence_decisions.get(k, 0) / n_sent:.3f}" for k in ("es", "en", "other", "und")
    )
    print(f"  mixed tweets, per sentence (split_spans, detect_segment): n={n_sent}  {shares}")
    print(
        f"  mixed tweets with both an es and an en sentence: {both}/{mixed_tweets}"
        f" = {both / max(1, mixed_tweets):.3f}"
    )
    accuracy = sentence_right / max(1, sentence_judged)
    print(
        f"  sentences with a majority gold language (es or en) decided right: "
        f"{sentence_right}/{sentence_judged} = {accuracy:.3f}"
    )
    es_only = by_class.get("es-only", Counter())
    en_only = by_class.get("en-only", Counter())
    headline["calcs_es_only_decided_es"] = round(es_only["es"] / max(1, es_only.total()), 3)
    headline["calcs_en_only_decided_en"] = round(en_only["en"] / max(1, en_only.total()), 3)
    headline["calcs_mixed_sentence_accuracy"] = round(accuracy, 3)


# ---------------------------------------------------------------- speed


def median_rate(
    func: Callable[[Sequence[str]], object], texts: Sequence[str], repeats: int
) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func(texts)
        times.append(time.perf_counter() - t0)
    return len(texts) / statistics.median(times)


def speed_report(
    tweets: list[Tweet], n_texts: int, repeats: int, headline: dict[str, object]
) -> None:
    from flows.language.detection import detect

    # Every k-th tweet in file order: a fixed sample of the whole set.
    step = max(1, len(tweets) // n_texts)
    texts = [t.text for t in tweets[::step]][:n_texts]
    # Profile loading, once per process, is timed apart from the texts: from scratch.
    import langdetect.detector_factory as bare_factory

    from flows.language import detection as stage
    from flows.language import langdetect_backend, second_opinion

    stage._judge.cache_clear()
    langdetect_backend.factory.cache_clear()
    langdetect_backend._judge.cache_clear()
    second_opinion._identifier.cache_clear()
    second_opinion.rank.cache_clear()
    t0 = time.perf_counter()
    detect("warm up: loads the profiles once")
    ours_load = time.perf_counter() - t0
    bare_factory._factory = None
    t0 = time.perf_counter()
    bare_langdetect(["warm up: loads the profiles once"])
    bare_load = time.perf_counter() - t0

    def ours(batch: Sequence[str]) -> object:
        # every text judged afresh: the stage memoises texts (and their pieces) it has seen
        for memo in (stage._judge, stage._forms, stage._word_forms, stage._text_evidence):
            memo.cache_clear()
        langdetect_backend._judge.cache_clear()
        second_opinion.rank.cache_clear()
        return [detect(t) for t in batch]

    ours_rate = median_rate(ours, texts, repeats)
    bare_rate = median_rate(bare_langdetect, texts, repeats)
    ratio = bare_rate / ours_rate
    print(f"== Speed ({len(texts)} tweets, median of {repeats} runs, profiles loaded first)")
    print(
        f"  detect stage (flows.language.detection.detect)   {ours_rate:9.1f} texts/s"
        f"  (load {ours_load:.2f} s)"
    )
    print(
        f"  bare langdetect.detect_langs         {bare_rate:9.1f} texts/s  (load {bare_load:.2f} s)"
    )
    print(f"  detect stage time / bare time        {ratio:9.3f}  (budget: at most 1.100)")
    headline["speed_ratio"] = round(ratio, 3)
    headline["detect_texts_per_s"] = round(ours_rate, 1)
    headline["bare_texts_per_s"] = round(bare_rate, 1)


# ---------------------------------------------------------------- articles


def _parse_written_date(text: str) -> object | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _judged_tweets(text: str, source: str) -> list[object]:
    from flows.language.detection import detect_document
    from flows.readers.ingest import doc_text
    from flows.records import ProcessedDocument
    from flows.segmentation.segment import segment

    article = doc_text(text, source)
    doc = detect_document(ProcessedDocument(article, segment(article)))
    return [s for s in doc.segments if s.kind == "tweet"]


def _spanish(tweet: object) -> bool:
    return tweet.lang.lang == "es" or any(s.lang.lang == "es" for s in tweet.sentences)  # type: ignore[attr-defined]


def articles_report(eval_dir: Path, headline: dict[str, object]) -> None:
    """Embedded tweets in scraped English articles, through ingest → segment → detect:
    found / missed / extra against `articles/tweet_labels.tsv`, attributions (handle and
    date) right, and Spanish decisions right (`en+es` needs a Spanish sentence, `en`, `fa`
    and the rest none); then the scrapinghub articles (all tweets English): found against
    the attribution lines in the raw text, and that none is decided Spanish."""
    folder = eval_dir / "articles"
    rows = [
        dict(
            zip(
                ["file", "handle", "date", "article_lang", "tweet_lang", "note"],
                line.split("\t"),
                strict=False,
            )
        )
        for line in (folder / "tweet_labels.tsv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    ]
    ptc_rows = [r for r in rows if r["file"].startswith("ptc_")]
    found = missed = extra = extra_same = attributed = spanish_right = spanish_judged = 0
    problems: list[str] = []
    for path in sorted((folder / "ptc_semeval2020_task11").glob("*.txt")):
        rel = f"ptc_semeval2020_task11/{path.name}"
        expected = [r for r in ptc_rows if r["file"] == rel]
        tweets = _judged_tweets(path.read_text(encoding="utf-8"), str(path))
        unmatched = list(tweets)
        for row in expected:
            handle = row["handle"].lstrip("@").lower()
            match = next((t for t in unmatched if (t.author_handle or "").lower() == handle), None)
            if match is None:
                missed += 1
                problems.append(f"  missed  {rel} {row['handle']} {row['date']}")
                continue
            unmatched.remove(match)
            found += 1
            if match.posted_on == _parse_written_date(row["date"]):
                attributed += 1
            else:
                problems.append(
                    f"  date    {rel} {row['handle']}: {match.posted_on} vs {row['date']}"
                )
            if row["tweet_lang"] == "missing":
                continue
            spanish_judged += 1
            want = "es" in row["tweet_lang"].split("+")
            got = _spanish(match)
            spanish_right += want == got
            if want != got:
                langs = [s.lang.lang for s in match.sentences]
                problems.append(
                    f"  lang    {rel} {row['handle']}: gold {row['tweet_lang']},"
                    f" tweet {match.lang.lang}, sentences {langs}"
                )
        labelled = {r["handle"].lstrip("@").lower() for r in expected}
        for t in unmatched:
            # tweet_labels.tsv has one row for several tweets by one handle (@Snowden's four).
            same = (t.author_handle or "").lower() in labelled
            extra += not same
            extra_same += same
            kind = "more by a labelled handle" if same else "extra"
            problems.append(f"  {kind}  {rel} @{t.author_handle}: {t.text[:50]!r}")
    print(f"== Articles: PTC SemEval-2020 task 11 ({len(ptc_rows)} labelled attributions)")
    print(
        f"  tweets found {found}, missed {missed}, extra {extra}"
        f" (+{extra_same} more by a handle whose row stands for several tweets)"
    )
    print(f"  attributions parsed (handle and date right): {attributed}/{len(ptc_rows)}")
    print(f"  Spanish decisions right (text present): {spanish_right}/{spanish_judged}")
    print("\n".join(problems) if problems else "  no problems")

    data = json.loads(
        (
            folder / "scrapinghub_article_extraction_benchmark" / "ground-truth.with-tweets.json"
        ).read_text(encoding="utf-8")
    )
    sh_found = sh_spanish = sh_expected = 0
    sh_problems = []
    for key in sorted(data):
        body = data[key]["articleBody"]
        # Counted independently of the segmenter: lines `— Name (@handle) Month D, YYYY`.
        sh_expected += len(re.findall(r"(?m)^—.*\(@\w{1,15}\) \w+ \d{1,2}, \d{4}$", body))
        tweets = _judged_tweets(body, key)
        sh_found += len(tweets)
        for t in tweets:
            if _spanish(t):
                sh_spanish += 1
                sh_problems.append(f"  Spanish? {key[:12]} @{t.author_handle}: {t.text[:60]!r}")
    print(f"== Articles: scrapinghub benchmark ({len(data)} articles, English tweets)")
    print(
        f"  tweets found {sh_found} of {sh_expected} attribution lines in the text"
        f" (the eval README says 21), decided Spanish {sh_spanish}"
    )
    if sh_problems:
        print("\n".join(sh_problems))
    headline["articles_found"] = found
    headline["articles_missed"] = missed
    headline["articles_extra"] = extra
    headline["articles_attributions_right"] = attributed
    headline["articles_spanish_right"] = f"{spanish_right}/{spanish_judged}"
    headline["scrapinghub_found"] = sh_found
    headline["scrapinghub_decided_spanish"] = sh_spanish


# ---------------------------------------------------------------- TweetLID's official metric

# TweetLID 2014 scored macro precision, recall and F1 over these categories; the best system
# of the shared task reached macro-F1 0.752 (constrained and unconstrained tracks alike).
OFFICIAL_CATEGORIES = ("ca", "en", "es", "eu", "gl", "pt", "amb", "und")
BEST_2014_MACRO_F1 = 0.752
# The codes a run may answer (`tweetLID_eval.pl -h`); any other language is `other`.
OFFICIAL_ANSWERS = ("ca", "en", "es", "eu", "gl", "pt", "und", "other")


def official_macro(tweets: Sequence[Tweet], decided: Sequence[str]) -> dict[str, float]:
    """Macro P/R/F1 over `OFFICIAL_CATEGORIES` as the task's own scorer, `tweetLID_eval.pl`
    (SEPLN-TweetLID14, `Code/Evaluation/`), computes them for one answer per tweet:

    - `other` counts as `und`, in the gold and in the answers; an answer outside the
      task's codes (fr, it, another script) is submitted as `other`, so it is `und` too;
    - a single label: the answer is a TP of its class, or an FP of the answer's class and
      an FN of the label's;
    - an ambiguous label (`es/gl`): any of its languages is a TP of `amb`, anything else an
      FP of the answer's class and an FN of `amb`;
    - a mixed label (`es+en`): the answer, if one of them, is a TP of its class; it is an FP
      of its class otherwise; every language of the label not answered is an FN of its own;
    - per class F1 = 2TP / (2TP + FP + FN); the macro P, R and F1 are the means of the
      per-class figures (F1 is not the harmonic mean of macro P and R).

    Checked against the Perl script on random answers over the whole visible half: the same
    P, R and F1 to six places."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for tweet, got in zip(tweets, decided, strict=True):
        answer = got if got in OFFICIAL_ANSWERS else "other"
        answer = "und" if answer == "other" else answer
        label = tweet.label.replace("other", "und", 1)
        parts = re.split(r"[+/]", label)
        if "/" in label and "+" not in label:
            if answer in parts:
                tp["amb"] += 1
            else:
                fp[answer] += 1
                fn["amb"] += 1
        elif "+" in label:
            right = answer in parts
            (tp if right else fp)[answer] += 1
            for lang in _required(label):
                if not (right and lang == answer):
                    fn[lang] += 1
        elif answer == label:
            tp[answer] += 1
        else:
            fp[answer] += 1
            fn[label] += 1
    out: dict[str, float] = {}
    for cat in OFFICIAL_CATEGORIES:
        p = tp[cat] / (tp[cat] + fp[cat]) if tp[cat] + fp[cat] else 0.0
        r = tp[cat] / (tp[cat] + fn[cat]) if tp[cat] + fn[cat] else 0.0
        denominator = 2 * tp[cat] + fp[cat] + fn[cat]
        out[cat] = 2 * tp[cat] / denominator if denominator else 0.0
        out[f"{cat}_p"], out[f"{cat}_r"] = p, r
    out["macro_p"] = statistics.mean(out[f"{c}_p"] for c in OFFICIAL_CATEGORIES)
    out["macro_r"] = statistics.mean(out[f"{c}_r"] for c in OFFICIAL_CATEGORIES)
    out["macro_f1"] = statistics.mean(out[c] for c in OFFICIAL_CATEGORIES)
    return out


def _required(label: str) -> list[str]:
    """The languages a mixed label requires, as the scorer reads them: `a+b/c` and `a/b+c`
    stand for two alternatives (a+b or a+c; a+c or b+c) and the first one is required."""
    if found := re.fullmatch(r"(\w+)\+(\w+)/(\w+)", label):
        return [found[1], found[2]]
    if found := re.fullmatch(r"(\w+)/(\w+)\+(\w+)", label):
        return [found[1], found[3]]
    return label.split("+")


def official_report(tweets: list[Tweet], decided: Sequence[str], headline: dict) -> None:
    m = official_macro(tweets, decided)
    print(f"== TweetLID 2014 official metric (macro over {', '.join(OFFICIAL_CATEGORIES)})")
    print("   " + "  ".join(f"{c} {m[c]:.3f}" for c in OFFICIAL_CATEGORIES))
    print(
        f"   macro P {m['macro_p']:.3f}  R {m['macro_r']:.3f}  F1 {m['macro_f1']:.3f}"
        f"   (best system of the 2014 task: {BEST_2014_MACRO_F1})"
    )
    headline["tweetlid_official_macro_f1"] = round(m["macro_f1"], 3)


# ---------------------------------------------------------------- layout benchmark

LAYOUT_SUMMARY_RE = re.compile(
    r"recall (?P<recall>[\d.]+) .*extent exact (?P<extent>[\d.]+) .*char-F1 (?P<char_f1>[\d.]+), "
    r"Spanish F1 (?P<es_f1>[\d.]+) \(P (?P<es_p>[\d.]+), R (?P<es_r>[\d.]+)\), (?P<extra>\d+) extra"
)


def layouts_report(eval_dir: Path, seeds: Sequence[int], headline: dict[str, object]) -> None:
    """The layout benchmarks through `bilingual run` as a user runs it (Apertium, tweets in
    scope), scored by `tools/check_layouts.py`: the visible sets (seed 7: paragraph and line
    bodies, glued and spaced bodies) and sets generated with other seeds; then the real
    scrapes, scored by `tools/check_articles.py`."""
    with tempfile.TemporaryDirectory() as tmp:
        sets = [
            ("visible (seed 7)", eval_dir / "layouts"),
            ("glued visible (seed 7)", eval_dir / "layouts-glued"),
        ]
        for seed in seeds:
            for glued in (False, True):
                dest = Path(tmp) / f"seed{seed}{'-glued' if glued else ''}"
                subprocess.run(
                    [
                        sys.executable,
                        str(eval_dir / "tools" / "make_layouts.py"),
                        *("--n", "400", "--seed", str(seed)),
                        *("--tweets", str(eval_dir / "tweetlid2014" / "tweets.tsv")),
                        *("--dest", str(dest)),
                        *(("--styles", "G,S", "--layouts", "all") if glued else ()),
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                sets.append((f"{'glued ' if glued else ''}seed {seed}", dest))
        for name, truth in sets:
            out = _run_over(truth / "articles", Path(tmp) / f"out-{truth.name}-{len(name)}")
            done = subprocess.run(
                [
                    sys.executable,
                    str(eval_dir / "tools" / "check_layouts.py"),
                    str(out),
                    str(truth),
                ],
                capture_output=True,
                text=True,
            )
            print(f"== layout benchmark, {name}: bilingual run, then check_layouts.py")
            print(done.stdout.rstrip())
            found = LAYOUT_SUMMARY_RE.search(done.stdout)
            if found:
                key = f"layouts_{name.replace('(seed 7)', '').strip().replace(' ', '_')}"
                headline[key] = {k: float(v) for k, v in found.groupdict().items()}
        real = sorted((eval_dir / "articles" / "real_scrapes").glob("*/"))
        if real:
            copy = Path(tmp) / "real_scrapes"
            copy.mkdir()
            for path in sorted(p for d in real for p in d.glob("*.txt")):
                (copy / path.name).write_bytes(path.read_bytes())
            out = _run_over(copy, Path(tmp) / "out-real")
            done = subprocess.run(
                [sys.executable, str(eval_dir / "tools" / "check_articles.py"), str(out)]
                + [str(d) for d in real],
                capture_output=True,
                text=True,
            )
            print("== real scrapes: bilingual run, then check_articles.py")
            print(done.stdout.rstrip())


def _run_over(articles: Path, out: Path) -> Path:
    """`bilingual run` over a folder of articles, as a user runs it."""
    subprocess.run(
        [
            *(sys.executable, "-c", "from flows.cli import main; main()"),
            *("run", str(articles), "--out", str(out)),
            *("--engine", "apertium", "--no-progress"),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--json", action="store_true", help="One JSON line of headline numbers.")
    parser.add_argument("--articles", action="store_true", help="Only the articles section.")
    parser.add_argument("--layouts", action="store_true", help="Only the layout benchmark.")
    parser.add_argument(
        "--layout-seeds",
        type=int,
        nargs="*",
        default=[99],
        help="Also score layout sets generated with these seeds (default: 99).",
    )
    parser.add_argument("--timing-texts", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not (args.eval_dir / "README.md").exists():
        raise SystemExit(f"no evaluation data in {args.eval_dir} (see --eval-dir)")
    headline: dict[str, object] = {"headline_rule": HEADLINE}
    if args.json:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            _run(args, headline)
        print(json.dumps(headline, sort_keys=True))
    else:
        _run(args, headline)


def _run(args: argparse.Namespace, headline: dict[str, object]) -> None:
    if args.layouts:
        layouts_report(args.eval_dir, args.layout_seeds, headline)
        return
    if not args.articles:
        tweets = read_tweetlid(args.eval_dir)
        ours = tweetlid_report(tweets, headline)
        official_report(tweets, ours, headline)
        calcs_report(args.eval_dir, headline)
        speed_report(tweets, args.timing_texts, args.repeats, headline)
        layouts_report(args.eval_dir, args.layout_seeds, headline)
    articles_report(args.eval_dir, headline)


if __name__ == "__main__":
    main()
