"""Why a language decision is what it is: its reason from a closed list, its confidence
(the model's calibrated probability) and (for `detect --explain`) the text langdetect saw,
the candidates and how much each group of evidence moved the decision. Decisions themselves
are made in `flows.language.detection` only; this module reads them and never changes one."""

from __future__ import annotations

from typing import Any

from flows.language import detection, language_model, reading
from flows.records import LangDecision

# Every reason a decision can carry (README, "Why a language"). `model`: the fitted model's
# most probable language. The others say why the text was not judged on its own.
REASONS: dict[str, str] = {
    "model": "the language model's most probable language, on the text alone",
    "context": "the article's language, a fitted prior, tipped a text the model was unsure of",
    "script": "not Latin script: langdetect's most probable language among all its profiles",
    "no_features": "not Latin script, and langdetect found nothing it knows in the text",
    "from_segment": "a short sentence takes the language of its segment",
    "from_article": "a segment too short to judge takes the article's language",
    "empty": "no text at all",
    "no_text": "nothing but links, @handles, emoji or digits, or the model's und for laughter",
    "too_short": "fewer than 3 letters left to judge",
    "boilerplate": "page furniture (share buttons, bylines): not judged",
}


def reason_of(decision: LangDecision) -> str:
    return decision.reason or "model"


def confidence(decision: LangDecision) -> float:
    """The probability that the decision is right (the model's, calibrated; for a short
    sentence, its segment's; 0 when the article's language stands in for a text too short
    to judge). Never below another candidate's."""
    return decision.prob


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
    """The steps of `detection` that shaped this decision, in the order they run, with
    the evidence groups that moved it most."""
    if reason_of(decision) == "boilerplate":  # structure decided: never cleaned nor judged
        return [f"boilerplate: {REASONS['boilerplate']}"]
    rules = []
    cleaned = reading.clean(text)
    if cleaned != " ".join(text.split()):
        rules.append("entities: links, @handles, emoji and punctuation removed")
    if reading.normalise(cleaned) != cleaned:
        rules.append("normalise: lower case, repeated letters and laughter squeezed")
    reason = reason_of(decision)
    if reason == "empty":
        return [*rules, f"empty: {REASONS['empty']}"]
    if reason == "from_article":  # judged too short first, then given the article's language
        rules.append(f"too_short: {REASONS['too_short']}")
        rules.append(f"from_article: {REASONS['from_article']} ({decision.lang})")
        return rules
    if reason in ("script", "no_features"):
        top = f" ({decision.lang} {decision.prob:.3f})" if decision.candidates else ""
        return [*rules, f"{reason}: {REASONS[reason]}{top}"]
    if (
        reason == "no_text" and reading.text_forms(text).cleaned_letters == 0
    ):  # no model: no letters
        return [*rules, f"no_text: {REASONS['no_text']}"]
    if reason in ("no_text", "too_short"):
        rules.append(f"{reason}: {REASONS[reason]}")
    own = detection._judge(text)
    ranked = own.candidates
    runner = ranked[1][0] if len(ranked) > 1 else None
    rules.append(
        f"model: {own.lang} {own.prob:.3f}"
        + (f" over {runner} {ranked[1][1]:.3f}" if runner else "")
    )
    if runner is not None:
        margins = moved(text, own.lang, runner)
        rules.append(
            "evidence for "
            + f"{own.lang} over {runner}: "
            + ", ".join(f"{group} {m:+.2f}" for group, m in margins.items())
        )
    if reason == "context":
        rules.append(f"context: {REASONS['context']} ({decision.lang})")
    elif reason == "from_segment":
        rules.append(f"from_segment: {REASONS['from_segment']} ({decision.lang})")
    return rules


def moved(text: str, lang: str, rival: str) -> dict[str, float]:
    """How much each group of evidence (`language_model.GROUPS`, and `bias`) adds to the
    log-odds of `lang` over `rival` (after temperature), largest effect first. French and
    Italian share the model's `other` class."""
    found = language_model.evidence(text)
    parts = language_model.contributions(found)
    t = language_model.model().temperature
    index = {c: i for i, c in enumerate(language_model.CLASSES)}
    a = index.get(lang, index["other"])
    b = index.get(rival, index["other"])
    margins = {group: round(float(v[a] - v[b]) / t, 3) for group, v in parts.items()}
    return dict(sorted(margins.items(), key=lambda kv: -abs(kv[1])))


def explain(text: str, line: int, context: str | None = None) -> dict[str, Any]:
    """`as_json` of the decision on `text` (with `context`, the article's language), then
    its `evidence`."""
    decision = detection.detect(text, context)
    return {**as_json(decision, line), **evidence(text, decision)}


def evidence(text: str, decision: LangDecision) -> dict[str, Any]:
    """What `--explain` adds to a decision on `text` (made now, or read back from the
    datasets): the cleaned text langdetect saw, the word evidence for Spanish against each
    rival, how much each group of evidence moved the model's choice over its runner-up,
    and the rules that fired."""
    own = detection._judge(text) if text.strip() else None
    if own is not None and own.reason in ("script", "no_features"):
        own = None
    runner = own.candidates[1][0] if own and len(own.candidates) > 1 else None
    return {
        "cleaned": reading.normalise(reading.clean(text)),
        "spanish_evidence": reading.spanish_evidence(text),
        "evidence": (
            {"for": own.lang, "over": runner, "log_odds": moved(text, own.lang, runner)}
            if own and runner
            else None
        ),
        "rules": rules_fired(text, decision),
    }
