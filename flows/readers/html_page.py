"""HTML pages: the article's text extracted with trafilatura (menus, sidebars, comment boxes
and footers left out), and the embedded tweets read from Twitter's own embed markup, which
says exactly where a tweet starts and ends (`<blockquote class="twitter-tweet"><p lang="es">
…</p>&mdash; Name (@handle) <a href="…/status/ID">date</a></blockquote>`). Extractors drop
those embeds, so each is swapped for a placeholder paragraph before extraction and put back
where it stood as its text followed by a `— Name (@handle) date` line: the segmenter finds
it there as in any scraped text, and the spans refer to the text the `documents` row keeps.
The embed's `lang` attribute is kept as evidence (`Embed.lang`), never as the decision.

trafilatura and lxml are imported in the functions that read a page, not at the top: they
cost ~0.6 s to import, which a run without HTML inputs never pays. Nothing here fetches
anything: the page is parsed from its bytes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.readers.ingest import Decoded, decode, doc_text, normalise, read_bytes
from flows.records import Article, Embed, Reject, Segment

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Pages carry markup, scripts and styles around their text: a larger limit than a `.txt`
# file's (the extracted text is what the later stages see).
MAX_PAGE_BYTES = 8 * 1024 * 1024
TWEET_XPATH = '//blockquote[contains(concat(" ", normalize-space(@class), " "), " twitter-tweet ")]'
PLACEHOLDER = "BILINGUALEMBED{:05d}"
_PLACEHOLDER = re.compile(r"BILINGUALEMBED(\d{5})[^\n]*")
_CREDIT = re.compile(r"[—–-]\s*(?P<name>.*?)\s*\(@(?P<handle>\w{1,15})\)", re.DOTALL)
_STATUS = re.compile(r"/status(?:es)?/(\d+)")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?\s*([\w-]+)""", re.IGNORECASE)


def read_page(path: Path) -> Article | Reject:
    """One HTML file → an `Article` of its extracted text with its embedded tweets, or a
    `Reject` saying why it cannot be one."""
    source = str(path)
    data = read_bytes(path, MAX_PAGE_BYTES)
    if isinstance(data, Reject):
        return data
    page = _decode_page(data)
    if isinstance(page, str):
        return Reject(source, page, f"the page is {page}, not text")
    text, embeds = page_text(page.text)
    if not text.strip():
        return Reject(source, "empty", "no article text found in the page")
    article = doc_text(text, source, page.encoding)
    return replace(article, embeds=locate(article.text, embeds))


def _decode_page(data: bytes) -> Decoded | str:
    """The page as text: in the charset its `<meta>` declares (browsers save pages in it),
    else as a `.txt` file is decoded."""
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            return Decoded(data.decode(name), name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def page_text(html: str) -> tuple[str, list[Embed]]:
    """The article text of a page (title first, then a blank line between blocks), each
    embedded tweet in it where it stood, and the tweets. A tweet the extractor left out
    with the block around it (a sidebar's) comes after the text, so none is lost."""
    # lxml and trafilatura: only for HTML pages
    import lxml.html
    import trafilatura

    tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=_parser())
    embeds: list[Embed] = []
    for number, quote in enumerate(tree.xpath(TWEET_XPATH)):
        embeds.append(read_embed(quote))
        holder = lxml.html.Element("p")
        holder.text = PLACEHOLDER.format(number) + " embedded post."
        holder.tail = quote.tail
        quote.getparent().replace(quote, holder)
    body = trafilatura.extract(
        tree, include_comments=False, include_tables=False, favor_recall=True, deduplicate=False
    )
    blocks = [b.strip() for b in (body or "").split("\n") if b.strip()]
    title = _title(tree)
    if title and (not blocks or blocks[0] != title):
        blocks.insert(0, title)
    placed: set[int] = set()

    def tweet_block(match: re.Match[str]) -> str:
        number = int(match.group(1))
        placed.add(number)
        return embed_text(embeds[number])

    text = "\n\n".join(_PLACEHOLDER.sub(tweet_block, b) for b in blocks)
    missing = [embed_text(e) for n, e in enumerate(embeds) if n not in placed]
    return "\n\n".join([text, *missing]) if missing else text, embeds


def _parser() -> Any:
    # lxml and trafilatura: only for HTML pages
    import lxml.html

    # No network, no DTD, no entity expansion from outside the page.
    return lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)


def _title(tree: HtmlElement) -> str | None:
    for xpath in ('//meta[@property="og:title"]/@content', "//h1", "//title"):
        for found in tree.xpath(xpath):
            text = found if isinstance(found, str) else found.text_content()
            text = " ".join(text.split())
            if text:
                return text
    return None


def read_embed(quote: HtmlElement) -> Embed:
    """A tweet from its embed blockquote: the text of its paragraphs (`<br>` as a line
    break, blank lines closed up; links as shown), the credit after them, and its status
    link (URL, id, date)."""
    paragraphs = quote.findall(".//p")
    for br in quote.iter("br"):
        br.tail = "\n" + (br.tail or "")
    # A blank line (`<br><br>`) would end the tweet's block in text: its lines stay together.
    text = re.sub(r"\n\s*\n", "\n", "\n".join(p.text_content().strip() for p in paragraphs))
    text = text.strip()
    lang = next((p.get("lang") for p in paragraphs if p.get("lang")), None)
    for p in paragraphs:
        p.drop_tree()
    credit = _CREDIT.search(quote.text_content())
    links = [a for a in quote.iter("a") if _STATUS.search(a.get("href") or "")]
    url = links[-1].get("href", "").split("?", 1)[0] if links else None
    status = _STATUS.search(url or "")
    return Embed(
        text=normalise(text),
        author_name=" ".join(credit.group("name").split()) if credit else None,
        author_handle=credit.group("handle") if credit else None,
        date_text=" ".join(links[-1].text_content().split()) if links else None,
        url=url,
        tweet_id=status.group(1) if status else None,
        lang=lang,
    )


def embed_text(embed: Embed) -> str:
    """A tweet as scraped text shows it: its text, then `— Name (@handle) date`."""
    if embed.author_handle is None:
        return embed.text
    name = f"{embed.author_name} " if embed.author_name else ""
    credit = f"— {name}(@{embed.author_handle})"
    return (
        f"{embed.text}\n{credit} {embed.date_text}"
        if embed.date_text
        else f"{embed.text}\n{credit}"
    )


def locate(text: str, embeds: list[Embed]) -> tuple[Embed, ...]:
    """The embeds with the span of their text in the article's (normalised) `text`."""
    found = []
    cursor = 0
    for embed in embeds:
        start = text.find(embed.text, cursor) if embed.text else -1
        if start < 0:
            found.append(embed)
            continue
        cursor = start + len(embed.text)
        found.append(replace(embed, start=start, end=cursor))
    return tuple(found)


def with_embeds(article: Article, segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """`segments` with each tweet found in an embed carrying the embed's `lang` attribute
    and status URL (the tweet whose spans overlap the embed's text)."""
    if not article.embeds:
        return segments
    located = [e for e in article.embeds if e.start is not None and e.end is not None]
    out = []
    for segment in segments:
        embed = next(
            (
                e
                for e in located
                if segment.kind == "tweet"
                and any(s.start < (e.end or 0) and (e.start or 0) < s.end for s in segment.spans)
            ),
            None,
        )
        out.append(
            replace(segment, embed_lang=embed.lang, tweet_url=embed.url) if embed else segment
        )
    return tuple(out)
