"""Machine translations of the quotes into the asker's language, written by the answering model and checked in code.

The quotes stay verbatim English (their offsets and highlight are the original's); a translation is extra, labelled as
a machine translation wherever it is shown. A small model's reply may echo the English, answer in another language,
refuse, loop or drop a number, so a reply is kept only when it passes `check_quote_translation`; otherwise the quote has
no translation, never a wrong one. Replies (kept or not) are cached per (quote, language): the model is greedy.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cachetools import LRUCache

from assistant.answer.question import detect_language
from assistant.deadline import Deadline, DeadlineReached
from assistant.generation.backends import ChatBackend
from assistant.generation.languages import LANGUAGE_NAMES
from assistant.generation.passages import addressed_to_the_model
from assistant.models import fold_whitespace

if TYPE_CHECKING:
    from assistant.multilingual import MultilingualEncoder

log = logging.getLogger(__name__)

PROMPT = (
    "Translate the user's message into {language}. Keep names and numbers as they are. Reply with the translation only."
)
MAX_TOKENS = 200  # a quote is a sentence or a clause; more than this is a runaway, not a translation
LENGTH_FACTOR = 2  # a translation of an English sentence into a European language stays well within twice its length
LENGTH_SLACK = 20
SHORTEST_SHARE = 0.25  # Chinese or Japanese take ~1/3 of the English characters; less than 1/4 leaves something out
MIN_DISTINCT_WORDS = 0.5  # a greedy loop ("και και και ...") repeats its words; a translation hardly ever does
MIN_SIMILARITY = 0.82  # multilingual-e5 passage cosine: translations 0.87-0.98, a refusal or another sentence 0.72-0.76
TRANSLATIONS_KEPT = 10_000

_LINES = re.compile(r"\n\s*\S")
_WORDS = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
_MARKUP = re.compile(r"[<>{}`]|\[[^\]]*\]\(|\bhttps?://|\bwww\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;:。！？؟…»”“\"')]\s*$")  # ";" ends a Greek question
_ENDS_SENTENCE = re.compile(r"[.!?]\s*$")
_QUOTE_MARKS = " \"'“”‘’«»„‚"

Similarity = Callable[[str, str], float]


@dataclass(frozen=True)
class CheckedQuoteTranslation:
    """The translation to show (None: show none) and why."""

    text: str | None
    reason: str


def cross_lingual(encoder: MultilingualEncoder) -> Similarity:
    """The cosine of two texts in any languages, with multilingual-e5 (both embedded as passages)."""

    def similarity(quote: str, translation: str) -> float:
        a, b = encoder.passages([quote, translation])
        return float(a @ b)

    return similarity


def translation_prompt(language: str) -> str:
    """The fixed system prompt asking for a translation into a language code's language ('de': German)."""
    return PROMPT.format(language=LANGUAGE_NAMES[language])


def max_tokens_for(quote: str) -> int:
    """Room for a whole translation of this quote (scripts other than Latin take more tokens), and no more."""
    return min(MAX_TOKENS, len(quote) * 3 // 4 + 24)


def _bare(text: str) -> str:
    return " ".join(w.casefold() for w in _WORDS.findall(text))


def repeats_itself(text: str) -> bool:
    """A greedy loop: too few distinct words, or one word three times running."""
    words = [w.casefold() for w in _WORDS.findall(text)]
    if any(a == b == c for a, b, c in zip(words, words[1:], words[2:], strict=False)):
        return True
    return len(words) >= 8 and len(set(words)) < MIN_DISTINCT_WORDS * len(words)


def check_quote_translation(
    quote: str, reply: str, language: str, similarity: Similarity | None = None
) -> CheckedQuoteTranslation:
    """The model's reply as a translation of the quote into `language` (an ISO 639-1 code), or None with the reason
    it is not one. `similarity(quote, translation)` is a cross-lingual cosine (multilingual-e5), when there is one."""
    quote = fold_whitespace(quote)
    if _LINES.search(reply.strip()):
        return CheckedQuoteTranslation(None, "more than one paragraph (a translation and something else)")
    text = fold_whitespace(reply).strip(_QUOTE_MARKS)
    if not text:
        return CheckedQuoteTranslation(None, "empty")
    if len(text) > LENGTH_FACTOR * len(quote) + LENGTH_SLACK:
        return CheckedQuoteTranslation(None, "longer than a translation of the quote could be")
    if len(text) < SHORTEST_SHARE * len(quote):
        return CheckedQuoteTranslation(None, "much shorter than the quote")
    if _bare(text) == _bare(quote):
        return CheckedQuoteTranslation(None, "the English quote echoed back")
    found = detect_language(text)
    if found != language:
        return CheckedQuoteTranslation(None, f"in {found}, not {language}")
    if repeats_itself(text):
        return CheckedQuoteTranslation(None, "repeats itself")
    if sorted(_DIGITS.findall(text)) != sorted(_DIGITS.findall(quote)):
        return CheckedQuoteTranslation(None, "its numbers are not the quote's")
    if _MARKUP.search(text) and not _MARKUP.search(quote):
        return CheckedQuoteTranslation(None, "carries markup or an address")
    if _ENDS_SENTENCE.search(quote) and not _SENTENCE_END.search(text):
        return CheckedQuoteTranslation(None, "cut off before the end of the sentence")
    if similarity is not None and (score := similarity(quote, text)) < MIN_SIMILARITY:
        return CheckedQuoteTranslation(None, f"does not say what the quote says (similarity {score:.2f})")
    return CheckedQuoteTranslation(text, "ok")


class QuoteTranslator:
    """Translates quotes with an answerer's chat backend, checks each reply and caches the outcome."""

    def __init__(self, similarity: Similarity | None = None, kept: int = TRANSLATIONS_KEPT) -> None:
        self.similarity = similarity
        self._cache: LRUCache[tuple[str, str], str | None] = LRUCache(maxsize=kept)
        self._lock = threading.Lock()

    def translate(
        self, backend: ChatBackend, quote: str, language: str, deadline: Deadline | None = None
    ) -> str | None:
        """The checked translation of the quote into `language` (an ISO 639-1 code), or None."""
        if language == "en" or language not in LANGUAGE_NAMES:
            return None  # no language to name for the model
        prose = fold_whitespace(quote)
        if addressed_to_the_model(prose):  # a sentence addressed to a model is not sent to one (as in the prompt)
            return None
        key = (prose, language)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        if deadline is not None and deadline.passed():
            deadline.stop("quote translation")
            return None
        try:
            reply = backend.complete(translation_prompt(language), prose, max_tokens_for(prose), deadline)
        except DeadlineReached as reached:  # not kept: with time to spare, it may well translate
            log.info("no translation of the quote %r: %s", prose[:60], reached)
            return None
        except Exception as exc:  # a remote model that is down: the quote stays untranslated
            log.warning("could not translate the quote %r: %s", prose[:60], exc)
            return None
        checked = check_quote_translation(prose, reply, language, self.similarity)
        if checked.text is None:
            log.info("set aside the model's translation of %r (%s): %r", prose[:60], checked.reason, reply[:120])
        with self._lock:
            self._cache[key] = checked.text
        return checked.text
