"""How the detect stage reads a text, before any model: Twitter entities stripped, the rest
normalised for langdetect, cut into pieces whose forms are memoised, and the evidence of each
language's very frequent words. The detector (`detection`) and its model (`language_model`)
both read texts through here."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from flows.text import entities

# langdetect's seed: its answers are the same in every process.
SEED = 0
# Fewer letters than this after cleaning: too short to judge.
MIN_LETTERS = 3
# Latin-script text is judged by langdetect among these profiles only (the model reads its
# probabilities over them). Spanish and its neighbours on Twitter around Spanish-language
# news: English, Portuguese, Catalan, French. Chosen on the tuning half: with all 55 profiles
# short Spanish tweets go to Italian, Slovene, Somali…
LATIN_LANGS = ("ca", "en", "es", "fr", "pt")
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


class Forms(NamedTuple):
    """What the stage reads of a text: `clean(text)`, `normalise(clean(text))`,
    `_strip_entities(text).lower()` (whitespace collapsed: only its characters are counted)
    and the letters of the first two."""

    cleaned: str
    prepared: str
    stripped: str
    cleaned_letters: int
    prepared_letters: int


def text_pieces(text: str) -> list[str]:
    """`text` cut at line breaks and at a space after a sentence's last mark, pieces stripped:
    where `text_forms` cuts, so an article body, its paragraphs and their sentences share their
    pieces' forms. Any cut at whitespace gives the same forms; these give the most reuse."""
    for mark in ".!?…":
        text = text.replace(mark + " ", mark + "\n")
    return [piece.strip() for piece in text.split("\n")]


@lru_cache(maxsize=1 << 16)
def _word_forms(word: str) -> Forms:
    if word.isalpha():  # no entity, digit or punctuation: `clean` keeps it as it is
        cleaned, stripped = word, word.lower()
    else:
        cleaned, stripped = clean(word), _strip_entities(word).lower()
    prepared = normalise(cleaned)
    return Forms(cleaned, prepared, stripped, _count_letters(cleaned), _count_letters(prepared))


@lru_cache(maxsize=1 << 13)
def text_forms(text: str) -> Forms:
    """`Forms` of `text`, put together from its pieces' (cut at whitespace, memoised): no
    pattern of `clean` or `normalise` matches whitespace, and each sees whitespace as it sees
    the text's start or end, so a piece reads alone as within the text (checked on every
    tweet and article of the eval sets: tests/language/test_detection_pieces.py). A body is
    read as its lines, a paragraph as its sentences, a sentence word by word."""
    chunks = text_pieces(text)
    if len(chunks) > 1:
        parts = [text_forms(chunk) for chunk in chunks]
    else:
        parts = [_word_forms(word) for word in text.split()]
    return Forms(
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
    return dict(word_evidence(text))


@lru_cache(maxsize=1 << 13)
def word_evidence(text: str) -> Mapping[str, int]:
    """`spanish_evidence`, memoised (read-only: shared by every caller). Every score is a
    sum over words and marks, so a text's is the sum of its pieces' (cut as in `text_forms`)."""
    chunks = text_pieces(text)
    if len(chunks) > 1:
        parts = [word_evidence(chunk) for chunk in chunks]
        return MappingProxyType({rival: sum(p[rival] for p in parts) for rival in parts[0]})
    forms = text_forms(text)
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


# Lower case: a helper of `is_latin`, not a rule constant of the signature.
_non_latin = re.compile(r"[^\u0000-\u024f\u1e00-\u1eff]")


def is_latin(text: str) -> bool:
    """Mostly Latin letters (langdetect's own rule: Latin at least half of the others)."""
    if text.isascii():
        return True
    latin = len(text) - len(_non_latin.findall(text))
    return latin * 2 >= len(text) - latin
