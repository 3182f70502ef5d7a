"""The detect stage reads a text through memoised pieces (lines, sentences, words) instead of
cleaning it whole: what it reads must be exactly what the whole text gives, on hand-made edge
cases and on every TweetLID tweet and layout-set text when `../shared/eval` is present."""

from __future__ import annotations

import pytest

from flows.language.reading import (
    TOKEN_RE,
    _evidence,
    _strip_entities,
    clean,
    is_latin,
    normalise,
    spanish_evidence,
    text_forms,
    word_evidence,
)
from tests.conftest import ROOT

EVAL = ROOT.parent / "shared" / "eval"

EDGE_CASES = [
    "",
    "   \n  ",
    "Hola @amigo mira https://t.co/abc #ReuniónTrilateral",
    "RT @marta_lp: jajajaja 😂 QUÉ PASAAAA xD",
    "pic.twitter.com/xyz 😀🇲🇽 👩‍👩‍👧 www.example.com/a.b, fin.",
    "El Sr. García dijo: «¿Vienes?» ¡Sí! Luego… nos vemos.\nSegunda línea.   Tercera",
    "ΟΔΟΣ ΣΟΦΟΚΛΈΟΥΣ. İSTANBUL'DA x'Σ",  # final sigma and a dotted capital I that lowers to two
    "a\u00a0b\u3000c\u2028d\x1ce ½ ² 3º l·l",  # unusual whitespace, numerals, Catalan middle dot
    "#EEUU y #Canadá.#otra @@doble #1 #a_b c#d e@f.com",
    "  Título sin punto\n\nPárrafo uno. Párrafo dos?  ¡Tres!\n",
]


def reference(text: str) -> tuple[str, str, int, int, dict[str, int]]:
    cleaned = clean(text)
    prepared = normalise(cleaned)
    evidence = _evidence(TOKEN_RE.findall(prepared), _strip_entities(text).lower())
    return (
        cleaned,
        prepared,
        sum(c.isalpha() for c in cleaned),
        sum(c.isalpha() for c in prepared),
        evidence,
    )


def latin_reference(text: str) -> bool:
    latin = sum(1 for c in text if c < "\u0250" or "\u1e00" <= c < "\u1f00")
    return latin * 2 >= len(text) - latin


def assert_same(texts: list[str]) -> None:
    for text in texts:
        forms = text_forms(text)
        cleaned, prepared, cleaned_letters, prepared_letters, evidence = reference(text)
        assert (forms.cleaned, forms.prepared) == (cleaned, prepared), text
        assert (forms.cleaned_letters, forms.prepared_letters) == (
            cleaned_letters,
            prepared_letters,
        ), text
        assert sorted(forms.stripped.replace(" ", "")) == sorted(
            "".join(_strip_entities(text).lower().split())
        ), text
        assert list(word_evidence(text).items()) == list(evidence.items()), text
        assert spanish_evidence(text) == evidence, text
        squeezed = "".join(prepared.split())
        assert is_latin(squeezed) == latin_reference(squeezed), text


def test_pieces_give_what_the_whole_text_gives() -> None:
    assert_same(EDGE_CASES)


def test_the_memoised_evidence_cannot_be_changed_by_a_caller() -> None:
    text = "Qué ganas de verano, no puedo más"
    given = spanish_evidence(text)
    given["pt"] = -100
    assert spanish_evidence(text)["pt"] != -100
    with pytest.raises(TypeError):
        word_evidence(text)["pt"] = -100  # type: ignore[index]


@pytest.mark.skipif(not (EVAL / "layouts").exists(), reason="needs ../shared/eval")
def test_pieces_give_what_the_whole_text_gives_on_the_eval_sets() -> None:
    from flows.readers.ingest import read_article
    from flows.records import Article
    from flows.segmentation.segment import segment

    tweets = (EVAL / "tweetlid2014" / "tweets.tsv").read_text(encoding="utf-8").splitlines()
    texts = [line.split("\t", 3)[3] for line in tweets]
    for path in sorted((EVAL / "layouts" / "articles").glob("*.txt")):
        article = read_article(path)
        assert isinstance(article, Article)
        segments = segment(article)
        texts.append(article.text)
        texts.append("\n".join(s.text for s in segments if s.kind != "tweet"))
        for s in segments:
            texts.append(s.text)
            texts.extend(x.text for x in s.sentences)
    assert_same(list(dict.fromkeys(texts)))
