"""Segmentation and detection of a batch of articles, in worker processes when there are
cores to spare: detection is pure Python, so threads would take turns on one core (the GIL).
Nothing here imports Prefect: a worker process loads only the stage modules."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection

from flows.language.detection import detect_document
from flows.readers.html_page import with_embeds
from flows.records import Article, ProcessedDocument
from flows.segmentation.segment import segment


def default_workers() -> int:
    """One worker process per core."""
    return os.cpu_count() or 1


def analyse_articles(articles: Sequence[Article]) -> list[ProcessedDocument]:
    """Segment and detect `articles`, in this process."""
    return [detect_document(ProcessedDocument(a, with_embeds(a, segment(a)))) for a in articles]


def analyse_in_workers(articles: Sequence[Article], workers: int) -> list[ProcessedDocument]:
    """`analyse_articles` in one of `workers` processes (in this one when `workers` is 1).
    The same documents either way: the stage functions are deterministic."""
    if workers <= 1:
        return analyse_articles(articles)
    return worker_pool(workers).submit(analyse_articles, list(articles)).result()


def worker_pool(workers: int) -> WorkerPool:
    """The process's pool of `workers` processes, started on first use and kept (a scheduled
    deployment reuses it run after run)."""
    with _POOLS_LOCK:  # analysis tasks run in several threads
        if workers not in _POOLS:
            _POOLS[workers] = WorkerPool(workers)
        return _POOLS[workers]


def stop_worker_pools(*, wait: bool) -> None:
    """Shut down every pool this process started: waiting for their workers to finish
    (a served run ends), or ending them at once (a run stopped by a signal)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        if wait:
            pool.shutdown()
        else:
            pool.stop()


@contextmanager
def workers_stopped_if_interrupted() -> Iterator[None]:
    """A run stopped by Ctrl-C or SIGTERM (raised in the flow by Prefect's own handler)
    ends its workers at once: else Prefect's task runner, on the way out, would wait for
    each to finish its current task."""
    try:
        yield
    except Exception:
        raise
    except BaseException:
        stop_worker_pools(wait=False)
        raise


class WorkerPool(ProcessPoolExecutor):
    """A process pool whose workers cannot outlive the process that owns it. `forkserver`,
    not `fork`: the flow's process runs threads (Prefect's), which a forked child must not
    inherit mid-lock.

    A killed owner (SIGKILL, the OOM killer) runs no clean-up, and its workers would wait
    for work forever: each holds the write end of its own task queue and of the
    forkserver's "alive" pipe, so neither the workers nor the forkserver nor its resource
    tracker would ever see EOF. So every worker watches a lifeline, a pipe whose only write
    end this process holds: the kernel closes it when this process dies, however it dies,
    and the worker exits; then the forkserver and the tracker see EOF and exit too.
    (`PR_SET_PDEATHSIG` would not do: a worker's parent is the forkserver, which outlives
    its workers by design.)"""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("forkserver")
        self._lifeline, self._held = context.Pipe(duplex=False)  # (read end, write end)
        super().__init__(
            workers, mp_context=context, initializer=_exit_with_owner, initargs=(self._lifeline,)
        )

    def stop(self) -> None:
        """End the workers now, mid-task (closing the lifeline makes each exit); the pool's
        own thread then fails what was submitted."""
        self._held.close()
        self.shutdown(wait=False, cancel_futures=True)


def _exit_with_owner(lifeline: Connection) -> None:
    """Worker initializer: a thread that ends this worker once the lifeline's write end is
    closed (its owner died, or stopped the pool)."""

    def watch() -> None:
        with suppress(EOFError, OSError):
            lifeline.recv_bytes()  # nothing is ever sent: this returns at EOF only
        os._exit(1)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


_POOLS: dict[int, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()
