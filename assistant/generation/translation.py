"""The model's English for a question in another language, checked like any model output before anything uses it.

A question may carry an injected instruction; a small model asked to translate it may repeat the payload, or follow
it instead of translating. A reply is used (for retrieval, the refusal gate, the prompt and `Answer.english_question`)
only when it reads as a plain English question: no instruction, nothing the question could not have said, no longer
than a translation of it could be. Otherwise the question is answered as asked (multilingual-e5), as if there were no
model to translate with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.question import INSTRUCTION_CUES, detect_language
from assistant.generation.passages import addressed_to_the_model
from assistant.generation.support import planted_phrases
from assistant.models import fold_whitespace

# How a question or a request for information starts in English ("Which ...?", "List the ...", "Is ...")
_ASKS = re.compile(
    r"^(?:(?:and|but|so|also|please|then)\s+)*(?:what|which|who|whom|whose|where|when|why|how|is|are|was|were|am|"
    r"do|does|did|can|could|will|would|should|shall|may|might|must|has|have|had|"
    r"list|name|give|tell|describe|summari[sz]e|explain|show|state|identify|define|compare|outline|"
    r"enumerate|count|quote|cite|mention)\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^(?:english|translation|in english|translated)\s*:\s*", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_DIGITS = re.compile(r"\d+")
_MARKUP = re.compile(r"[<>{}`]|\[[^\]]*\]\(|\bhttps?://|\bwww\.", re.IGNORECASE)
LENGTH_FACTOR = 3  # English may take ~3x the characters of a Chinese or Japanese question; more is not a translation
LENGTH_SLACK = 40


@dataclass(frozen=True)
class CheckedTranslation:
    """The translation to use (None: use none) and why."""

    text: str | None
    reason: str


def first_line(reply: str) -> str:
    """The reply's first non-empty line, without quotes around it or a 'Translation:' label."""
    line = next((ln for ln in reply.splitlines() if ln.strip()), "")
    return _PREFIX.sub("", fold_whitespace(line)).strip(" \"'“”‘’«»")


def is_question_like(text: str) -> bool:
    """Every sentence asks something: ends with '?' or opens like an English question or request for information."""
    sentences = [s for s in _SENTENCES.split(text.strip()) if s]
    return bool(sentences) and all(s.endswith("?") or _ASKS.match(s) for s in sentences)


def check_translation(question: str, reply: str, vocabulary: frozenset[str]) -> CheckedTranslation:
    """The model's reply as the question's English, or None with the reason it is not one.

    `vocabulary` is the corpus's words: a shouted word, a quoted string or an address the corpus never uses is a
    payload the question tried to plant, not something it asks about."""
    line = first_line(reply)
    if not line:
        return CheckedTranslation(None, "empty")
    if len(line) > LENGTH_FACTOR * len(question) + LENGTH_SLACK:
        return CheckedTranslation(None, "longer than a translation of the question could be")
    if detect_language(line) != "en":
        return CheckedTranslation(None, "not English")
    if any(INSTRUCTION_CUES.search(sentence) for sentence in _SENTENCES.split(line)):
        return CheckedTranslation(None, "carries an instruction")
    if addressed_to_the_model(line):
        return CheckedTranslation(None, "addressed to the model")
    if _MARKUP.search(line):
        return CheckedTranslation(None, "carries markup or an address")
    planted = planted_phrases(line, vocabulary)
    if planted:
        return CheckedTranslation(None, f"carries {planted[0]!r}, which the documents never use")
    invented = set(_DIGITS.findall(line)) - set(_DIGITS.findall(question))
    if invented:
        return CheckedTranslation(None, f"has the number {sorted(invented)[0]}, which the question does not")
    if not is_question_like(line):
        return CheckedTranslation(None, "not a question")
    return CheckedTranslation(line, "ok")
