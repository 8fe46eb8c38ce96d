"""Whether an answer speaks the asker's language in its own words: quotes, markers, URLs and numbers removed first.

The statement's quotes stay English whatever the question's language, so only the words around them count. The
language is detected with the assistant's own detector (lingua, `detect_language`); a text too short to judge is
not in any language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from assistant.answer.question import detect_language, detectable_languages
from assistant.i18n import SOURCE_LANGUAGE

# Fewer words of letters than this in what is left: too short to judge (counts as not in the asker's language).
MIN_WORDS: Final = 3

# Quoted text of every style, German and Polish „…“ and the low single quote first (their closing mark opens an
# English quote), then guillemets both ways, English and Swedish double quotes, straight quotes. A single mark that is
# also an apostrophe (' ’) opens a quote only where no letter precedes it and closes one only where none follows,
# so "l'ordre … d'asile" keeps its words.
_QUOTED: Final = tuple(
    re.compile(pattern)
    for pattern in (
        r"„[^“”„]*[“”]",
        r"‚[^‘’‚]*[‘’]",
        r"«[^»]*»",
        r"»[^«]*«",
        r"“[^”]*”",
        r"”[^”]*”",
        r'"[^"]*"',
        r"(?<!\w)‘[^’‘]*’(?!\w)",
        r"(?<!\w)'[^']*'(?!\w)",
        r"(?<!\w)’[^’]*’(?!\w)",
    )
)
_MARKER: Final = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_URL: Final = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NUMBER: Final = re.compile(r"(?<!\w)[-+]?\d[\d.,:/%-]*(?!\w)")
_WORD: Final = re.compile(r"[^\W\d_]{2,}")


def _quote_pattern(quote: str) -> re.Pattern[str] | None:
    """The quote as found in an answer: any whitespace between its words, any case, its closing full stop optional."""
    words = quote.strip().rstrip(".;:,").split()
    return re.compile(r"\s+".join(map(re.escape, words)), re.IGNORECASE) if words else None


def own_words(answer: str, quotes: Iterable[str] = ()) -> str:
    """The answer without the cited quotes, text in quotation marks, citation markers, URLs and numbers."""
    text = answer
    for pattern in filter(None, map(_quote_pattern, sorted(quotes, key=len, reverse=True))):
        text = pattern.sub(" ", text)
    for pattern in (*_QUOTED, _MARKER, _URL, _NUMBER):
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def answer_language(answer: str, quotes: Iterable[str] = ()) -> str | None:
    """The ISO 639-1 code of the answer's own words, or None when too few are left to judge."""
    left = own_words(answer, quotes)
    if len(_WORD.findall(left)) < MIN_WORDS:
        return None
    return detect_language(left)


def judgeable(language: str) -> bool:
    """Whether answers in this language can be judged (lingua has a model for it; not Maltese)."""
    return language.split("-")[0].lower() in detectable_languages()


def in_language(answer: str, quotes: Iterable[str], language: str) -> bool | None:
    """Whether the answer's own words are in `language` (too short to judge: False). None for English, the
    statement's language (an answer that is one quote is in it), and for a language that cannot be detected."""
    if language.split("-")[0].lower() == SOURCE_LANGUAGE or not judgeable(language):
        return None
    return answer_language(answer, quotes) == language.split("-")[0].lower()
