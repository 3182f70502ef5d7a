"""How runs are wired: the plan's bookkeeping, worker processes, Dask, progress, the local
Prefect server, the runner and what a run tells Prefect."""
