"""Detect stage: the language of every text by one fitted, calibrated model
(`flows.language.language_model`), with langdetect, made deterministic, at its core. Every decision
keeps its probability and the model's ranking; `und` carries a reason when there is
nothing to judge.

How a text is judged (`detect`):

1. Twitter entities go (links, @handles, emoji, a retweet's `RT`), hashtags keep their
   words (`#ReuniónTrilateral` → `Reunión Trilateral`), and the rest is normalised for
   langdetect: lower case (it skips every n-gram of an all-caps word), letters repeated
   for emphasis squeezed (`holaaaa` → `hola`), laughter dropped (`jajaja`, `hahaha`, `xD`).
2. The evidence is gathered: langdetect's probabilities (Latin-script text among the few
   languages plausible around Spanish-language news, `reading.LATIN_LANGS`, in a private, seeded
   factory), py3langid's (`flows.language.second_opinion`: it knows Galician and Basque), the very
   frequent words of each language (`reading.WORDS`, and the `ue` of puedo/nuevo, which
   Portuguese, Catalan and Galician lack), the text's shape and its character n-grams.
3. The model weighs them: a probability for each language and `und`, calibrated so that
   `prob` (the README's `confidence`) is the chance the decision is right. The decision is
   the most probable; the candidates are the ranking.
4. `context` (the article's language) is a prior with a fitted weight: it tips texts the
   model is unsure of (reason `context`).

The segmenter's quick look at a line (`detect(..., second_opinion=False)`) is langdetect
checked by the frequent words alone (reason `words` when they override it): it only hints
at which lines are prose, and keeps the segmentation independent of the model.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from importlib.metadata import version
from typing import TYPE_CHECKING

from flows.language import langdetect_backend, reading, second_opinion
from flows.records import LangDecision, ProcessedDocument, Segment
from flows.signature import rules_digest

if TYPE_CHECKING:
    from flows.language.langdetect_backend import Judgement

# Texts whose decision a process keeps: a window's batch of documents judges its lines,
# paragraphs and sentences more than once (segmenter, then stage); across batches texts seldom
# repeat, and a larger memo only grows a long run's memory (8,192: 13 MB over 5,000 articles,
# 32,768: 76 MB, no faster).
_judged_texts_kept = 1 << 13  # lower case: not a rule, not in the signature
# Below this many letters a sentence is judged by its segment, unless it is sure by itself.
SHORT_SENTENCE_LETTERS = 25
# A model's candidate below this probability is left out of `candidates`.
CANDIDATE_MIN = 0.001
# A short sentence keeps its own decision (not its segment's) when it stays at least this
# sure of it with its segment's language weighed `SEGMENT_WEIGHT` times. Set by hand on two
# cases of tests/: `Estamos juntos.` in a Portuguese tweet (es 0.93, pt 0.03 alone: 0.85
# weighed) follows it; `What a night in Madrid!` in a Spanish tweet (en 0.99, es 0.01: 0.95
# weighed) does not.
SENTENCE_SURE = 0.9
SEGMENT_WEIGHT = 4.0


@lru_cache(maxsize=_judged_texts_kept)
def _judge(text: str) -> LangDecision:
    """The fitted model's decision on `text` alone (no context): its most probable class,
    that probability, and its whole ranking as the candidates."""
    if not text.strip():
        return LangDecision("und", 0.0, (), "empty")
    forms = reading.text_forms(text)
    if forms.cleaned_letters == 0:
        # Links, @handles, emoji, digits: nothing to judge. TweetLID holds no such tweet, so
        # the model never learnt them (it said Spanish 0.53 for `@10News pic.twitter.com/…`);
        # every one in the real scrapes is labelled `und`.
        return LangDecision("und", 1.0, (("und", 1.0),), "no_text")
    prepared = forms.prepared
    if prepared and not reading.is_latin("".join(prepared.split())):
        return _other_script(prepared)
    # numpy and the model file: only when a text is judged, not when a module imports this one
    from flows.language import language_model

    found = language_model.evidence(text)
    ranked = language_model.ranked(found)
    lang, prob = ranked[0]
    kept = tuple((lg, p) for lg, p in ranked if p >= CANDIDATE_MIN) or ranked[:1]
    return LangDecision(lang, prob, kept, _und_reason(text) if lang == "und" else None)


def _other_script(prepared: str) -> LangDecision:
    """A text mostly in another script than Latin: the model knows Latin-script languages
    only, so langdetect decides among all its profiles (reason `script`; its probability,
    not calibrated)."""
    judged = langdetect_backend.judge(prepared, None, reading.SEED)
    if judged is None or not judged.ranked:
        return LangDecision("und", 0.0, (), "no_features")
    candidates = tuple((lang, round(p, 6)) for lang, p in judged.ranked)
    return LangDecision(candidates[0][0], candidates[0][1], candidates, "script")


def _und_reason(text: str) -> str | None:
    """Why there is nothing to judge, when that is why: no letters or too few (a model's
    `und` on a text with letters enough has no reason: the model chose it)."""
    letters = reading.text_forms(text).prepared_letters
    if letters == 0:
        return "no_text"
    if letters < reading.MIN_LETTERS:
        return "too_short"
    return None


@lru_cache(maxsize=_judged_texts_kept)
def _quick(text: str) -> tuple[LangDecision, int]:
    """langdetect checked by the frequent words, without the model: the segmenter's look at
    a line (`detect(..., second_opinion=False)`); also how many words support it."""
    if not text.strip():
        return LangDecision("und", 0.0, (), "empty"), 0
    forms = reading.text_forms(text)
    prepared, letters = forms.prepared, forms.prepared_letters
    if letters == 0:
        return LangDecision("und", 0.0, (), "no_text"), 0
    if letters < reading.MIN_LETTERS:
        return LangDecision("und", 0.0, (), "too_short"), 0
    latin = reading.is_latin("".join(prepared.split()))
    judged = langdetect_backend.judge(
        prepared, reading.LATIN_LANGS if latin else None, reading.SEED
    )
    if judged is None or not judged.ranked:
        return LangDecision("und", 0.0, (), "no_features"), 0
    candidates = tuple((lang, round(p, 6)) for lang, p in judged.ranked)
    return _checked_by_words(text, prepared, candidates, judged, latin)


def _checked_by_words(
    text: str,
    prepared: str,
    candidates: tuple[tuple[str, float], ...],
    judged: Judgement,
    latin: bool,
) -> tuple[LangDecision, int]:
    """langdetect's decision checked by the frequent words (the segmenter's quick look)."""
    top, prob = candidates[0]
    if not latin:
        return LangDecision(top, prob, candidates), 0
    probs = judged.prob_map()
    evidence = reading.word_evidence(text)
    against = min(evidence.values())
    if top != "es":
        if evidence.get(top, 0) >= 1 and against >= 0:
            return LangDecision("es", round(probs["es"], 6), candidates, "words"), against
        return LangDecision(top, prob, candidates), max(0, -evidence.get(top, 0))
    if against <= -1:
        rival = min(evidence, key=lambda lang: (evidence[lang], lang))
        if rival not in probs:
            rival = max((lg for lg in probs if lg != "es"), key=lambda lg: (probs[lg], lg))
        return LangDecision(rival, round(probs[rival], 6), candidates, "words"), -against
    return LangDecision(top, prob, candidates), max(0, against)


def with_context(
    decision: LangDecision, context: str | None, factor: float | None = None
) -> LangDecision:
    """`decision` with the language around it, `context`, as a prior: its probability
    multiplied by `factor` (default: the fitted `language_model.context_prior()`, for the
    article's language), the ranking renormalised. When that changes the top language the
    reason is `context`."""
    # numpy and the model file: only when a text is judged, not when a module imports this one
    from flows.language import language_model

    if factor is None:
        factor = language_model.context_prior()
    if not context or not decision.candidates or factor == 1.0:
        return decision
    return _weighed(decision, context, factor)


@lru_cache(maxsize=_judged_texts_kept)
def _weighed(decision: LangDecision, context: str, factor: float) -> LangDecision:
    """`with_context`'s work, memoised: a segment's sentences, the segment and the segmenter
    weigh the same decisions with the same language again and again (a seventh of the
    stage's time before)."""
    probs = dict(decision.candidates)
    if context not in probs:
        return decision
    probs[context] *= factor
    total = sum(probs.values())
    ranked = tuple(
        sorted(((lg, round(p / total, 6)) for lg, p in probs.items()), key=lambda x: (-x[1], x[0]))
    )
    lang, prob = ranked[0]
    reason = "context" if lang != decision.lang else decision.reason
    return LangDecision(lang, prob, ranked, reason)


def detect(text: str, context: str | None = None, *, second_opinion: bool = True) -> LangDecision:
    """The language of `text` by the fitted model (`language_model`): its most probable
    language, or `und`, with a reason when there is nothing to judge (`empty`, `no_text`,
    `too_short`). `context`, the language around the text (the article's), is a fitted
    prior; a decision it changed has reason `context`. `second_opinion=False` asks for the
    segmenter's quick look instead: langdetect checked by the frequent words, no model and
    no py3langid, its `prob` langdetect's (reason `words` when the words changed it)."""
    if not second_opinion:
        return _quick(text)[0]
    return with_context(_judge(text), context)


def _letters(text: str) -> int:
    return reading.text_forms(text).cleaned_letters


def _sure_against(own: LangDecision, segment_lang: str) -> bool:
    """Whether a short sentence stays `SENTENCE_SURE` of its own language with its
    segment's language weighed `SEGMENT_WEIGHT` times."""
    weighed = with_context(own, segment_lang, SEGMENT_WEIGHT)
    return weighed.lang == own.lang and weighed.prob >= SENTENCE_SURE


def detect_segment(segment: Segment, context: str) -> Segment:
    """The segment's language and each sentence's. A sentence is judged by itself when it
    is long enough or the model is sure of it even with its segment's language weighed in
    (`SENTENCE_SURE`, `SEGMENT_WEIGHT`); otherwise it takes its
    segment's decision (reason `from_segment`), so a short aside follows its tweet while the
    Spanish and English sentences of a mixed tweet are decided apart. A segment with too few
    letters to judge takes the article's language (`from_article`); the article's language
    is otherwise a prior."""
    prior = context if context != "und" else None
    seg_lang = detect(segment.text, prior)
    if seg_lang.lang == "und" and seg_lang.reason == "too_short" and context != "und":
        seg_lang = LangDecision(context, 0.0, (), "from_article")
    sentences = []
    for sentence in segment.sentences:
        own = with_context(_judge(sentence.text), prior)
        sure = own.lang != "und" and (
            _letters(sentence.text) >= SHORT_SENTENCE_LETTERS or _sure_against(own, seg_lang.lang)
        )
        if not sure and seg_lang.lang != "und":
            own = replace(seg_lang, reason="from_segment")
        sentences.append(replace(sentence, lang=own))
    return replace(segment, lang=seg_lang, sentences=tuple(sentences))


def article_language(segments: tuple[Segment, ...]) -> LangDecision:
    """The article's language, judged on its body (title, subtitle, headings, paragraphs)."""
    body = "\n".join(
        s.text for s in segments if s.kind in ("title", "subtitle", "heading", "paragraph")
    )
    return detect(body)


def detect_document(doc: ProcessedDocument) -> ProcessedDocument:
    """Language decisions for the article, then for each segment with it as context.
    Boilerplate is structure, not language: it is not judged."""
    lang = article_language(doc.segments)
    segments = tuple(
        _not_judged(s) if s.kind == "boilerplate" else detect_segment(s, lang.lang)
        for s in doc.segments
    )
    return replace(doc, segments=segments, lang=lang)


def _not_judged(segment: Segment) -> Segment:
    decision = LangDecision("und", 0.0, (), "boilerplate")
    sentences = tuple(replace(s, lang=decision) for s in segment.sentences)
    return replace(segment, lang=decision, sentences=sentences)


# Bump when a change to the code above changes decisions (a change to the constants changes
# the signature by itself).
RULES_VERSION = "6"


def signature() -> str:
    """What made every `lang`: langdetect's and py3langid's versions, the model file's
    digest, these rules and their constants (and those of the model and of `reading`)."""
    # numpy and the model file: only when a text is judged, not when a module imports this one
    from flows.language import language_model

    rules = {**vars(language_model), **vars(reading), **globals()}
    return (
        f"detect:langdetect-{version('langdetect')}+{second_opinion.version()}"
        f"+model.{language_model.digest()}"
        f"+rules.{RULES_VERSION}.{rules_digest(rules)}"
    )
