"""Are the detect stage's decisions the same as at another revision? A speed change to
`flows/language/detection.py` must not move a single decision; this compares every one.

    uv run python benchmarks/detect_identity.py [--rev REV] [--corpus DIR ...]

`flows/language/detection.py` as committed at REV (default: HEAD) is loaded into a module of its own
(`detect_at`) beside the working tree's, and both judge, on the same segments:

- every TweetLID 2014 tweet (`../shared/eval/tweetlid2014/tweets.tsv`), alone and with
  `en` and `es` as the article's language;
- every article of the layout set (`../shared/eval/layouts/articles`) and of each `--corpus`
  folder through `detect_document` (the article, every segment, every sentence), and every
  line of those articles alone (the segmenter judges lines and bodies with `detect`), with
  and without the second opinion when both revisions have it.

A decision is the whole `LangDecision` (language, probability, candidates, reason). Prints
how many differ (0 when the change is a pure speed change) and how many are Spanish.
"""

from __future__ import annotations

import argparse
import inspect
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
TWEETS = EVAL / "tweetlid2014" / "tweets.tsv"
LAYOUTS = EVAL / "layouts" / "articles"


# Before issue 21 grouped `flows/` by role the stage was `flows/detect.py` and its helpers sat
# at the top of `flows`; the moves changed no code, so an older revision's stage runs on the
# working tree's helpers once its imports name their new places.
_MOVED = (
    ("from flows import entities", "from flows.text import entities"),
    ("from flows import langdetect_backend", "from flows.language import langdetect_backend"),
    ("from flows import second_opinion", "from flows.language import second_opinion"),
    ("from flows.langdetect_backend import", "from flows.language.langdetect_backend import"),
)


def _source_at(rev: str) -> str:
    for path in ("flows/language/detection.py", "flows/detect.py"):
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True, text=True
        )
        if shown.returncode == 0:
            source = shown.stdout
            for old, new in _MOVED:
                source = source.replace(old, new)
            return source
    raise FileNotFoundError(f"no detect stage at {rev}")


def detect_at(rev: str) -> types.ModuleType:
    """`flows/language/detection.py` as committed at `rev` (`flows/detect.py` before issue 21),
    as a module of its own (its own caches; the rest of `flows` is the working tree's)."""
    source = _source_at(rev)
    name = f"detect_at_{rev.replace('-', '_').replace('.', '_')}"
    module = types.ModuleType(name)
    module.__file__ = f"{rev}:flows/language/detection.py"
    sys.modules[name] = module  # dataclasses and typing look the module up by name
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def takes_second_opinion(module: types.ModuleType) -> bool:
    """Whether the module's `detect` has the `second_opinion` switch (since issue 9)."""
    return "second_opinion" in inspect.signature(module.detect).parameters


def tweets() -> list[str]:
    return [line.split("\t", 3)[3] for line in TWEETS.read_text(encoding="utf-8").splitlines()]


def segmented(folders: list[Path]) -> list[Any]:
    """Every article of `folders`, ingested and segmented once by the working tree."""
    from flows.readers.inputs import articles_under
    from flows.records import ProcessedDocument
    from flows.segmentation.segment import segment

    found, _ = articles_under([str(f) for f in folders])
    return [ProcessedDocument(a, segment(a)) for a in found]


def decisions(doc: Any) -> Iterator[tuple[str, Any]]:
    """(what, decision) for the article, each segment and each sentence of a judged doc."""
    yield "article", doc.lang
    for seg in doc.segments:
        yield seg.kind, seg.lang
        for sentence in seg.sentences:
            yield f"{seg.kind} sentence", sentence.lang


def compare(
    label: str, items: list[Any], old: Callable[[Any], list[Any]], new: Callable[[Any], list[Any]]
) -> int:
    """Compare the decision lists `old(item)` and `new(item)` for every item; print counts
    and the first differences; return how many differ."""
    total = spanish = differ = spanish_differ = 0
    shown = 0
    for item in items:
        for (what, a), (_, b) in zip(old(item), new(item), strict=True):
            total += 1
            spanish += b.lang == "es"
            if a != b:
                differ += 1
                spanish_differ += (a.lang == "es") != (b.lang == "es")
                if shown < 5:
                    shown += 1
                    print(f"    differs ({what}): {a} -> {b}")
    print(
        f"  {label:<52} {total:7,d} decisions ({spanish:6,d} Spanish): {differ} differ, "
        f"{spanish_differ} Spanish yes/no differ"
    )
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rev", default="HEAD", help="revision to compare with (default HEAD)")
    parser.add_argument("--corpus", type=Path, nargs="*", default=[], help="more article folders")
    args = parser.parse_args()
    if not (TWEETS.exists() and LAYOUTS.exists()):
        sys.exit(f"needs {TWEETS} and {LAYOUTS}")
    from flows.language import detection as new

    old = detect_at(args.rev)
    print(f"flows/language/detection.py at {args.rev} against the working tree")
    differ = 0
    texts = tweets()
    for context in (None, "en", "es"):
        differ += compare(
            f"TweetLID tweets, context {context}",
            texts,
            lambda t, c=context: [("tweet", old.detect(t, c))],
            lambda t, c=context: [("tweet", new.detect(t, c))],
        )
    for folder in [LAYOUTS, *args.corpus]:
        docs = segmented([folder])
        differ += compare(
            f"{folder.parent.name}/{folder.name}: {len(docs)} articles, detect_document",
            docs,
            lambda d: list(decisions(old.detect_document(d))),
            lambda d: list(decisions(new.detect_document(d))),
        )
        lines = list(dict.fromkeys(x for d in docs for x in d.article.text.split("\n") if x))
        differ += compare(
            f"{folder.parent.name}/{folder.name}: every line alone",
            lines,
            lambda t: [("line", old.detect(t))],
            lambda t: [("line", new.detect(t))],
        )
        if all(takes_second_opinion(m) for m in (old, new)):  # as the segmenter judges lines
            differ += compare(
                f"{folder.parent.name}/{folder.name}: every line, no second opinion",
                lines,
                lambda t: [("line", old.detect(t, second_opinion=False))],
                lambda t: [("line", new.detect(t, second_opinion=False))],
            )
    print("same decisions" if differ == 0 else f"{differ} decisions differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
