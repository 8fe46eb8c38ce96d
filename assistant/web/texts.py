"""The page's fixed text in the page's language: the "page" message catalog (assistant/i18n.py), and the page language
chosen from the URL's ?lang= or the browser's Accept-Language.

Every message shown on the page is written `tr(lang, "English text", name=value)` (or `trn` with a count), or marked
`N_("English text")` where it is a constant translated when shown; `make messages` extracts them into
assistant/locales/page.pot with these keywords.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from string import Formatter
from typing import Final

import gradio as gr
from babel.dates import format_date

from assistant import i18n
from assistant.web import safe_html

DOMAIN: Final = "page"
# Babel's extraction keywords (`pybabel extract -k`): the argument positions of the msgids; the Makefile uses the same
KEYWORDS: Final[dict[str, tuple[int, ...] | None]] = {
    "tr": (2,),
    "trn": (2, 3),
    "tr_html": (2,),
    "trn_html": (2, 3),
    "N_": None,
}
COMMENT_TAG: Final = "TRANSLATORS:"
# Dates in English are written the European way ("2 October 2025")
_DATE_LOCALE: Final = {"en": "en_GB", "nb": "nb_NO"}


def tr(lang: str, message: str, /, **params: object) -> str:
    """`message` (the English text, the msgid) in the page language, its `{placeholders}` filled in."""
    return i18n.gettext(DOMAIN, lang, message, **params)


def trn(lang: str, singular: str, plural: str, n: int, /, **params: object) -> str:
    """A message that depends on the count `n` ({n} in the text), in the page language."""
    return i18n.ngettext(DOMAIN, lang, singular, plural, n, **params)


def N_(message: str) -> str:
    """Marks a constant for extraction; translate it with tr() where it is shown."""
    return message


def page_language(query: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """The page language: a supported ?lang= in the URL (the person's choice), else the best of Accept-Language."""
    chosen = i18n.supported(query.get("lang", "") or "")
    return chosen or i18n.negotiate(headers.get("accept-language"))


def request_language(request: gr.Request | None) -> str:
    """The page language of a page load (page_language of its URL and headers); English without a request."""
    if request is None:
        return i18n.SOURCE_LANGUAGE
    return page_language(dict(request.query_params), dict(request.headers))


def picked_language(event: gr.EventData) -> str | None:
    """The language the language menu asks for (its submit event's value), or None when the menu has no such one."""
    return i18n.supported(str(getattr(event, "value", "") or ""))


def language_choices() -> list[tuple[str, str]]:
    """(code, the language's own name) for the language menu, by code."""
    return sorted(i18n.LANGUAGES.items())


def long_date(value: str, lang: str = i18n.SOURCE_LANGUAGE) -> str:
    """An ISO date written out in the page language ("2 October 2025", "2. Oktober 2025"); anything else as is."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    locale = _DATE_LOCALE.get(lang, lang)
    try:
        return format_date(day, format="long", locale=locale)
    except (ValueError, LookupError):
        return format_date(day, format="long", locale="en_GB")


@dataclass(frozen=True)
class Page:
    """What the page's wording depends on: its language, and whether it answers from one document ("the statement")
    or several ("the documents")."""

    lang: str = i18n.SOURCE_LANGUAGE
    several: bool = False

    def says(self, one: str, many: str, /, **params: object) -> str:
        """The message for one document or for several (both msgids marked with N_), translated."""
        return tr(self.lang, many if self.several else one, **params)


ENGLISH: Final = Page()


def fill_html(template: str, markup: Mapping[str, str], **params: object) -> str:
    """A translated `template` as HTML: its text escaped, `{name}` placeholders of `markup` replaced by that (already
    safe) HTML, the others by their escaped values."""
    out = []
    for literal, field, _spec, _conversion in Formatter().parse(template):
        out.append(safe_html.text(literal))
        if field is not None:
            out.append(markup[field] if field in markup else safe_html.text(str(params[field])))
    return "".join(out)


def tr_html(lang: str, message: str, /, markup: Mapping[str, str], **params: object) -> str:
    """tr() for a message holding HTML (see fill_html)."""
    return fill_html(i18n.translations(DOMAIN, lang).gettext(message), markup, **params)


def trn_html(lang: str, singular: str, plural: str, n: int, /, markup: Mapping[str, str], **params: object) -> str:
    """trn() for a message holding HTML (see fill_html)."""
    return fill_html(i18n.translations(DOMAIN, lang).ngettext(singular, plural, n), markup, n=n, **params)
