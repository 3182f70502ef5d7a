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
   languages plausible around Spanish-language news, `LATIN_LANGS`, in a private, seeded
   factory), py3langid's (`flows.language.second_opinion`: it knows Galician and Basque), the very
   frequent words of each language (`WORDS`, and the `ue` of puedo/nuevo, which
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

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from flows.records import LangDecision, ProcessedDocument, Segment
from flows.text import entities

if TYPE_CHECKING:
    from flows.language.langdetect_backend import Judgement

SEED = 0
MIN_LETTERS = 3
# Texts whose decision a process keeps: a window's batch of documents judges its lines,
# paragraphs and sentences more than once (segmenter, then stage); across batches texts seldom
# repeat, and a larger memo only grows a long run's memory (8,192: 13 MB over 5,000 articles,
# 32,768: 76 MB, no faster).
_judged_texts_kept = 1 << 13  # lower case: not a rule, not in the signature
# Below this many letters a sentence is judged by its segment, unless it is sure by itself.
SHORT_SENTENCE_LETTERS = 25
# Latin-script text is judged by langdetect among these profiles only (the model reads its
# probabilities over them). Spanish and its neighbours on Twitter around Spanish-language
# news: English, Portuguese, Catalan, French. Chosen on the tuning half: with all 55 profiles
# short Spanish tweets go to Italian, Slovene, Somali…
LATIN_LANGS = ("ca", "en", "es", "fr", "pt")
# A model's candidate below this probability is left out of `candidates`.
CANDIDATE_MIN = 0.001
# A short sentence keeps its own decision (not its segment's) when it stays at least this
# sure of it with its segment's language weighed `SEGMENT_WEIGHT` times. Set by hand on two
# cases of tests/: `Estamos juntos.` in a Portuguese tweet (es 0.93, pt 0.03 alone: 0.85
# weighed) follows it; `What a night in Madrid!` in a Spanish tweet (en 0.99, es 0.01: 0.95
# weighed) does not.
SENTENCE_SURE = 0.9
SEGMENT_WEIGHT = 4.0

CAMEL_RE = re.compile(r"(?<=[a-záéíóúñ])(?=[A-ZÁÉÍÓÚÑ])")
NON_LETTERS_RE = re.compile(r"[^\w\s'’-]|[\d_]")
RETWEET_RE = re.compile(r"\b(?:RT|rt)\b")
REPEAT_RE = re.compile(r"(\w)\1{2,}")
LAUGH_RE = re.compile(r"\b(?:(?:[jh][aeiou]){2,}[jh]?|j[aj]{3,}|xd+|lol|k{3,}|rs(?:rs)+)\b")
TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Spanish breaks a stressed Latin o into `ue` (puedo, nuevo, luego, escuela) where
# Portuguese, Catalan and Galician keep it (posso/puc, novo/nou, logo, escola): a word
# with `ue` not after q or g is Spanish against those three, even when it is not in WORDS.
DIPHTHONG_RE = re.compile(r"(?<![qg])ue")
DIPHTHONG_RIVALS = ("pt", "ca", "gl")

# Very frequent words of each language, tweet spellings included (`q`, `xq`, `vc`), written
# from general knowledge of the languages, not taken from any evaluation data. Only the
# differences count: a word of both Spanish and Portuguese (`de`, `que`, `para`) says
# nothing between the two, `y` (Spanish, not Portuguese) says Spanish, `não` Portuguese.
# Galician and Basque have no langdetect profile: their words only keep a tweet from
# being called Spanish.
WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "es": """de la que qué el en y a los se del las un por con no una su para es al lo como
            cómo más mas o pero sus le les ha he has han me mi mis si sí sin sobre este esta
            estos estas ya entre cuando cuándo todo todos toda todas ser son soy eres somos
            fue era también tambien había muy hasta desde está estás están estoy estar porque
            porqué sólo solo yo hay vez puede puedo nos ni él ella ellos ellas uno donde dónde
            bien ese esa eso esto ahora cada después despues te ti tu tú otro otra otros
            aunque hace hacer tan siempre nunca día dia días dias tanto quiero tengo tienes
            tiene tener hoy ayer mañana tarde tardes noche noches nada bueno buena buenos
            buenas gracias hola vamos vas va voy algo mucho mucha muchos mejor q xq pq porq pa
            tb tmb vale venga vaya tío tía guapa guapo besos beso ahí aquí aqui alguien nadie
            ver creo verdad gente casa vida amor cosas cosa año años madre usted ustedes
            nuestro nuestra vosotros os""",
        "pt": """de a o que e do da em um uma para é com não nao os no se na por mais as dos das
            como mas foi ao aos ele ela eles elas tem têm à às seu sua seus suas ou ser quando
            muito muita muitos há nos já ja está estão estou estava eu também tambem só pelo
            pela pelos até isso isto esse essa este esta aquele aquela era depois sem mesmo
            ter quem nas me você voce vc vcs vocês tinha num numa nem meu minha meus minhas
            nós tenho lhe dele dela tu te teu tua nosso nossa vou vai vamos hoje ontem amanhã
            bom boa bem obrigado obrigada tá ta pra pro q agora dia dias tudo todo todos toda
            nada ainda aqui então entao sempre nunca ver fazer gente coisa coisas porque quero
            queria sei vida amor casa ano anos noite tarde gosto mim lá cá sou são deste desta
            desse dessa neste nesta nesse nessa tou vez ir fica""",
        "ca": """de la i el que a en les els per un una del dels amb no es és al com més o va vaig
            vas ha han he hem hi ho ser són sóc ets som també tambe si sí molt molta molts
            moltes aquest aquesta aquests això aixo fer fa tot tota tots totes ja seu seva li
            em et ens us jo tu ell ella nosaltres ells elles meu meva teu teva nostre nostra
            quan on què perquè doncs avui demà ahir bon bona bones bons dia dies gràcies
            gracies estic està estan tinc té tenir vull puc pot fins sense altre altra encara
            ara aquí res mai sempre bé pel pels però sobre des nit vida casa any anys mateix
            gent millor prou cal hagi havia""",
        "gl": """de a o que e do da dos das en un unha para é con non os no nos se na nas por máis
            mais as como pero foi ao aos el ela eles elas ten teñen á ás seu súa seus súas ou
            ser cando moito moita moitos moitas moi hai xa está estou están eu tamén só polo
            pola polos ata iso isto ese esa este esta despois sen mesmo ter quen me te ti che
            lle lles tiña foron nun nunha nin meu miña meus miñas hoxe onte mañá grazas noite
            bo boa bos boas día días todo todos toda nada agora aquí aqui xente facer vou vai
            imos vida casa ano anos sempre nunca ben mal co coa cun cunha outro outra noso
            nosa logo pois""",
        "en": """the of and to a in is it you that he was for on are with as i his they be at one
            have this from or had by not but what all were we when your can there an which she
            do how their if will up about out then them these so some her would make like him
            into time has more go see no way could people my than been who its now down day
            did get come made me just don't dont i'm im it's love good know u ur got want need
            today night thanks thank please new our us off back still after why only really am
            here too very much yes oh""",
        "it": """di e il la che è per un una in non a del della dei delle le i gli si da con sono
            mi ma come ho lo al alla anche io ti se questo questa ci ha cosa più tutto tutti
            ne nel bene molto sei fare lui lei quando solo hai sempre perché oggi grazie ciao
            buona buongiorno siamo ancora""",
        "fr": """de la le et les des en un du une que est pour qui dans a par plus pas au aux sur
            ne se ce il elle je tu vous nous avec son sont ou mais comme on tout sa ses ont
            cette leur été aussi bien fait peut c'est ça très moi toi j'ai merci bonjour suis
            avoir être""",
        "eu": """eta da ez bat ere du dira dago bai baina zen egin den dut hori hau zer ni zu gu
            oso gaur bihar atzo asko eskerrik egun on gabon kaixo zorionak zuek beste naiz
            zara gara baino berri euskal euskara nire zure ondo ta ba eztakit dot det gero
            orain hemen han ezta bere gabe nik zuk""",
    }.items()
}
# Letters that Spanish spelling has and its rivals lack, and the reverse. `ñ` is Galician
# too; the inverted marks are Spanish only.
SPANISH_MARKS = frozenset("¿¡ñ")
RIVAL_LETTERS = {
    "pt": frozenset("ãõçêôâà"),
    "ca": frozenset("çàèòï·"),
    "fr": frozenset("çàèùêâîôûëïœ"),
    "it": frozenset("àèìòù"),
}

# Every letter `_evidence` counts (lower case: a helper, not a rule constant of the signature).
_marked = re.compile(
    "[" + "".join(map(re.escape, sorted(SPANISH_MARKS.union(*RIVAL_LETTERS.values())))) + "]"
)


def _strip_entities(text: str) -> str:
    text = entities.URL_RE.sub(" ", text)
    text = entities.MENTION_RE.sub(" ", text)
    text = entities.HASHTAG_RE.sub(lambda m: " " + CAMEL_RE.sub(" ", m.group(0)[1:]) + " ", text)
    return entities.EMOJI_RE.sub(" ", text)


def clean(text: str) -> str:
    """Text without links, @handles or emoji; hashtags without `#` and with CamelCase split
    (`#ReuniónTrilateral` → `Reunión Trilateral`); no digits or punctuation."""
    return " ".join(NON_LETTERS_RE.sub(" ", _strip_entities(text)).split())


def normalise(cleaned: str) -> str:
    """`clean` text as langdetect should see it: lower case, no `RT`, letters repeated
    three times or more squeezed to one, laughter dropped."""
    text = RETWEET_RE.sub(" ", cleaned).lower()
    text = REPEAT_RE.sub(r"\1", text)
    return " ".join(LAUGH_RE.sub(" ", text).split())


class _Forms(NamedTuple):
    """What the stage reads of a text: `clean(text)`, `normalise(clean(text))`,
    `_strip_entities(text).lower()` (whitespace collapsed: only its characters are counted)
    and the letters of the first two."""

    cleaned: str
    prepared: str
    stripped: str
    cleaned_letters: int
    prepared_letters: int


def _pieces(text: str) -> list[str]:
    """`text` cut at line breaks and at a space after a sentence's last mark, pieces stripped:
    where `_forms` cuts, so an article body, its paragraphs and their sentences share their
    pieces' forms. Any cut at whitespace gives the same forms; these give the most reuse."""
    for mark in ".!?…":
        text = text.replace(mark + " ", mark + "\n")
    return [piece.strip() for piece in text.split("\n")]


@lru_cache(maxsize=1 << 16)
def _word_forms(word: str) -> _Forms:
    if word.isalpha():  # no entity, digit or punctuation: `clean` keeps it as it is
        cleaned, stripped = word, word.lower()
    else:
        cleaned, stripped = clean(word), _strip_entities(word).lower()
    prepared = normalise(cleaned)
    return _Forms(cleaned, prepared, stripped, _count_letters(cleaned), _count_letters(prepared))


@lru_cache(maxsize=1 << 13)
def _forms(text: str) -> _Forms:
    """`_Forms` of `text`, put together from its pieces' (cut at whitespace, memoised): no
    pattern of `clean` or `normalise` matches whitespace, and each sees whitespace as it sees
    the text's start or end, so a piece reads alone as within the text (checked on every
    tweet and article of the eval sets: tests/language/test_detection_pieces.py). A body is
    read as its lines, a paragraph as its sentences, a sentence word by word."""
    chunks = _pieces(text)
    if len(chunks) > 1:
        parts = [_forms(chunk) for chunk in chunks]
    else:
        parts = [_word_forms(word) for word in text.split()]
    return _Forms(
        " ".join([p.cleaned for p in parts if p.cleaned]),
        " ".join([p.prepared for p in parts if p.prepared]),
        " ".join([p.stripped for p in parts if p.stripped]),
        sum(p.cleaned_letters for p in parts),
        sum(p.prepared_letters for p in parts),
    )


def _count_letters(text: str) -> int:
    """`sum(c.isalpha() for c in text)`, a word at a time when the word is all letters."""
    return sum(len(w) if w.isalpha() else sum(c.isalpha() for c in w) for w in text.split())


def spanish_evidence(text: str) -> dict[str, int]:
    """For each rival language, how many more of `text`'s words (and marks) are Spanish and
    not the rival's than the rival's and not Spanish. Positive: the words say Spanish."""
    return dict(_text_evidence(text))


@lru_cache(maxsize=1 << 13)
def _text_evidence(text: str) -> Mapping[str, int]:
    """`spanish_evidence`, memoised (read-only: shared by every caller). Every score is a
    sum over words and marks, so a text's is the sum of its pieces' (cut as in `_forms`)."""
    chunks = _pieces(text)
    if len(chunks) > 1:
        parts = [_text_evidence(chunk) for chunk in chunks]
        return MappingProxyType({rival: sum(p[rival] for p in parts) for rival in parts[0]})
    forms = _forms(text)
    return MappingProxyType(_evidence(TOKEN_RE.findall(forms.prepared), forms.stripped))


def _evidence(tokens: list[str], stripped: str) -> dict[str, int]:
    # Counted per distinct token and per marked letter: the same sums as token by token and
    # letter by letter, a fraction of the time on a long article body.
    spanish = WORDS["es"]
    counts = Counter(tokens)
    distinct = set(counts)
    in_spanish = sum(counts[t] for t in spanish.intersection(distinct))
    chars = {} if stripped.isascii() else Counter(_marked.findall(stripped))
    marks = sum(n for c, n in chars.items() if c in SPANISH_MARKS)
    evidence = {}
    for rival, words in WORDS.items():
        if rival == "es":
            continue
        score = in_spanish - sum(counts[t] for t in words.intersection(distinct))
        score += marks - (chars.get("ñ", 0) if rival == "gl" else 0)
        letters = RIVAL_LETTERS.get(rival)
        if letters and chars:
            score -= sum(n for c, n in chars.items() if c in letters)
        evidence[rival] = score
    diphthongs = sum(
        n for t, n in counts.items() if "ue" in t and t not in spanish and DIPHTHONG_RE.search(t)
    )
    for rival in DIPHTHONG_RIVALS:
        evidence[rival] += diphthongs
    return evidence


# Lower case: a helper of `_is_latin`, not a rule constant of the signature.
_non_latin = re.compile(r"[^\u0000-\u024f\u1e00-\u1eff]")


def _is_latin(text: str) -> bool:
    """Mostly Latin letters (langdetect's own rule: Latin at least half of the others)."""
    if text.isascii():
        return True
    latin = len(text) - len(_non_latin.findall(text))
    return latin * 2 >= len(text) - latin


@lru_cache(maxsize=_judged_texts_kept)
def _judge(text: str) -> LangDecision:
    """The fitted model's decision on `text` alone (no context): its most probable class,
    that probability, and its whole ranking as the candidates."""
    if not text.strip():
        return LangDecision("und", 0.0, (), "empty")
    forms = _forms(text)
    if forms.cleaned_letters == 0:
        # Links, @handles, emoji, digits: nothing to judge. TweetLID holds no such tweet, so
        # the model never learnt them (it said Spanish 0.53 for `@10News pic.twitter.com/…`);
        # every one in the real scrapes is labelled `und`.
        return LangDecision("und", 1.0, (("und", 1.0),), "no_text")
    prepared = forms.prepared
    if prepared and not _is_latin("".join(prepared.split())):
        return _other_script(prepared)
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
    from flows.language import langdetect_backend

    judged = langdetect_backend.judge(prepared, None, SEED)
    if judged is None or not judged.ranked:
        return LangDecision("und", 0.0, (), "no_features")
    candidates = tuple((lang, round(p, 6)) for lang, p in judged.ranked)
    return LangDecision(candidates[0][0], candidates[0][1], candidates, "script")


def _und_reason(text: str) -> str | None:
    """Why there is nothing to judge, when that is why: no letters or too few (a model's
    `und` on a text with letters enough has no reason: the model chose it)."""
    letters = _forms(text).prepared_letters
    if letters == 0:
        return "no_text"
    if letters < MIN_LETTERS:
        return "too_short"
    return None


@lru_cache(maxsize=_judged_texts_kept)
def _quick(text: str) -> tuple[LangDecision, int]:
    """langdetect checked by the frequent words, without the model: the segmenter's look at
    a line (`detect(..., second_opinion=False)`); also how many words support it."""
    if not text.strip():
        return LangDecision("und", 0.0, (), "empty"), 0
    forms = _forms(text)
    prepared, letters = forms.prepared, forms.prepared_letters
    if letters == 0:
        return LangDecision("und", 0.0, (), "no_text"), 0
    if letters < MIN_LETTERS:
        return LangDecision("und", 0.0, (), "too_short"), 0
    from flows.language import langdetect_backend

    latin = _is_latin("".join(prepared.split()))
    judged = langdetect_backend.judge(prepared, LATIN_LANGS if latin else None, SEED)
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
    evidence = _text_evidence(text)
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
    from flows.language import language_model

    if factor is None:
        factor = language_model.context_prior()
    if not context or not decision.candidates or factor == 1.0:
        return decision
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
    return _forms(text).cleaned_letters


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
    digest, these rules and their constants (and the model module's)."""
    from importlib.metadata import version

    from flows.language import language_model, second_opinion
    from flows.signature import rules_digest

    return (
        f"detect:langdetect-{version('langdetect')}+{second_opinion.version()}"
        f"+model.{language_model.digest()}"
        f"+rules.{RULES_VERSION}.{rules_digest({**vars(language_model), **globals()})}"
    )
