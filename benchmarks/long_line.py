"""How long one very long line takes through ingest, segment and detect, and the peak
memory: the figures behind `flows.readers.ingest.MAX_BYTES`. Three shapes: the seed's prose
joined on one line (many sentences), the same words without sentence ends (one sentence), and a
glued body as scrapers leave it (blocks joined with nothing, a tweet and its attribution glued into
the prose every few sentences).

    uv run python benchmarks/long_line.py [MEGABYTES ...]   # default: 0.25 0.5 1
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from flows.language.detection import detect_document
from flows.readers.ingest import read_article
from flows.records import Article, ProcessedDocument
from flows.segmentation.segment import segment

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_fb888b10f3d357a7.txt"


GLUED_TWEET = (
    "Qué vergüenza, otra vez sin autobús #Transporte pic.twitter.com/Ab12Cd34Ef"
    "— Lucía Martín (@lucia_martin) April 13, 2023"
)


def one_line(megabytes: float, shape: str) -> str:
    words = " ".join(SEED.read_text(encoding="utf-8").split())
    if shape == "no sentence":
        words = words.replace(".", " ").replace("?", " ").replace("!", " ")
    if shape == "glued":
        words = words.replace(". ", "." + GLUED_TWEET, 3)
    size = int(megabytes * 1_000_000)
    return "A title\n" + (words + " ") * (size // (len(words) + 1)) + "\n"


def main(sizes: list[float]) -> None:
    print(f"{'MB':>6} {'shape':<12} {'ingest s':>9} {'segment s':>10} {'detect s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for megabytes in sizes:
            for shape in ("sentences", "no sentence", "glued"):
                path = Path(tmp) / "long.txt"
                path.write_text(one_line(megabytes, shape), encoding="utf-8")
                t0 = time.perf_counter()
                article = read_article(path)
                t1 = time.perf_counter()
                assert isinstance(article, Article), article
                segments = segment(article)
                t2 = time.perf_counter()
                detect_document(ProcessedDocument(article, segments))
                t3 = time.perf_counter()
                print(
                    f"{megabytes:>6g} {shape:<12} {t1 - t0:>9.2f} {t2 - t1:>10.2f} {t3 - t2:>9.2f}",
                    flush=True,
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [0.25, 0.5, 1.0])
