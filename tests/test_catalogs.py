"""The "answers" message catalogs: every language complete, placeholders intact, its own quotation marks."""

from __future__ import annotations

import string
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from assistant.answer import framing
from assistant.i18n import LANGUAGES, SOURCE_LANGUAGE, catalog_path, ngettext, translations

CODES = sorted(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
TEMPLATE = Path(str(resources.files("assistant").joinpath("locales/answers.pot")))
NBSP = "\u00a0"

# The quotation marks of each language (CLDR delimiters quotationStart/quotationEnd); French puts a no-break space
# inside its guillemets.
QUOTATION_MARKS: dict[str, tuple[str, str]] = {
    "bg": ("„", "“"),
    "bs": ("„", "”"),
    "ca": ("«", "»"),
    "cs": ("„", "“"),
    "cy": ("‘", "’"),
    "da": ("“", "”"),
    "de": ("„", "“"),
    "el": ("«", "»"),
    "es": ("«", "»"),
    "et": ("„", "“"),
    "fi": ("”", "”"),
    "fr": ("«" + NBSP, NBSP + "»"),
    "ga": ("“", "”"),
    "hr": ("„", "“"),
    "hu": ("„", "”"),
    "is": ("„", "“"),
    "it": ("«", "»"),
    "ka": ("„", "“"),
    "lt": ("„", "“"),
    "lv": ("“", "”"),
    "mk": ("„", "“"),
    "mt": ("“", "”"),
    "nb": ("«", "»"),
    "nl": ("‘", "’"),
    "pl": ("„", "”"),
    "pt": ("“", "”"),
    "ro": ("„", "”"),
    "sk": ("„", "“"),
    "sl": ("„", "“"),
    "sq": ("«", "»"),
    "sr": ("„", "“"),
    "sv": ("”", "”"),
    "tr": ("“", "”"),
    "uk": ("«", "»"),
}
ENGLISH_MARKS = ("“", "”")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=framing.DOMAIN, abort_invalid=True)


def _catalog(code: str) -> Catalog:
    return _read(Path(str(resources.files("assistant").joinpath(catalog_path(framing.DOMAIN, code)))), code)


def _msgids() -> list[Message]:
    return [m for m in _read(TEMPLATE) if m.id]


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _placeholders(text: str) -> Counter[str]:
    return Counter(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def _source(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_every_public_language_has_an_answers_catalog() -> None:
    assert set(CODES) == set(QUOTATION_MARKS)
    assert len(_msgids()) >= 30


@pytest.mark.parametrize("code", CODES)
def test_the_catalog_is_complete_and_keeps_the_placeholders(code: str) -> None:
    catalog = _catalog(code)
    assert not catalog.fuzzy, f"{code}: the header is still marked fuzzy"
    assert "FULL NAME" not in (catalog.last_translator or "")
    for template in _msgids():
        message = catalog.get(template.id)
        assert message is not None, f"{code}: {template.id!r} is missing"
        assert not message.fuzzy, f"{code}: {template.id!r} is fuzzy"
        forms = _forms(message)
        assert len(forms) == (catalog.num_plurals if template.pluralizable else 1), f"{code}: {template.id!r}"
        wanted = _placeholders(_source(template))
        assert set(wanted.values()) <= {1}
        for form in forms:
            assert form.strip(), f"{code}: {template.id!r} has an empty form"
            assert _placeholders(form) == wanted, f"{code}: {form!r} has not the placeholders of {template.id!r}"
            for end in (":", "."):
                if _source(template).endswith(end):
                    assert form.endswith(end), f"{code}: {form!r} lost the {end!r} of {template.id!r}"
        if wanted:
            assert "python-brace-format" in message.flags, f"{code}: {template.id!r} lost its flag"


@pytest.mark.parametrize("code", CODES)
def test_the_compiled_catalog_answers_every_message(code: str) -> None:
    compiled = translations(framing.DOMAIN, code)
    catalog = _catalog(code)
    assert framing.framed(code)
    for template in _msgids():
        message = catalog[template.id]
        if template.pluralizable:
            singular, plural = template.id
            for n in (*range(0, 120), 1_000_000):
                text = ngettext(framing.DOMAIN, code, singular, plural, n)
                assert str(n) in text and text in {f.format(n=n) for f in _forms(message)}
        else:
            assert compiled.gettext(template.id) == message.string


@pytest.mark.parametrize("code", CODES)
def test_quotes_are_in_the_languages_own_marks(code: str) -> None:
    start, end = QUOTATION_MARKS[code]
    assert framing.quoted("x", code) == f"{start}x{end}"
    if (start, end) != ENGLISH_MARKS:
        assert framing.quoted("x", code) != framing.quoted("x", SOURCE_LANGUAGE)


def test_catalan_and_welsh_count_with_the_forms_gettext_gives_them() -> None:
    """Catalan has two forms (one, other); Welsh six (0, 1, 2, 3, 6, other), and a noun after "dau" (2) is softened."""
    catalan, welsh = translations(framing.DOMAIN, "ca"), translations(framing.DOMAIN, "cy")
    assert [catalan.plural(n) for n in (0, 1, 2, 15)] == [1, 0, 1, 1]  # type: ignore[attr-defined]
    assert [welsh.plural(n) for n in (0, 1, 2, 3, 4, 6, 15)] == [0, 1, 2, 3, 5, 4, 5]  # type: ignore[attr-defined]
    singular, plural = framing.AUTHORS
    assert ngettext(framing.DOMAIN, "ca", singular, plural, 1) == "La declaració té 1 signant:"
    assert ngettext(framing.DOMAIN, "ca", singular, plural, 15) == "La declaració té 15 signants:"
    assert ngettext(framing.DOMAIN, "cy", singular, plural, 2) == "Mae'n enwi 2 lofnodwr:"
    assert ngettext(framing.DOMAIN, "cy", singular, plural, 15) == "Mae'n enwi 15 llofnodwr:"
