"""Signatures, sacrebleu style: `name:value|name:value…`, saying what made an output. Each
stage exposes `signature()` (its name, version and every option that changes its output);
a run's signature (`flows.store.datasets.run_signature`) joins them and goes into every
file's metadata and the `runs` row. This module imports no stage: the stages import it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any


def join(*parts: str) -> str:
    """Signatures and `name:value` pairs joined with `|`, empty parts left out."""
    return "|".join(p for p in parts if p)


def rules_digest(namespace: Mapping[str, Any]) -> str:
    """12 hex digits of a hash of a module's rule constants: every upper-case module-level
    name holding a pattern, number, string or collection of them. Editing a word list, a
    regular expression or a threshold changes it; editing a comment or a function does not
    (that is what a module's `RULES_VERSION` is bumped for)."""
    rules = {k: _canonical(v) for k, v in namespace.items() if k.lstrip("_").isupper()}
    kept = {k: v for k, v in sorted(rules.items()) if v is not _SKIP}
    blob = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


_SKIP = object()


def _canonical(value: Any) -> Any:
    """A JSON-able form of `value` that is the same in every process (sets sorted)."""
    if isinstance(value, re.Pattern):
        return ["re", value.pattern, value.flags]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        items = [_canonical(v) for v in value]
        return _SKIP if any(i is _SKIP for i in items) else items
    if isinstance(value, set | frozenset):
        items = [_canonical(v) for v in value]
        if any(i is _SKIP for i in items):
            return _SKIP
        return sorted(items, key=lambda i: json.dumps(i, ensure_ascii=False))
    if isinstance(value, dict):
        pairs = {str(k): _canonical(v) for k, v in value.items()}
        return _SKIP if any(v is _SKIP for v in pairs.values()) else pairs
    return _SKIP
