"""Languages as data: their names in labels, and which installable package would translate
a pair, so labels and hints follow `--source-lang`/`--target-lang`."""

from __future__ import annotations

NAMES = {
    "ca": "Catalan",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "eu": "Basque",
    "fr": "French",
    "gl": "Galician",
    "it": "Italian",
    "pt": "Portuguese",
    "ro": "Romanian",
}

# Debian's Apertium pair packages (bookworm, `apt-cache search apertium-`) for the
# languages above, by the directions they translate (eu→es and eu→en only one way).
_BOTH_WAYS = {
    ("en", "es"): "apertium-eng-spa",
    ("ca", "es"): "apertium-spa-cat",
    ("es", "gl"): "apertium-es-gl",
    ("es", "pt"): "apertium-es-pt",
    ("es", "it"): "apertium-spa-ita",
    ("es", "fr"): "apertium-fr-es",
    ("es", "ro"): "apertium-es-ro",
    ("ca", "en"): "apertium-eng-cat",
    ("en", "gl"): "apertium-en-gl",
    ("ca", "pt"): "apertium-por-cat",
    ("ca", "fr"): "apertium-fra-cat",
    ("ca", "it"): "apertium-cat-ita",
}
DEBIAN_APERTIUM: dict[tuple[str, str], str] = {
    **{pair: package for pair, package in _BOTH_WAYS.items()},
    **{(b, a): package for (a, b), package in _BOTH_WAYS.items()},
    ("eu", "es"): "apertium-eu-es",
    ("eu", "en"): "apertium-eu-en",
}


def name(code: str) -> str:
    """`Spanish` for `es`; a code without a name here is its own label (`fr tweets`)."""
    return NAMES.get(code, code)


def apertium_package(source: str, target: str) -> str | None:
    return DEBIAN_APERTIUM.get((source, target))


def install_advice(source: str, target: str) -> str:
    """How to get an engine for `source`→`target`: an Argos package, and Debian's Apertium
    pair when there is one for that direction."""
    argos = f"`bilingual models install --from {source} --to {target}` (or `--file PKG.argosmodel`)"
    package = apertium_package(source, target)
    if package is None:
        return f"{argos} (Debian has no Apertium {source}→{target} pair)"
    return f"{argos}, or `apt-get install {package}`"


NO_ENGINE = "translation engine is installed; sentences were kept as 'pending'"


def no_engine_hint(source: str, target: str) -> str:
    return (
        f"no {source}→{target} {NO_ENGINE}. "
        f"Install one with {install_advice(source, target)}, then run again."
    )
