"""Apertium engine: Debian's rule-based `apertium` (e.g. `apertium-eng-spa`), many sentences
per process call, sentence boundaries kept by blank lines."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from flows import languages
from flows.engines import ArgosOptions
from flows.errors import EngineUnavailable
from flows.records import Translation

# Apertium names its language pairs with ISO 639-3 codes.
ISO3 = {"es": "spa", "en": "eng", "ca": "cat", "pt": "por", "fr": "fra", "gl": "glg", "it": "ita"}
MODES_DIR = Path("/usr/share/apertium/modes")
# Without -u, Apertium prefixes unknown words with `*` (and generation/transfer gaps with `#`/`@`),
# also right after punctuation (`"*palabra`). Entities are masked before Apertium sees the text,
# so every such mark in its output is Apertium's own.
MARKED_WORD_RE = re.compile(r"(?<!\w)[*#@]([^\W\d_]\w*)")
WORD_RE = re.compile(r"[^\W\d_]+")
SEPARATOR = "\n\n"
# Bump when `_clean` changes what it makes of Apertium's output.
POSTPROCESS_VERSION = "2"
# A full stop Apertium adds after an abbreviation it expands at the end of a sentence
# (`Washington, DC.` → `Washington, D.C..`): two stops that are not an ellipsis.
DOUBLED_STOP_RE = re.compile(r"(?<!\.)\.\.$")
TIMEOUT_S = 600


def mode_name(source: str, target: str) -> str:
    return f"{ISO3.get(source, source)}-{ISO3.get(target, target)}"


def is_available(source: str, target: str) -> bool:
    """True when the `apertium` command and the pair's mode are installed."""
    return shutil.which("apertium") is not None and (
        (MODES_DIR / f"{mode_name(source, target)}.mode").exists()
    )


def why_unavailable(source: str, target: str) -> str | None:
    """None when the pair is installed, else how to get it (or that Debian has none)."""
    if is_available(source, target):
        return None
    package = languages.apertium_package(source, target)
    if package is None:
        return (
            f"Debian has no Apertium {source}→{target} pair; use an Argos package: "
            f"`bilingual models install --from {source} --to {target}`"
        )
    return (
        f"Apertium {source}→{target} is not installed; install it with `apt-get install {package}`"
    )


def create(
    source: str, target: str, options: ArgosOptions, *, skip_unusable: bool
) -> ApertiumEngine:
    """The engine for an installed pair (Apertium has no options of its own)."""
    return ApertiumEngine(source, target)


def pair_version(source: str, target: str) -> str:
    """The Debian package version of the language pair, for the model id."""
    return package_version(
        "apertium-" + "-".join(sorted((ISO3.get(source, source), ISO3.get(target, target))))
    )


def package_version(package: str) -> str:
    """The installed Debian version of `package`, or `unknown`."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


class ApertiumEngine:
    """`translate_batch` sends every sentence in one `apertium` call. The score is the share
    of the sentence's words that Apertium's dictionaries knew (1.0: all of them)."""

    name = "apertium"

    def __init__(self, source: str, target: str) -> None:
        if not is_available(source, target):
            raise EngineUnavailable(f"Apertium {mode_name(source, target)} is not installed")
        self.mode = mode_name(source, target)
        self.model_id = f"apertium/{self.mode}@{pair_version(source, target)}"

    def signature(self) -> str:
        """The pair and its package version, the Apertium and lttoolbox versions that run
        it, and this engine's post-processing."""
        return (
            f"engine:{self.name}|model:{self.model_id}"
            f"|apertium:{package_version('apertium')}|lttoolbox:{package_version('lttoolbox')}"
            f"|post:{POSTPROCESS_VERSION}"
        )

    def translate_batch(
        self, sentences: Sequence[str], stats: Counter[str] | None = None
    ) -> list[Translation]:
        """Counted in `stats`: `apertium.fallback_batches` (a lost sentence boundary made
        the batch go one call per sentence) and `apertium.doubled_stops_fixed`."""
        stats = Counter() if stats is None else stats
        if not sentences:
            return []
        flat = [" ".join(s.split()) for s in sentences]
        outputs = self._run(SEPARATOR.join(flat) + SEPARATOR).split(SEPARATOR)
        outputs = [o.strip() for o in outputs]
        while outputs and not outputs[-1]:
            outputs.pop()
        if len(outputs) != len(flat):  # a boundary was lost: fall back to one call each
            stats["apertium.fallback_batches"] += 1
            outputs = [self._run(s + "\n").strip() for s in flat]
        cleaned = [self._clean(s, o) for s, o in zip(flat, outputs, strict=True)]
        stats["apertium.doubled_stops_fixed"] += sum(
            DOUBLED_STOP_RE.search(o) is not None and not DOUBLED_STOP_RE.search(t.text)
            for o, t in zip(outputs, cleaned, strict=True)
        )
        return cleaned

    def _run(self, text: str) -> str:
        try:
            done = subprocess.run(
                ["apertium", self.mode],
                input=text,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineUnavailable(f"apertium {self.mode} failed: {exc}") from exc
        if done.returncode != 0:
            reason = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
            raise EngineUnavailable(f"apertium {self.mode} failed: {reason[0]}")
        return done.stdout

    @staticmethod
    def _clean(source: str, output: str) -> Translation:
        """Unknown-word marks removed, a doubled full stop at the end made one (unless the
        source ends with one too), and the score."""
        words = [w for w in WORD_RE.findall(source) if not w.startswith("ZXQ")]
        unknown = [m for m in MARKED_WORD_RE.finditer(output) if not m.group(1).startswith("ZXQ")]
        score = 1.0 - min(len(unknown), len(words)) / len(words) if words else None
        text = MARKED_WORD_RE.sub(r"\1", output)
        if not DOUBLED_STOP_RE.search(source):
            text = DOUBLED_STOP_RE.sub(".", text)
        return Translation(text, score)
