"""The Argos engine on a tiny real package (random weights): install, lookup, batching,
order, chunking of over-long input, determinism, and no stanza/torch import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.engines import argos
from flows.engines.argos import ArgosEngine, find_package, installed_packages, split_tokens
from flows.errors import ModelPackageError
from flows.records import Translation
from tests.support.tiny_argos import argos_env, build_tiny_argosmodel

TWEETS = [
    "¡Qué día tan bonito para caminar por la playa!",
    "@maria_lopez gracias por compartir la noticia #EnVivo",
    "",
    "La reunión empezará a las diez de la mañana.",
    "   ",
    "Según el ministro, la inflación bajará el próximo año.",
]
LONG = "El presidente habló ayer con los periodistas en Madrid, y la economía creció. " * 30


@pytest.fixture(scope="module")
def installed(argos_home: Path, package_file: Path) -> Path:
    from flows.engines.argos_packages import install_file

    return install_file(package_file, "es", "en").path


@pytest.fixture(scope="module")
def engine(installed: Path) -> ArgosEngine:
    package = find_package("es", "en")
    assert package is not None
    return ArgosEngine(package, max_decoding_length=128)


class SpyTranslator:
    """Wraps a `ctranslate2.Translator`, recording the token batches it is given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.batches: list[list[list[str]]] = []

    def translate_batch(self, source: list[list[str]], *args: Any, **kwargs: Any) -> Any:
        self.batches.append([list(s) for s in source])
        return self.inner.translate_batch(source, *args, **kwargs)


def spy_on(engine: ArgosEngine, monkeypatch: pytest.MonkeyPatch) -> SpyTranslator:
    spy = SpyTranslator(engine._translator())
    monkeypatch.setattr(engine, "_translator", lambda: spy)
    return spy


def test_installed_package_is_found(installed: Path, argos_home: Path) -> None:
    assert installed.parent == argos_home / "packages"
    assert (installed / "model" / "model.bin").is_file()
    package = find_package("es", "en")
    assert package is not None
    assert Path(package.package_path) == installed
    assert (package.from_code, package.to_code, package.package_version) == ("es", "en", "1.0")
    assert find_package("en", "es") is None
    assert find_package("es", "fr") is None


def test_broken_package_dirs_are_skipped(installed: Path, argos_home: Path) -> None:
    broken = argos_home / "packages" / "broken-no-metadata"
    broken.mkdir()
    bad_json = argos_home / "packages" / "broken-json"
    bad_json.mkdir()
    (bad_json / "metadata.json").write_text("{not json")
    try:
        assert [Path(p.package_path) for p in installed_packages()] == [installed]
    finally:
        broken.rmdir()
        (bad_json / "metadata.json").unlink()
        bad_json.rmdir()


def test_packages_dir_follows_the_environment_at_call_time(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path))
    assert argos.packages_dir() == tmp_path
    assert find_package("es", "en") is None
    assert find_package("es", "en", installed.parent) is not None


def test_engine_identity(engine: ArgosEngine) -> None:
    assert engine.name == "argos"
    assert engine.model_id == "argos/translate-es_en@1.0"


def test_batch_gives_one_translation_per_input(engine: ArgosEngine) -> None:
    results = engine.translate_batch(TWEETS)
    assert len(results) == len(TWEETS)
    for source, result in zip(TWEETS, results, strict=True):
        assert isinstance(result, Translation)
        if source.strip():
            assert result.text.strip()
            assert isinstance(result.score, float)
            assert result.score <= 0.0
        else:
            assert result == Translation("", None)


def test_results_come_back_in_input_order(engine: ArgosEngine) -> None:
    sentences = [s for s in TWEETS if s.strip()]
    forward = engine.translate_batch(sentences)
    backward = engine.translate_batch(sentences[::-1])
    assert backward[::-1] == forward
    assert len({t.text for t in forward}) == len(forward)  # distinct inputs, distinct outputs


def test_empty_inputs_do_not_reach_the_model(
    engine: ArgosEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = spy_on(engine, monkeypatch)
    assert engine.translate_batch(["", "  ", "\n"]) == [Translation("", None)] * 3
    assert engine.translate_batch([]) == []
    assert spy.batches == []
    engine.translate_batch(["", "Hola a todos"])
    assert len(spy.batches) == 1
    assert spy.batches[0] == [engine.tokenizer.encode("Hola a todos")]


def test_all_sentences_go_in_one_model_call(
    engine: ArgosEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = spy_on(engine, monkeypatch)
    engine.translate_batch(TWEETS)
    assert len(spy.batches) == 1
    assert len(spy.batches[0]) == sum(1 for s in TWEETS if s.strip())


def test_repeated_calls_are_identical(engine: ArgosEngine, installed: Path) -> None:
    first = engine.translate_batch(TWEETS)
    assert engine.translate_batch(TWEETS) == first
    again = ArgosEngine(installed, max_decoding_length=128)
    assert again._translator() is engine._translator()  # one model per process
    assert again.translate_batch(TWEETS) == first


def test_long_sentence_is_split_not_truncated(
    engine: ArgosEngine, installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = ArgosEngine(installed, max_input_length=16, max_decoding_length=64)
    assert small.chunk_tokens == 16
    tokens = small.tokenizer.encode(LONG)
    assert len(tokens) > 100
    spy = spy_on(small, monkeypatch)
    [result] = small.translate_batch([LONG])
    [sent] = spy.batches
    assert len(sent) >= len(tokens) // 16
    assert all(1 <= len(chunk) <= 16 for chunk in sent)
    assert [t for chunk in sent for t in chunk] == tokens  # every token was sent
    assert result.text and isinstance(result.score, float)
    assert len(result.text) > len(engine.translate_batch(["Hola"])[0].text)


def test_default_limit_is_ctranslate2s_input_limit(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ArgosEngine(installed, beam_size=1)
    assert engine.max_input_length == 1024  # CTranslate2 silently truncates beyond this
    assert engine.max_source_tokens == 1024  # this model adds no source BOS/EOS
    assert engine.chunk_tokens == 128  # and outputs must fit max_decoding_length=256
    text = LONG * 3
    tokens = engine.tokenizer.encode(text)
    assert len(tokens) > 1024
    spy = spy_on(engine, monkeypatch)
    [result] = engine.translate_batch([text])
    [sent] = spy.batches
    assert [t for chunk in sent for t in chunk] == tokens
    assert max(len(chunk) for chunk in sent) <= 128
    assert result.text


def test_position_table_bounds_input_and_output(
    tmp_path: Path, argos_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.engines.argos_packages import install_file

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "table-packages"))
    package = build_tiny_argosmodel(tmp_path / "build", max_positions=40)
    dest = install_file(package, "es", "en").path
    assert argos.position_table_rows(dest / "model" / "model.bin") == 40
    engine = ArgosEngine(dest, max_decoding_length=256)
    assert (engine.max_input_length, engine.max_decoding_length) == (40, 40)
    assert engine.chunk_tokens == 20
    [result] = engine.translate_batch([LONG])  # CTranslate2 raises on positions >= 40
    assert result.text


def test_sinusoidal_model_has_no_position_table(installed: Path) -> None:
    assert argos.position_table_rows(installed / "model" / "model.bin") is None
    assert argos.position_table_rows(installed / "metadata.json") is None


def test_bpe_package_translates(
    tmp_path: Path, argos_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.engines.argos_packages import install_file

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "bpe-packages"))
    package_file = build_tiny_argosmodel(tmp_path / "build", tokenizer="bpe")
    installed = install_file(package_file, "es", "en").path
    assert (installed / "bpe.model").is_file()
    assert not (installed / "sentencepiece.model").exists()
    package = find_package("es", "en")
    assert package is not None
    engine = ArgosEngine(package, max_decoding_length=24)
    tokens = engine.tokenizer.encode("¿Dónde está la estación de tren?")
    assert any(t.endswith("@@") for t in tokens)  # subword-nmt units
    results = engine.translate_batch(TWEETS)
    assert [bool(r.text) for r in results] == [bool(s.strip()) for s in TWEETS]
    assert engine.translate_batch(TWEETS) == results


def test_select_engine_prefers_the_installed_package(engine: ArgosEngine) -> None:
    from flows.engines import select_engine

    chosen = select_engine("argos", "es", "en")
    assert isinstance(chosen, ArgosEngine)
    assert chosen.model_id == engine.model_id


def test_package_without_model_is_refused(installed: Path, tmp_path: Path) -> None:
    broken = tmp_path / "translate-es_en-1_0"
    broken.mkdir()
    (broken / "metadata.json").write_text((installed / "metadata.json").read_text())
    with pytest.raises(ModelPackageError, match=r"no model/model\.bin"):
        ArgosEngine(broken)


def test_no_stanza_torch_or_argos_translate_module_is_imported(
    package_file: Path, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        f"""
        import json, os, sys
        os.environ.update({json.dumps(argos_env(tmp_path))})
        from flows.engines.argos import ArgosEngine, find_package
        from flows.engines.argos_packages import install_file
        install_file({str(package_file)!r}, "es", "en")
        engine = ArgosEngine(find_package("es", "en"), max_decoding_length=16)
        out = engine.translate_batch(["Hola @amigo, ¿qué tal? #Saludos"])
        banned = sorted(
            m for m in sys.modules
            if m.split(".")[0] in ("torch", "stanza", "spacy")
            or m == "argostranslate.translate"
        )
        print(json.dumps({{"banned": banned, "text": out[0].text,
                           "argos": "argostranslate.package" in sys.modules}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["banned"] == []
    assert report["argos"] is True
    assert report["text"]


def _word_start(prev: str, token: str) -> bool:
    return token.startswith("▁")


@given(
    tokens=st.lists(
        st.sampled_from(["▁la", "▁casa", "s", ",", ".", "▁", "ción", "▁¿"]), max_size=80
    ),
    limit=st.integers(min_value=1, max_value=20),
)
def test_split_tokens_covers_the_input_within_the_limit(tokens: list[str], limit: int) -> None:
    chunks = split_tokens(tokens, limit, _word_start)
    assert [t for chunk in chunks for t in chunk] == tokens
    assert all(1 <= len(chunk) <= limit for chunk in chunks) or chunks == [[]]
    assert len(chunks) <= max(1, -(-len(tokens) // max(1, limit // 2)))


def test_split_tokens_prefers_punctuation_then_word_starts() -> None:
    tokens = ["▁Hola", ",", "▁qué", "▁tal", "▁est", "ás", "▁hoy"]
    assert split_tokens(tokens, 5, _word_start) == [
        ["▁Hola", ","],
        ["▁qué", "▁tal", "▁est", "ás", "▁hoy"],
    ]
    tokens = ["▁una", "▁casa", "▁gran", "de", "▁y", "▁bonita"]
    assert split_tokens(tokens, 4, _word_start)[0] == ["▁una", "▁casa", "▁gran", "de"]
    assert split_tokens(["a", "b", "c"], 2, _word_start) == [["a", "b"], ["c"]]


def test_find_package_prefers_the_highest_version(installed: Path, tmp_path: Path) -> None:
    for name, version in [("a-1.10", "1.10"), ("b-1.9", "1.9"), ("c-junk", "not-a-version")]:
        copy = tmp_path / name
        shutil.copytree(installed, copy)
        metadata = json.loads((copy / "metadata.json").read_text())
        metadata["package_version"] = version
        (copy / "metadata.json").write_text(json.dumps(metadata))
    package = find_package("es", "en", tmp_path)
    assert package is not None
    assert package.package_version == "1.10"
    assert ArgosEngine(package).model_id == "argos/translate-es_en@1.10"


def test_batch_tokenizer_matches_one_call_per_item(engine: ArgosEngine) -> None:
    texts = [s for s in TWEETS if s.strip()] + [LONG, "ZXQ0 gracias ZXQ1"]
    tokenizer = engine.tokenizer
    encoded = tokenizer.encode_batch(texts)
    assert encoded == [tokenizer.encode(t) for t in texts]
    assert tokenizer.encode_batch([]) == []
    outputs = [tokens for tokens, _ in engine._translate_tokens(encoded[:4])]
    batch = [*encoded, *outputs, [], ["▁not-a-piece", "▁", "s"]]
    assert tokenizer.decode_batch(batch) == [tokenizer.decode(t) for t in batch]
    assert tokenizer.decode_batch([]) == []


def test_chunk_tokens_overrides_half_the_decoding_length(installed: Path) -> None:
    assert ArgosEngine(installed, max_decoding_length=48).chunk_tokens == 24
    assert ArgosEngine(installed, max_decoding_length=48, chunk_tokens=128).chunk_tokens == 128
    capped = ArgosEngine(installed, max_input_length=16, chunk_tokens=128)
    assert capped.chunk_tokens == 16  # the input limit still applies
    engine = ArgosEngine(installed, max_decoding_length=8, chunk_tokens=1024)
    [result] = engine.translate_batch([LONG])  # one chunk, output cut at 8 tokens
    assert result.text and len(result.text.split()) <= 8


def test_signature_names_every_option_that_changes_the_output(installed: Path) -> None:
    package = find_package("es", "en")
    assert package is not None
    beam4 = ArgosEngine(package, beam_size=4).signature()
    import ctranslate2

    assert beam4.startswith("engine:argos|model:argos/translate-es_en@1.0|")
    assert f"|ctranslate2:{ctranslate2.__version__}|" in beam4
    assert "|beam:4|compute:int8|" in beam4 and "|max_decoding:256|" in beam4
    assert ArgosEngine(package, beam_size=1).signature() != beam4
    assert ArgosEngine(package, compute_type="float32").signature() != beam4
    assert ArgosEngine(package, max_decoding_length=64).signature() != beam4
    # threads and batch size change the speed, not the output
    assert ArgosEngine(package, inter_threads=2, max_batch_tokens=512).signature() == beam4
