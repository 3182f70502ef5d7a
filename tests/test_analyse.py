"""Segmentation and detection in worker processes give the documents of one process."""

from __future__ import annotations

from flows.analyse import analyse_articles, analyse_in_workers, worker_pool
from flows.ingest import doc_text


def test_two_worker_processes_give_the_same_documents_as_this_one(seed_text: str) -> None:
    articles = [doc_text(seed_text, "/in/seed.txt"), doc_text("Título\nHola, ¿qué tal?", "/b")]
    here = analyse_articles(articles)
    assert analyse_in_workers(articles, 2) == here
    assert analyse_in_workers(articles, 1) == here
    assert worker_pool(2) is worker_pool(2)  # started once, reused run after run
