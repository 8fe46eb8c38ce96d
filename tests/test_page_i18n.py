"""The page in the asker's language: its catalogs match the page's messages, the language comes from ?lang= or
Accept-Language, example questions are answered in their language, and several documents are named, not "the
statement". The browser side (html lang, the language menu, axe) is in tests/test_page_languages.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from assistant import i18n
from assistant.config import PROJECT_ROOT
from assistant.web import texts

WEB = PROJECT_ROOT / "assistant" / "web"
LOCALES = PROJECT_ROOT / "assistant" / "locales"
POT = LOCALES / "page.pot"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def msgids_in_code() -> set[str | tuple[str, str]]:
    """Every message the page's code passes to tr/trn/tr_html/trn_html/N_ as a literal, found with Python's own parser
    (so a call inside an f-string, which Babel's extractor does not see, is found too)."""
    found: set[str | tuple[str, str]] = set()
    for path in WEB.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in texts.KEYWORDS):
                continue
            positions = texts.KEYWORDS[node.func.id] or (1,)
            args = [node.args[p - 1] if p - 1 < len(node.args) else None for p in positions]
            values = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
            if any(v is None for v in values):
                continue  # a variable: its value is a constant marked with N_ where it is defined
            found.add(values[0] if len(values) == 1 else (values[0], values[1]))  # type: ignore[arg-type]
    return found


def catalog_ids(catalog: Catalog) -> set[str | tuple[str, str]]:
    return {m.id for m in catalog if m.id}  # type: ignore[misc]


def test_every_message_of_the_page_is_in_the_template() -> None:
    in_code = msgids_in_code()
    assert len(in_code) > 50
    missing = in_code - catalog_ids(read_catalog(POT))
    assert not missing, f"not in {POT.name} (run `make messages`): {sorted(map(str, missing))}"


def page_catalogs() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/page.po"))


def test_the_required_languages_have_page_catalogs() -> None:
    have = {path.parent.parent.name for path in page_catalogs()}
    assert {"de", "pl", "el", "fr", "es", "it"} <= have
    assert have <= set(i18n.LANGUAGES) - {"en"}


@pytest.mark.parametrize("path", page_catalogs(), ids=lambda p: p.parent.parent.name)
def test_a_page_catalog_translates_every_message_with_the_same_placeholders(path: Path) -> None:
    """Each language is complete or absent: every msgid of page.pot translated, none fuzzy, placeholders kept."""
    lang = path.parent.parent.name
    catalog = read_catalog(path, lang)
    template = read_catalog(POT)
    missing = catalog_ids(template) - catalog_ids(catalog)
    assert not missing, f"{lang}: missing {missing}"
    for message in template:
        if not message.id:
            continue
        translated = catalog[message.id]
        assert translated is not None and not translated.fuzzy, (lang, message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        assert len(strings) == catalog.num_plurals if isinstance(message.id, tuple) else len(strings) == 1
        wanted = set(PLACEHOLDER.findall(" ".join(ids))) - ({"n"} if isinstance(message.id, tuple) else set())
        for string in strings:
            assert string.strip(), (lang, message.id)
            assert wanted <= set(PLACEHOLDER.findall(string)) <= wanted | {"n"}, (lang, message.id, string)
            assert string.count("[n]") == " ".join(ids).count("[n]"), (lang, message.id, string)
