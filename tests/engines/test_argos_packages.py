"""Model management: listing, validating and installing `.argosmodel` files, and the
package index (served locally; nothing here needs the network)."""

from __future__ import annotations

import functools
import http.server
import json
import re
import socket
import struct
import sys
import threading
import types
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flows.engines import argos_packages
from flows.engines.argos_packages import (
    InstalledModel,
    install_file,
    install_from_index,
    list_installed,
    validate_package_file,
)
from flows.errors import ModelPackageError


@pytest.fixture
def packages(tmp_path: Path, argos_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty packages directory of this test's own."""
    path = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(path))
    return path


def rezip(
    source: Path,
    dest: Path,
    *,
    drop: Callable[[str], bool] = lambda name: False,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """A copy of the archive `source` with members dropped, replaced or added."""
    replace = replace or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            if drop(info.filename):
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dest


TOP = "translate-es_en-1_0"
META = f"{TOP}/metadata.json"


def _metadata(package_file: Path, **changes: object) -> bytes:
    with zipfile.ZipFile(package_file) as zf:
        metadata = json.loads(zf.read(META))
    metadata.update(changes)
    return json.dumps(metadata).encode()


def _not_a_zip(src: Path, tmp: Path) -> Path:
    path = tmp / "model.argosmodel"
    path.write_text("this is not a zip archive\n")
    return path


def _no_metadata(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "no-meta.argosmodel", drop=lambda n: n == META)


def _other_pair(src: Path, tmp: Path) -> Path:
    meta = _metadata(src, from_code="en", to_code="es")
    return rezip(src, tmp / "en-es.argosmodel", replace={META: meta})


def _bad_json(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "bad-json.argosmodel", replace={META: b'{"from_code": "es",'})


def _json_list(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "list.argosmodel", replace={META: b'["es", "en"]'})


def _dotdot(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "dotdot.argosmodel", add={f"{TOP}/../../evil.txt": b"x"})


def _absolute(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "absolute.argosmodel", add={"/tmp/evil.txt": b"x"})


def _loose_file(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "loose.argosmodel", add={"README.txt": b"x"})


def _two_dirs(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "two.argosmodel", add={"other/file.txt": b"x"})


def _no_model(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "no-model.argosmodel", drop=lambda n: n.endswith("model.bin"))


def _no_tokenizer(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "no-tok.argosmodel", drop=lambda n: n.endswith("sentencepiece.model"))


def _sbd_package(src: Path, tmp: Path) -> Path:
    return rezip(src, tmp / "sbd.argosmodel", replace={META: _metadata(src, type="sbd")})


def _missing(src: Path, tmp: Path) -> Path:
    return tmp / "missing.argosmodel"


def _directory(src: Path, tmp: Path) -> Path:
    (tmp / "a-dir.argosmodel").mkdir()
    return tmp / "a-dir.argosmodel"


def _zip_bomb(src: Path, tmp: Path) -> Path:
    """A valid package whose model.bin expands 64 MiB from a few KB (the 1.9 GB one of the
    issue, smaller)."""
    bomb = tmp / "bomb.argosmodel"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("model/model.bin"):
                data = bytes(64 * 1024 * 1024)
            zout.writestr(info.filename, data)
    return bomb


def _huge_metadata(src: Path, tmp: Path) -> Path:
    meta = json.loads(_metadata(src))
    meta["description"] = " " * (2 * 1024 * 1024)
    return rezip(src, tmp / "huge-meta.argosmodel", replace={META: json.dumps(meta).encode()})


REFUSALS = [
    (_zip_bomb, "model/model.bin' expands from"),
    (_huge_metadata, "metadata.json is over the 1048576 byte limit"),
    (_not_a_zip, "not an Argos model package (not a zip archive)"),
    (_no_metadata, f"no metadata.json in the archive (expected {META})"),
    (_other_pair, "package translates en→es, not es→en"),
    (_bad_json, "metadata.json is not valid JSON"),
    (_json_list, "metadata.json is not a JSON object"),
    (_dotdot, "unsafe member path"),
    (_absolute, "unsafe member path '/tmp/evil.txt'"),
    (_loose_file, "'README.txt' is outside the package directory"),
    (_two_dirs, "expected one top-level directory in the archive, found 2"),
    (_no_model, "package has no model/model.bin"),
    (_no_tokenizer, "neither sentencepiece.model nor bpe.model"),
    (_sbd_package, "a 'sbd' package, not a translation package"),
    (_missing, "no such file"),
    (_directory, "not a file"),
]


@pytest.mark.parametrize(("make", "message"), REFUSALS, ids=[m.__name__ for m, _ in REFUSALS])
def test_validate_refuses_bad_packages(
    make: Callable[[Path, Path], Path], message: str, package_file: Path, tmp_path: Path
) -> None:
    path = make(package_file, tmp_path)
    with pytest.raises(ModelPackageError) as caught:
        validate_package_file(path, "es", "en")
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(("make", "message"), REFUSALS[:3], ids=["not-zip", "no-meta", "pair"])
def test_refused_packages_are_not_installed(
    make: Callable[[Path, Path], Path], message: str, package_file: Path, packages: Path
) -> None:
    path = make(package_file, packages.parent)
    with pytest.raises(ModelPackageError, match=re.escape(message)):
        install_file(path, "es", "en")
    assert list_installed() == []
    assert not packages.exists() or not any(packages.iterdir())


def test_uncompressed_size_limit(package_file: Path) -> None:
    size = sum(i.file_size for i in zipfile.ZipFile(package_file).infolist())
    assert validate_package_file(package_file, "es", "en", max_uncompressed=size)
    with pytest.raises(ModelPackageError, match=f"uncompressed size {size} bytes exceeds"):
        validate_package_file(package_file, "es", "en", max_uncompressed=size - 1)


def test_validate_returns_the_metadata(package_file: Path) -> None:
    metadata = validate_package_file(package_file, "es", "en")
    assert metadata["from_code"] == "es"
    assert metadata["to_code"] == "en"
    assert metadata["package_version"] == "1.0"
    assert metadata["type"] == "translate"


def test_install_file_then_list(package_file: Path, packages: Path) -> None:
    assert list_installed() == []
    model = install_file(package_file, "es", "en")
    expected = InstalledModel("translate-es_en", "es", "en", "1.0", packages / TOP)
    assert model == expected
    assert list_installed() == [expected]
    assert (packages / TOP / "model" / "model.bin").is_file()
    assert "argostranslate.translate" not in sys.modules


def test_install_follows_the_environment_not_argos_import_time_settings(
    package_file: Path, packages: Path, argos_home: Path
) -> None:
    from argostranslate import settings

    before = settings.package_data_dir
    assert before != packages
    snapshot = _tree(Path(before))
    install_file(package_file, "es", "en")
    assert (packages / TOP / "metadata.json").is_file()
    assert _tree(Path(before)) == snapshot  # nothing extracted where argostranslate looked
    assert settings.package_data_dir == before


def _tree(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*")} if root.exists() else {}


def test_reinstall_replaces_the_package(package_file: Path, packages: Path) -> None:
    install_file(package_file, "es", "en")
    stale = packages / TOP / "stale.txt"
    stale.write_text("left over from an older version")
    model = install_file(package_file, "es", "en")
    assert not stale.exists()
    assert (model.path / "sentencepiece.model").is_file()
    assert [m.path for m in list_installed()] == [packages / TOP]
    assert sorted(p.name for p in packages.iterdir()) == [TOP]  # no backup left behind


def test_broken_install_keeps_the_previous_package(
    package_file: Path, packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_file(package_file, "es", "en")

    def fail(path: Path, dest: Path) -> None:
        (dest / TOP).mkdir()
        raise OSError("disk full")

    monkeypatch.setattr(argos_packages, "_install_with_argos", fail)
    with pytest.raises(ModelPackageError, match=r"installation failed \(disk full\)"):
        install_file(package_file, "es", "en")
    assert (packages / TOP / "model" / "model.bin").is_file()
    assert sorted(p.name for p in packages.iterdir()) == [TOP]


def test_an_already_imported_argos_translate_module_is_used_not_replaced(
    package_file: Path, packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def get_installed_languages() -> list[object]:
        return []

    get_installed_languages.cache_clear = lambda: calls.append("cleared")  # type: ignore[attr-defined]
    real = types.ModuleType("argostranslate.translate")
    real.get_installed_languages = get_installed_languages  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "argostranslate.translate", real)
    install_file(package_file, "es", "en")
    assert calls == ["cleared"]
    assert sys.modules["argostranslate.translate"] is real


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_index_is_one_line(packages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{_closed_port()}/")
    with pytest.raises(ModelPackageError) as caught:
        install_from_index("es", "en", timeout=5)
    text = str(caught.value)
    assert text.startswith("cannot reach the Argos Translate package index (")
    assert text.endswith(
        "); download a .argosmodel elsewhere and use `bilingual models install --file`"
    )
    assert "\n" not in text
    assert list_installed() == []


@pytest.fixture
def index_server(
    package_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A local HTTP server with an Argos index listing the tiny es→en package."""
    from argostranslate import settings

    site = tmp_path / "site"
    site.mkdir()
    (site / package_file.name).write_bytes(package_file.read_bytes())
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    entry = json.loads(_metadata(package_file))
    entry["links"] = [base + package_file.name]
    old = dict(entry, package_version="0.9", links=[base + "missing.argosmodel"])
    (site / "index.json").write_text(json.dumps([old, entry]))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", base)
    monkeypatch.setattr(settings, "local_package_index", tmp_path / "index.json")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_install_from_index(index_server: str, packages: Path, tmp_path: Path) -> None:
    model = install_from_index("es", "en", timeout=5)
    assert (model.from_code, model.to_code, model.version) == ("es", "en", "1.0")
    assert model.path == packages / TOP
    assert list_installed() == [model]
    assert json.loads((tmp_path / "index.json").read_text())[1]["links"][0].startswith(index_server)


def test_index_without_the_pair(index_server: str, packages: Path) -> None:
    with pytest.raises(ModelPackageError) as caught:
        install_from_index("fr", "de", timeout=5)
    assert str(caught.value) == "the Argos Translate package index has no fr→de package"
    assert list_installed() == []


def _junk(package_file: Path, tmp: Path, member: str) -> Path:
    """The tiny package with one member replaced by bytes that pass every static check."""
    return rezip(package_file, tmp / "junk.argosmodel", replace={f"{TOP}/{member}": b"\x07" * 4096})


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("model/model.bin", "cannot load the CTranslate2 model"),
        ("sentencepiece.model", "cannot load the tokenizer"),
    ],
)
def test_a_package_that_does_not_load_is_refused_and_nothing_stays(
    member: str, reason: str, package_file: Path, packages: Path, tmp_path: Path
) -> None:
    junk = _junk(package_file, tmp_path, member)
    validate_package_file(junk, "es", "en")  # every static check passes
    with pytest.raises(ModelPackageError) as caught:
        install_file(junk, "es", "en")
    assert str(caught.value).startswith(f"{junk}: refused, the package does not work: ")
    assert reason in str(caught.value) and "\n" not in str(caught.value)
    assert list_installed() == []
    assert not any(packages.iterdir())


def test_a_working_package_replaced_by_junk_stays(
    package_file: Path, packages: Path, tmp_path: Path
) -> None:
    install_file(package_file, "es", "en")
    with pytest.raises(ModelPackageError, match="does not work"):
        install_file(_junk(package_file, tmp_path, "model/model.bin"), "es", "en")
    assert argos_packages.probe(packages / TOP) is None


def test_auto_skips_an_unusable_package_with_a_warning_and_falls_back(
    package_file: Path, packages: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from flows.engines import apertium, select_engine
    from tests.support.tiny_argos import copy_package_dir

    broken = copy_package_dir(package_file, packages)  # put there by hand, never probed
    (broken / "sentencepiece.model").write_bytes(b"not a tokenizer")
    engine = select_engine("auto", "es", "en")
    expected = "apertium" if apertium.is_available("es", "en") else None
    assert (engine.name if engine else None) == expected
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning.startswith(
        f"warning: skipping an unusable Argos package: {broken}: cannot load the tokenizer ("
    )
    with pytest.raises(ModelPackageError, match="cannot load the tokenizer"):
        select_engine("argos", "es", "en")  # asked for by name: an error, not a fallback


def _forge_size(src: Path, dest: Path, member: str, claimed: int) -> Path:
    """A copy of the zip `src` whose local and central headers claim `claimed` bytes for
    `member` (a forged size: the data is the real, larger one)."""
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(member)
    data = bytearray(src.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, claimed)  # local file header
    entry = data.find(b"PK\x01\x02")
    while entry != -1:  # central directory entries
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, entry + 24, claimed)
        entry = data.find(b"PK\x01\x02", entry + 4)
    dest.write_bytes(bytes(data))
    return dest


def test_a_forged_member_size_is_refused_and_nothing_installed(
    package_file: Path, packages: Path, tmp_path: Path
) -> None:
    forged = _forge_size(package_file, tmp_path / "forged.argosmodel", f"{TOP}/model/model.bin", 10)
    with pytest.raises(ModelPackageError, match=r"Bad CRC-32 for file .*model\.bin"):
        install_file(forged, "es", "en")
    assert list_installed() == []
    assert not any(packages.iterdir())
