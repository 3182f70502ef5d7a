"""HTML pages: the article text without the page's furniture, and every embedded tweet read
from its embed markup (exact text, author, handle, date, status URL, `lang` attribute) back
where it stood, found by the segmenter with spans into the text the document keeps."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.orchestration.analyse import analyse_articles
from flows.readers.html_page import read_page
from flows.records import Article, Reject
from tests.conftest import FIXTURES

PAGES = FIXTURES / "html"
# (text, author name, handle, date as written, status id, lang attribute) of each page's tweets
TWEETS = {
    "embed.html": [
        (
            "Reunión con la delegación de Estados Unidos para fortalecer la cooperación contra "
            "el tráfico de fentanilo y de armas. #Seguridad pic.twitter.com/AbCdEf1234",
            "Marcelo Ebrard C.",
            "m_ebrard",
            "April 13, 2023",
            "1646584014233436160",
            "es",
        ),
        (
            "Productive meeting today with @m_ebrard and the Mexican delegation.\n"
            "Together we will stop the flow of fentanyl. 🇺🇸🇲🇽",
            "Ambassador Ken Salazar",
            "USAmbMex",
            "April 13, 2023",
            "1646600000000000001",
            "en",
        ),
    ],
    "saved_page.html": [
        (
            "O Brasil precisa de paz e de emprego, não de ódio. Vamos juntos! #Eleições2022",
            "Candidato Silva",
            "candidato_silva",
            "March 6, 2022",
            "1500500500500500500",
            "pt",
        ),
        (
            "Lo que pasa en Brasil nos importa a todos en la región. Seguiremos de cerca la "
            "jornada electoral. @OEA_oficial https://t.co/Zz9Yy8Xx7W",
            "María José Peña 🇨🇱",
            "mjpena",
            "6 de marzo de 2022",
            "1500600600600600600",
            "es",
        ),
    ],
}
# Page furniture that must not reach the article text.
FURNITURE = {
    "embed.html": ["Subscribe now", "LEAVE A COMMENT", "Comment by Joe", "Most read", "© 2023"],
    "saved_page.html": [
        "cookies",
        "Log in",
        "Share on Facebook",
        "Related articles",
        "Pedro wrote",
        "Leave a Reply",
        "Copyright",
        "gtag",
    ],
}


def page(name: str) -> Article:
    article = read_page(PAGES / name)
    assert isinstance(article, Article), article
    return article


@pytest.mark.parametrize("name", sorted(TWEETS))
def test_every_embedded_tweet_is_read_from_its_markup(name: str, no_network: list[object]) -> None:
    article = page(name)
    found = [
        (e.text, e.author_name, e.author_handle, e.date_text, e.tweet_id, e.lang)
        for e in article.embeds
    ]
    assert found == TWEETS[name]
    for embed in article.embeds:
        assert embed.url == f"https://twitter.com/{embed.author_handle}/status/{embed.tweet_id}"
        assert embed.start is not None and embed.end is not None
        assert article.text[embed.start : embed.end] == embed.text
    assert no_network == []  # nothing was fetched


@pytest.mark.parametrize("name", sorted(TWEETS))
def test_the_article_text_is_free_of_menus_and_comment_boxes(name: str) -> None:
    text = page(name).text
    assert [f for f in FURNITURE[name] if f in text] == []
    assert text.count("\n\n") >= 6  # title and paragraphs as blocks


@pytest.mark.parametrize("name", sorted(TWEETS))
def test_the_segmenter_finds_each_tweet_where_it_stood_with_its_lang_attribute(
    name: str,
) -> None:
    article = page(name)
    (doc,) = analyse_articles([article])
    kinds = [s.kind for s in doc.segments]
    assert kinds[0] == "title" and kinds.count("tweet") == 2
    tweets = [s for s in doc.segments if s.kind == "tweet"]
    expected = TWEETS[name]
    assert [s.author_handle for s in tweets] == [t[2] for t in expected]
    assert [s.embed_lang for s in tweets] == [t[5] for t in expected]
    assert [s.tweet_url.rsplit("/", 1)[1] if s.tweet_url else None for s in tweets] == [
        t[4] for t in expected
    ]
    for segment, tweet in zip(tweets, expected, strict=True):
        assert "\n".join(article.text[s.start : s.end] for s in segment.spans) == tweet[0]
    # each tweet between the paragraphs it stood between on the page
    first = kinds.index("tweet")
    assert kinds[first - 1] == "paragraph" and kinds[first + 1] == "paragraph"


def test_the_page_charset_is_read_from_its_meta(tmp_path: Path) -> None:
    article = page("saved_page.html")
    assert article.encoding == "windows-1252"
    assert "Brazil’s candidates trade barbs online" in article.text


def test_a_tweet_outside_the_article_body_is_kept_after_the_text(tmp_path: Path) -> None:
    html = (PAGES / "embed.html").read_text(encoding="utf-8")
    sidebar = (
        '<aside><blockquote class="twitter-tweet"><p lang="es">Hola a todos desde la radio.'
        "</p>&mdash; Radio Uno (@radio1) "
        '<a href="https://twitter.com/radio1/status/42">May 1, 2023</a></blockquote></aside>'
    )
    path = tmp_path / "sidebar.htm"
    path.write_text(html.replace("<footer>", sidebar + "<footer>"), encoding="utf-8")
    article = read_page(path)
    assert isinstance(article, Article)
    assert [e.author_handle for e in article.embeds] == ["m_ebrard", "USAmbMex", "radio1"]
    assert article.text.endswith("Hola a todos desde la radio.\n— Radio Uno (@radio1) May 1, 2023")


def test_a_page_without_article_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text(
        "<html><body><script>var x = 1;</script><img src='a.png'></body></html>", "utf-8"
    )
    result = read_page(path)
    assert isinstance(result, Reject)
    assert (result.reason_code, result.message) == ("empty", "no article text found in the page")


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_over_pages_writes_the_embed_evidence(tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = [
        "--out",
        str(out),
        "--engine",
        "apertium",
        "--no-progress",
        "--run-date",
        "2026-01-02",
    ]
    done = CliRunner().invoke(main, ["run", str(PAGES), *options])
    assert done.exit_code == 0, done.output
    rows = duckdb.sql(
        "SELECT author_handle, embed_lang, tweet_url IS NOT NULL "
        f"FROM read_parquet('{out}/segments/*/*.parquet') WHERE kind = 'tweet' "
        "ORDER BY author_handle"
    ).fetchall()
    assert rows == [
        ("USAmbMex", "en", True),
        ("candidato_silva", "pt", True),
        ("m_ebrard", "es", True),
        ("mjpena", "es", True),
    ]
    # the exports say who said it and where, without a join
    dest = tmp_path / "pairs"
    for fmt in ("jsonl", "tmx"):
        args = ["export", "--format", fmt, "--out", str(out), "--dest", f"{dest}.{fmt}"]
        assert CliRunner().invoke(main, args).exit_code == 0
    records = [json.loads(line) for line in Path(f"{dest}.jsonl").read_text("utf-8").splitlines()]
    (ebrard,) = [r for r in records if r["src_text"].startswith("Reunión con la delegación")]
    assert {k: ebrard[k] for k in ("author_name", "author_handle", "posted_on", "tweet_url")} == {
        "author_name": "Marcelo Ebrard C.",
        "author_handle": "m_ebrard",
        "posted_on": "2023-04-13",
        "tweet_url": "https://twitter.com/m_ebrard/status/1646584014233436160",
    }
    assert ebrard["source_path"] == str(PAGES / "embed.html")
    tmx = ET.parse(f"{dest}.tmx").getroot()
    props = [{p.get("type"): p.text for p in tu.findall("prop")} for tu in tmx.iter("tu")]
    assert {p.get("x-author_handle") for p in props} >= {"m_ebrard", "mjpena"}
    assert all(p["x-source_path"].startswith(str(PAGES)) for p in props)
