"""Segmentation and detection in worker processes give the documents of one process."""

from __future__ import annotations

import os
import time

from flows.orchestration.analyse import (
    WorkerPool,
    analyse_articles,
    analyse_in_workers,
    worker_pool,
)
from flows.readers.ingest import doc_text
from tests.support.procs import is_alive


def test_two_worker_processes_give_the_same_documents_as_this_one(seed_text: str) -> None:
    articles = [doc_text(seed_text, "/in/seed.txt"), doc_text("Título\nHola, ¿qué tal?", "/b")]
    here = analyse_articles(articles)
    assert analyse_in_workers(articles, 2) == here
    assert analyse_in_workers(articles, 1) == here
    assert worker_pool(2) is worker_pool(2)  # started once, reused run after run


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_stopped_pool_ends_its_workers_mid_task() -> None:
    pool = WorkerPool(2)
    pids = set(pool.map(pid_after, [0.5, 0.5]))  # both busy at once: two processes
    assert len(pids) == 2
    busy = [pool.submit(time.sleep, 60) for _ in pids]
    time.sleep(0.2)
    pool.stop()
    deadline = time.monotonic() + 5
    while any(map(is_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(is_alive, pids))  # not sleeping their 60 s
    for future in busy:
        assert future.exception(timeout=5) is not None
