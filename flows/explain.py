"""Why a language decision is what it is: its reason from a closed list, a confidence that
belongs to the chosen language, and (for `detect --explain`) the text langdetect saw, its
candidates and the rules that fired. Decisions themselves are made in `flows.detect` only;
this module reads them and never changes one."""

from __future__ import annotations

from typing import Any

from flows import detect as detection
from flows import languages, second_opinion
from flows.records import LangDecision

# Every reason a decision can carry (README, "Why a language"). `langdetect`: its top
# candidate stands. The others name the rule that chose another language or none.
REASONS: dict[str, str] = {
    "langdetect": "langdetect's most probable language, unchanged by any rule",
    "words": "the frequent words of the text outweigh langdetect's choice",
    "second_opinion": "py3langid, which knows Galician and Basque, settles a call about Spanish",
    "context": "short and uncertain: the article's language, one of the candidates, tips it",
    "from_segment": "a short sentence takes the language of its segment",
    "from_article": "a segment too short to judge takes the article's language",
    "empty": "no text at all",
    "no_text": "nothing but links, @handles, emoji or laughter",
    "too_short": "fewer than 3 letters left to judge",
    "no_features": "langdetect found nothing it knows in the text",
    "boilerplate": "page furniture (share buttons, bylines): not judged",
}
# Reasons under which the chosen language may have a lower langdetect probability than
# another candidate: a rule, not langdetect, chose it.
OVERRIDES = frozenset({"words", "second_opinion", "context", "from_segment", "from_article"})


def reason_of(decision: LangDecision) -> str:
    return decision.reason or "langdetect"


def confidence(decision: LangDecision) -> float:
    """langdetect's probability of the chosen language (for one it did not list, as
    Galician or Basque, the decision's own: py3langid's; 0 for `und`): never a rejected
    candidate's."""
    return dict(decision.candidates).get(decision.lang, decision.prob)


def as_json(decision: LangDecision, line: int) -> dict[str, Any]:
    """One `bilingual detect` answer: the line number, then `decision_fields`."""
    return {"line": line, **decision_fields(decision)}


def decision_fields(decision: LangDecision) -> dict[str, Any]:
    """The language, its confidence, the reason and langdetect's candidates (`prob` kept
    as the decision's probability)."""
    return {
        "lang": decision.lang,
        "confidence": confidence(decision),
        "reason": reason_of(decision),
        "prob": decision.prob,
        "candidates": [{"lang": lg, "prob": p} for lg, p in decision.candidates],
    }


def rules_fired(text: str, decision: LangDecision) -> list[str]:
    """The steps of `flows.detect` that shaped this decision, in the order they run."""
    if reason_of(decision) == "boilerplate":  # structure decided: never cleaned nor judged
        return [f"boilerplate: {REASONS['boilerplate']}"]
    rules = []
    cleaned = detection.clean(text)
    if cleaned != " ".join(text.split()):
        rules.append("entities: links, @handles, emoji and punctuation removed")
    if detection.normalise(cleaned) != cleaned:
        rules.append("normalise: lower case, repeated letters and laughter squeezed")
    reason = reason_of(decision)
    if reason in ("empty", "no_text", "too_short", "no_features"):
        rules.append(f"{reason}: {REASONS[reason]}")
        return rules
    if reason == "from_article":  # judged too short first, then given the article's language
        rules.append(f"too_short: {REASONS['too_short']}")
        rules.append(f"from_article: {REASONS['from_article']} ({decision.lang})")
        return rules
    prepared = detection.normalise(cleaned)
    latin = detection._is_latin("".join(prepared.split()))
    if latin:
        rules.append(f"latin: judged among {', '.join(detection.LATIN_LANGS)}")
    else:
        rules.append("script: not Latin, judged among all of langdetect's profiles")
    if decision.candidates:
        top, p = decision.candidates[0]
        rules.append(f"langdetect: {top} {p:.3f}")
    if reason == "words":
        rules.append(
            f"words: {languages.name(decision.lang)} function words outweigh langdetect "
            f"(chose {decision.lang} over {decision.candidates[0][0]})"
        )
    elif reason == "second_opinion":
        ranked = second_opinion.rank(cleaned)
        rules.append(
            "second_opinion: py3langid "
            + ", ".join(f"{lg} {p:.3f}" for lg, p in ranked[:3])
            + f" (chose {decision.lang} over {decision.candidates[0][0]})"
        )
    elif reason in ("context", "from_segment"):
        rules.append(f"{reason}: {REASONS[reason]} ({decision.lang})")
    return rules


def explain(text: str, line: int, context: str | None = None) -> dict[str, Any]:
    """`as_json` of the decision on `text` (with `context`, the article's language), then
    its `evidence`."""
    decision = detection.detect(text, context)
    return {**as_json(decision, line), **evidence(text, decision)}


def evidence(text: str, decision: LangDecision) -> dict[str, Any]:
    """What `--explain` adds to a decision on `text` (made now, or read back from the
    datasets): the cleaned text langdetect saw, the word evidence for Spanish against each
    rival, and the rules that fired."""
    return {
        "cleaned": detection.normalise(detection.clean(text)),
        "spanish_evidence": detection.spanish_evidence(text),
        "rules": rules_fired(text, decision),
    }
