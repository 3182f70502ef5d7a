"""Argos model management behind `bilingual models list | install`: list installed
packages, validate a `.argosmodel` file, install it, or fetch one from the Argos index.

Installation goes through `argostranslate.package.install_from_path`, with two adjustments
(see `_install_with_argos`): its target directory is pointed at `packages_dir()` for the call,
and its cache-clearing import of `argostranslate.translate` (stanza, torch) is stubbed out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import types
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from flows.engines import argos
from flows.engines.argos import packages_dir as packages_dir  # re-exported for the CLI
from flows.errors import ModelPackageError

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
# metadata.json is a few hundred bytes; a bigger one is not read into memory.
MAX_METADATA_BYTES = 1024 * 1024
# A member expanding more than this many times (above a few MB) is a zip bomb: model weights
# and tokenizers compress by 1.1–4×.
MAX_EXPANSION_RATIO = 100
MIN_SIZE_FOR_RATIO = 4 * 1024 * 1024
# How long an installed package may take to load and translate one sentence.
PROBE_TIMEOUT_S = 120.0
PROBE_SENTENCE = "Hola, ¿cómo estás?"
NETWORK_TIMEOUT_S = 15.0
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
_INSTALL_LOCK = threading.Lock()


@dataclass(frozen=True)
class InstalledModel:
    """One installed Argos package."""

    code: str
    from_code: str
    to_code: str
    version: str
    path: Path


def list_installed() -> list[InstalledModel]:
    """Installed translation packages in `packages_dir()`, sorted by language pair."""
    models = [_installed_model(p) for p in argos.installed_packages()]
    return sorted(models, key=lambda m: (m.from_code, m.to_code, m.version, str(m.path)))


def _installed_model(package: Any) -> InstalledModel:
    return InstalledModel(
        code=argos.package_code(package),
        from_code=package.from_code,
        to_code=package.to_code,
        version=package.package_version,
        path=Path(package.package_path),
    )


def validate_package_file(
    path: Path | str,
    source: str,
    target: str,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> dict[str, Any]:
    """The `metadata.json` of the `.argosmodel` at `path`, after checking it is a safe zip of
    one directory holding a `source`→`target` translation package; else `ModelPackageError`
    with a one-line message."""
    metadata, _ = _inspect(Path(path), source, target, max_uncompressed)
    return metadata


def _inspect(
    path: Path, source: str, target: str, max_uncompressed: int
) -> tuple[dict[str, Any], str]:
    """(metadata, top-level directory name) of a valid package file."""
    if not path.exists():
        raise ModelPackageError(f"{path}: no such file")
    if not path.is_file():
        raise ModelPackageError(f"{path}: not a file")
    not_zip = ModelPackageError(f"{path}: not an Argos model package (not a zip archive)")
    if not zipfile.is_zipfile(path):
        raise not_zip
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            top = _check_members(path, members, max_uncompressed)
            raw = _read_metadata(path, zf, f"{top}/metadata.json")
            names = {m.filename.rstrip("/") for m in members}
    except zipfile.BadZipFile as err:
        raise not_zip from err
    except (OSError, RuntimeError, NotImplementedError) as err:  # unreadable, encrypted, ...
        raise ModelPackageError(f"{path}: cannot read the archive ({_line(err)})") from err
    try:
        metadata = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelPackageError(f"{path}: metadata.json is not valid JSON ({_line(err)})") from err
    if not isinstance(metadata, dict):
        raise ModelPackageError(f"{path}: metadata.json is not a JSON object")
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise ModelPackageError(f"{path}: a {kind!r} package, not a translation package")
    pair = (metadata.get("from_code"), metadata.get("to_code"))
    if pair != (source, target):
        raise ModelPackageError(
            f"{path}: package translates {pair[0]}→{pair[1]}, not {source}→{target}"
        )
    if f"{top}/model/model.bin" not in names:
        raise ModelPackageError(f"{path}: package has no model/model.bin")
    if not {f"{top}/sentencepiece.model", f"{top}/bpe.model"} & names:
        raise ModelPackageError(f"{path}: package has neither sentencepiece.model nor bpe.model")
    return metadata, top


def _read_metadata(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    """The bytes of `name`, read no further than `MAX_METADATA_BYTES` whatever its header
    says (a forged size does not make it read more)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ModelPackageError(
            f"{path}: no metadata.json in the archive (expected {name})"
        ) from None
    too_big = ModelPackageError(
        f"{path}: metadata.json is over the {MAX_METADATA_BYTES} byte limit"
    )
    if info.file_size > MAX_METADATA_BYTES:
        raise too_big
    with zf.open(info) as fh:
        raw = fh.read(MAX_METADATA_BYTES + 1)
    if len(raw) > MAX_METADATA_BYTES:
        raise too_big
    return raw


def _check_members(path: Path, members: list[zipfile.ZipInfo], max_uncompressed: int) -> str:
    """The single top-level directory of the archive, after refusing unsafe member paths
    and archives that would expand beyond `max_uncompressed` bytes."""
    if not members:
        raise ModelPackageError(f"{path}: the archive is empty")
    tops: set[str] = set()
    total = 0
    for member in members:
        name = member.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if (
            name.startswith(("/", "\\"))
            or (len(name) > 1 and name[0].isalpha() and name[1] == ":")
            or ".." in parts
            or not parts
        ):
            raise ModelPackageError(f"{path}: unsafe member path {name!r} in the archive")
        tops.add(parts[0])
        if len(parts) == 1 and not member.is_dir():
            raise ModelPackageError(
                f"{path}: {name!r} is outside the package directory "
                f"(an Argos package is a zip of one directory)"
            )
        total += member.file_size
        if member.file_size > MIN_SIZE_FOR_RATIO and member.file_size > MAX_EXPANSION_RATIO * max(
            1, member.compress_size
        ):
            raise ModelPackageError(
                f"{path}: {name!r} expands from {member.compress_size} to {member.file_size} "
                f"bytes (over {MAX_EXPANSION_RATIO}×): not a model package"
            )
    if total > max_uncompressed:
        raise ModelPackageError(
            f"{path}: uncompressed size {total} bytes exceeds the limit of {max_uncompressed} bytes"
        )
    if len(tops) != 1:
        raise ModelPackageError(
            f"{path}: expected one top-level directory in the archive, found {len(tops)}"
        )
    return tops.pop()


def _line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def install_file(
    path: Path | str,
    source: str,
    target: str,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
) -> InstalledModel:
    """Validate the `.argosmodel` at `path` and install it into `packages_dir()`, keeping it
    only if it loads and translates a sentence (`probe`). A package already installed under
    the same directory name is replaced (restored if this fails)."""
    path = Path(path)
    _, top = _inspect(path, source, target, max_uncompressed)
    dest = packages_dir()
    dest.mkdir(parents=True, exist_ok=True)
    installed = dest / top
    backup: Path | None = None
    with _INSTALL_LOCK:
        if installed.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{top}.old-", dir=dest))
            installed.rename(backup / top)
        try:
            _install_with_argos(path, dest)
            # argostranslate: only when an Argos package is used
            from argostranslate.package import Package

            package = Package(installed)
            problem = probe(installed)
            if problem is not None:
                raise ModelPackageError(f"{path}: refused, the package does not work: {problem}")
        except BaseException as err:  # restore the previous package even on Ctrl-C
            shutil.rmtree(installed, ignore_errors=True)
            if backup is not None:
                (backup / top).rename(installed)
                shutil.rmtree(backup, ignore_errors=True)
            if not isinstance(err, Exception):
                raise
            if isinstance(err, ModelPackageError):
                raise
            raise ModelPackageError(f"{path}: installation failed ({_line(err)})") from err
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    argos.clear_translator_cache()
    return _installed_model(package)


def probe(package_dir: Path, timeout: float = PROBE_TIMEOUT_S) -> str | None:
    """Why the installed package at `package_dir` does not work, or None if it does: its
    tokenizer must open, its CTranslate2 model load and one sentence translate within
    `timeout` seconds. Done in a child process, so a model that crashes CTranslate2 or never
    finishes cannot take the caller with it."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "flows.engines.argos_packages", str(package_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"did not translate one sentence within {timeout:g} s"
    if done.returncode == 0:
        return None
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else f"CTranslate2 crashed (exit status {done.returncode})"


def _probe_here(package_dir: Path) -> None:
    """What `probe` runs in its child process: one line on stderr and exit 1 on failure."""
    # engines load native libraries: only when a run translates
    from flows.engines.argos import ArgosEngine

    try:
        engine = ArgosEngine(package_dir, beam_size=1, inter_threads=1, intra_threads=1)
        (result,) = engine.translate_batch([PROBE_SENTENCE])
    except Exception as err:  # any failure of the package is the answer
        print(_line(err).removeprefix(f"{package_dir}: "), file=sys.stderr)
        sys.exit(1)
    if not result.text.strip():
        print("translated a sentence to nothing", file=sys.stderr)
        sys.exit(1)


def _install_with_argos(path: Path, dest: Path) -> None:
    """`argostranslate.package.install_from_path(path)` extracting into `dest`.

    `install_from_path` extracts into `settings.package_data_dir`, fixed when `argostranslate
    .settings` was first imported; `packages_dir()` reads `ARGOS_PACKAGES_DIR` at call time,
    so the setting is pointed at `dest` for the duration of the call (under a lock)."""
    # argostranslate: only when an Argos package is used
    from argostranslate import package, settings

    saved = settings.package_data_dir
    settings.package_data_dir = dest
    try:
        with _stub_argos_translate():
            package.install_from_path(path)
    finally:
        settings.package_data_dir = saved


@contextmanager
def _stub_argos_translate() -> Iterator[None]:
    """Make `argostranslate.translate` importable without importing it.

    After extracting, `install_from_path` runs `from argostranslate.translate import
    get_installed_languages` to clear that function's cache; the real module imports stanza
    (and so torch), which this project does not install. Unless the real module is already
    loaded, a stand-in exposing `get_installed_languages` with a no-op `cache_clear` sits in
    `sys.modules` for the call and is removed afterwards (only if it is still ours)."""
    name = "argostranslate.translate"
    if name in sys.modules:
        yield
        return

    def get_installed_languages() -> list[Any]:
        return []

    get_installed_languages.cache_clear = lambda: None  # type: ignore[attr-defined]
    stub = types.ModuleType(
        name, "Stand-in installed by flows.engines.argos_packages; never the real module."
    )
    stub.get_installed_languages = get_installed_languages  # type: ignore[attr-defined]
    sys.modules[name] = stub
    try:
        yield
    finally:
        if sys.modules.get(name) is stub:
            del sys.modules[name]


def package_index_url() -> str:
    """The Argos package index URL: `ARGOS_PACKAGE_INDEX` (a base URL) as set now, else
    the one `argostranslate.settings` computed at import."""
    base = os.environ.get("ARGOS_PACKAGE_INDEX")
    if base:
        return base.rstrip("/") + "/index.json"
    # argostranslate: only when an Argos package is used
    from argostranslate import settings

    return str(getattr(settings, "remote_package_index", DEFAULT_INDEX_URL))


def _unreachable(reason: str) -> ModelPackageError:
    return ModelPackageError(
        f"cannot reach the Argos Translate package index ({reason}); download a .argosmodel "
        f"elsewhere and use `bilingual models install --file`"
    )


def _network_reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code}"
    if isinstance(err, urllib.error.URLError):
        return _line(err.reason) if isinstance(err.reason, BaseException) else str(err.reason)
    if isinstance(err, TimeoutError):
        return f"timed out after {NETWORK_TIMEOUT_S:g} s"
    return _line(err)


def install_from_index(
    source: str, target: str, *, timeout: float = NETWORK_TIMEOUT_S
) -> InstalledModel:
    """Download the newest `source`→`target` package listed in the Argos index and install it.

    `argostranslate.package.update_package_index` has no timeout and swallows errors, and
    `get_available_packages` retries it forever when the index cannot be fetched, so the
    index is fetched here (with `timeout`) into `settings.local_package_index`, then parsed
    with `get_available_packages`; the package itself is streamed to a temporary file and
    installed with `install_file` (validated like a local file)."""
    # argostranslate: only when an Argos package is used
    from argostranslate import package, settings

    url = package_index_url()
    try:
        data = _fetch(url, timeout)
    except (OSError, urllib.error.URLError, ValueError) as err:
        raise _unreachable(_network_reason(err)) from err
    try:
        json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelPackageError(f"{url}: the package index is not valid JSON") from err
    local_index = Path(settings.local_package_index)
    local_index.parent.mkdir(parents=True, exist_ok=True)
    local_index.write_bytes(data)
    try:
        available = package.get_available_packages()
    except (OSError, ValueError, TypeError, AttributeError) as err:
        raise ModelPackageError(f"{url}: unreadable package index ({_line(err)})") from err
    matches = [
        p
        for p in available
        if p.type == "translate" and p.from_code == source and p.to_code == target
    ]
    if not matches:
        raise ModelPackageError(
            f"the Argos Translate package index has no {source}→{target} package"
        )
    best = max(matches, key=lambda p: argos.version_key(p.package_version))
    links = [link for link in best.links if link.startswith(("http://", "https://"))]
    if not links:
        raise ModelPackageError(f"the index lists no download link for {source}→{target}")
    with tempfile.TemporaryDirectory(prefix="argosmodel-") as tmp:
        download = Path(tmp) / f"translate-{source}_{target}.argosmodel"
        errors: list[str] = []
        for link in links:
            try:
                _download(link, download, timeout)
                break
            except (OSError, urllib.error.URLError) as err:
                errors.append(_network_reason(err))
        else:
            raise ModelPackageError(
                f"cannot download the {source}→{target} package ({'; '.join(errors)}); "
                f"download a .argosmodel elsewhere and use `bilingual models install --file`"
            )
        return install_file(download, source, target)


def _open(url: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "ArgosTranslate"})
    return urllib.request.urlopen(request, timeout=timeout)


def _fetch(url: str, timeout: float) -> bytes:
    with _open(url, timeout) as response:
        return bytes(response.read())


def _download(url: str, dest: Path, timeout: float) -> None:
    with _open(url, timeout) as response, open(dest, "wb") as out:
        shutil.copyfileobj(response, out, 1024 * 1024)


if __name__ == "__main__":  # `python -m flows.engines.argos_packages PACKAGE_DIR`: see `probe`
    _probe_here(Path(sys.argv[1]))
