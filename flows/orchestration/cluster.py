"""Work sent to a Dask cluster as plain functions: the flow's Prefect tasks run in the flow's
process (one per batch, as with local workers) and each waits on one Dask future. A Prefect
task run in a Dask worker rebuilt Prefect's settings and two API clients each time (~0.35 s
of CPU a task, on every core of the cluster); a plain function costs Dask's own overhead
only, and its workers need neither Prefect nor the API. A worker lost mid-task costs
that task's time: Dask runs the function again on another worker (it is deterministic).

Dask is imported inside functions: a threaded run never loads it (~1 s)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from flows.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client

P = ParamSpec("P")
T = TypeVar("T")
CONNECT_TIMEOUT_S = 20


@contextmanager
def local_cluster(workers: int) -> Iterator[str]:
    """A Dask cluster of `workers` single-threaded processes on 127.0.0.1 for as long as
    the block runs; yields its scheduler's address. Its workers end with this process
    (each watches a pipe from its nanny, which lives in this process)."""
    from distributed import LocalCluster  # Dask only for a Dask run (start-up time)

    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield str(cluster.scheduler_address)


def client(address: str) -> Client:
    """This process's client of the scheduler at `address`, connected on first use and
    kept until `disconnect`; a scheduler that does not answer is one `error:` line."""
    with _LOCK:
        if address not in _CLIENTS:
            from distributed import Client  # Dask only for a Dask run (start-up time)

            try:
                connected = Client(  # type: ignore[no-untyped-call]
                    address, timeout=CONNECT_TIMEOUT_S, set_as_default=False
                )
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(
                    f"no Dask scheduler answers at {address!r} ({CONNECT_TIMEOUT_S} s): {exc}"
                ) from None
            _CLIENTS[address] = connected
        return _CLIENTS[address]


def threads(address: str) -> int:
    """How many tasks the cluster at `address` runs at once (its workers' threads)."""
    return sum(client(address).nthreads().values())  # type: ignore[no-untyped-call]


def run(address: str, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)` on a worker of the cluster at `address`; its result."""
    future = client(address).submit(function, *args, pure=False, **kwargs)
    result: T = future.result()
    return result


def disconnect() -> None:
    """Close every client this process opened (the cluster keeps running)."""
    with _LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
    for each in clients:
        each.close()  # type: ignore[no-untyped-call]


_CLIENTS: dict[str, Client] = {}
_LOCK = threading.Lock()
