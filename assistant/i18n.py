"""Message catalogs: the fixed text of answers and of the page in the public's languages (gettext, via Babel).

Catalogs are plain gettext `.po` files under `assistant/locales/<language>/LC_MESSAGES/<domain>.po`, one domain per
surface ("answers" for the answerers' framing and refusals, "page" for the web page). They are read with Babel and
compiled in memory on first use, so there is no build step and nothing compiled to keep in step with its source.
English is the source language: its messages are the msgids themselves.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

# The languages the public may ask in: the 24 official EU languages and the other European ones the issue names,
# by ISO 639-1 code, with each language's own name (for the page's language menu).
LANGUAGES: Final[dict[str, str]] = {
    "bg": "български",
    "bs": "bosanski",
    "ca": "català",
    "cs": "čeština",
    "cy": "Cymraeg",
    "da": "dansk",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "es": "español",
    "et": "eesti",
    "fi": "suomi",
    "fr": "français",
    "ga": "Gaeilge",
    "hr": "hrvatski",
    "hu": "magyar",
    "is": "íslenska",
    "it": "italiano",
    "ka": "ქართული",
    "lt": "lietuvių",
    "lv": "latviešu",
    "mk": "македонски",
    "mt": "Malti",
    "nb": "norsk",
    "nl": "Nederlands",
    "pl": "polski",
    "pt": "português",
    "ro": "română",
    "sk": "slovenčina",
    "sl": "slovenščina",
    "sq": "shqip",
    "sr": "српски",
    "sv": "svenska",
    "tr": "Türkçe",
    "uk": "українська",
}
SOURCE_LANGUAGE: Final = "en"
DOMAINS: Final = ("answers", "page")
# Codes that name the same catalog ("no" and "nn" are written as Bokmål here)
_ALIASES: Final = {"no": "nb", "nn": "nb"}


def catalog_path(domain: str, language: str) -> str:
    """Where a language's catalog of a domain lives, relative to the `assistant` package."""
    return f"locales/{language}/LC_MESSAGES/{domain}.po"


def supported(language: str) -> str | None:
    """The catalog language for a code ("de", "de-AT", "nn" -> "nb"), or None when there is none."""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    code = _ALIASES.get(code, code)
    return code if code in LANGUAGES else None


@cache
def translations(domain: str, language: str) -> NullTranslations:
    """The compiled catalog of a domain for a language; English, and languages without a catalog, get the msgids."""
    code = supported(language)
    if domain not in DOMAINS:
        raise ValueError(f"unknown message domain {domain!r}; one of {', '.join(DOMAINS)}")
    if code is None or code == SOURCE_LANGUAGE:
        return NullTranslations()
    source = resources.files("assistant").joinpath(catalog_path(domain, code))
    if not source.is_file():
        return NullTranslations()
    with source.open("rb") as po:
        catalog = read_po(po, locale=code, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def gettext(domain: str, language: str, message: str, /, **params: object) -> str:
    """A message in a language, with its named `{placeholders}` filled in."""
    text = translations(domain, language).gettext(message)
    return text.format(**params) if params else text


def ngettext(domain: str, language: str, singular: str, plural: str, n: int, /, **params: object) -> str:
    """A message whose wording depends on a count `n` (the catalog's plural rule decides), placeholders filled in."""
    text = translations(domain, language).ngettext(singular, plural, n)
    return text.format(n=n, **params)


_QUALITY = re.compile(r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(accept_language: str | None, default: str = SOURCE_LANGUAGE) -> str:
    """The best catalog language for an HTTP Accept-Language header ("pl-PL,pl;q=0.9,en;q=0.8" -> "pl")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        match = _QUALITY.match(part)
        if match is None or match.group(1) == "*":
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        code = supported(match.group(1))
        if code is not None and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else default
