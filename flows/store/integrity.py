"""`bilingual check`: find the damaged Parquet files under an output root and, with
`--repair`, move them aside so that the next run processes their inputs again.

A file is damaged when its footer cannot be read or its schema is not its dataset's (its key
column missing, or a column of another type; a column added by a later version may be
absent). Repair moves every file of the run that wrote a damaged one (its documents,
segments, pairs, rejects and `runs` row) to `<root>/.quarantine/`, keeping their paths: the
run's rows go together, so no document is left half there, and the next run reads those
inputs anew."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.errors import BilingualError, DamagedFile
from flows.store import datasets
from flows.store.lock import output_lock

QUARANTINE = ".quarantine"


@dataclass(frozen=True)
class Damage:
    """A file that cannot be read as part of its dataset, and why (one line)."""

    path: Path
    reason: str


def problem(path: Path, dataset: str) -> str | None:
    """Why the Parquet file `path` of `dataset` cannot be read, or None if it can."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        return one_line(exc)
    expected = datasets.SCHEMAS[dataset]
    found = {f.name: f.type for f in schema}
    key = expected.field(0)  # doc_id, run_id or source_path: what the dataset's rows hang on
    if key.name not in found:
        return f"no column {key.name!r}"
    for field in expected:  # a column added since the file was written may be missing
        if field.name in found and found[field.name] != field.type:
            return f"column {field.name!r} is {found[field.name]}, not {field.type}"
    return None


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def damaged_files(root: Path) -> list[Damage]:
    """Every damaged file of every dataset under `root`, in path order."""
    found = []
    for dataset in datasets.DATASETS:
        for path in datasets.part_files(root, dataset):
            reason = problem(path, dataset)
            if reason is not None:
                found.append(Damage(path, reason))
    return found


def raise_if_damaged(root: Path) -> None:
    """Stop with `DamagedFile` (naming the first damaged file) before a run reads `root`."""
    damaged = damaged_files(root)
    if damaged:
        raise DamagedFile(damaged[0].path, damaged[0].reason, root)


def repair(root: Path, damaged: Sequence[Damage]) -> list[tuple[Path, Path]]:
    """Move every file of the runs that wrote a `damaged` file under `<root>/.quarantine/`;
    returns `(from, to)` pairs. The caller holds the output lock."""
    runs = {datasets.run_id_of(d.path) for d in damaged}
    moves = []
    for dataset in datasets.DATASETS:
        for path in datasets.part_files(root, dataset):
            if datasets.run_id_of(path) in runs:
                target = root / QUARANTINE / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                moves.append((path, target))
    return moves


@dataclass(frozen=True)
class CheckReport:
    """What `bilingual check` found under an output root, and what `--repair` moved."""

    root: Path
    files: int  # Parquet files read
    damaged: tuple[Damage, ...]
    moves: tuple[tuple[Path, Path], ...] = ()

    @property
    def runs_moved(self) -> int:
        return len({datasets.run_id_of(source) for source, _ in self.moves})


def check_root(root: Path, *, repair_damage: bool = False) -> CheckReport:
    """Read every Parquet file's footer and schema under `root`; with `repair_damage`, move
    the runs that wrote a damaged file aside (under the output lock), so that the next run
    processes their inputs again."""
    if not root.is_dir():
        raise BilingualError(f"{root}: no output root here; run `bilingual run --out {root}` first")
    files = sum(len(datasets.part_files(root, dataset)) for dataset in datasets.DATASETS)
    damaged = tuple(damaged_files(root))
    if not damaged or not repair_damage:
        return CheckReport(root, files, damaged)
    with output_lock(root):
        moves = repair(root, damaged_files(root))
    return CheckReport(root, files, damaged, tuple(moves))
