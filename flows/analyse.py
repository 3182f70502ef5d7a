"""Segmentation and detection of a batch of articles, in worker processes when there are
cores to spare: detection is pure Python, so threads would take turns on one core (the GIL).
Nothing here imports Prefect: a worker process loads only the stage modules."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache

from flows.detect import detect_document
from flows.records import Article, ProcessedDocument
from flows.segment import segment


def default_workers() -> int:
    """One worker process per core."""
    return os.cpu_count() or 1


def analyse_articles(articles: Sequence[Article]) -> list[ProcessedDocument]:
    """Segment and detect `articles`, in this process."""
    return [detect_document(ProcessedDocument(a, segment(a))) for a in articles]


def analyse_in_workers(articles: Sequence[Article], workers: int) -> list[ProcessedDocument]:
    """`analyse_articles` in one of `workers` processes (in this one when `workers` is 1).
    The same documents either way: the stage functions are deterministic."""
    if workers <= 1:
        return analyse_articles(articles)
    return worker_pool(workers).submit(analyse_articles, list(articles)).result()


@cache
def worker_pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of `workers` processes, started on first use and kept (a scheduled
    deployment reuses it run after run). `forkserver`, not `fork`: the flow's process runs
    threads (Prefect's), which a forked child must not inherit mid-lock."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
