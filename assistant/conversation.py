"""Follow-up questions: rewrite a question that leans on the history into one that stands alone (a cheap rule)."""

from __future__ import annotations

import re

from assistant.text import ENGLISH_STOPWORDS, words

_WHAT_ABOUT = re.compile(
    r"^\s*(?:and|but|also|so|ok(?:ay)?|then)?[\s,]*(?:what|how)\s+about\s+(?P<topic>.+?)\s*[?.!]*\s*$", re.IGNORECASE
)
_LEANS_ON_HISTORY = re.compile(
    r"^\s*(?:and|but|also|so|then|what else|anything else|more)\b|\b(?:it|its|they|them|their|this|that|these|"
    r"those|there|he|she|ones|else|the same|above|previous|earlier|mentioned)\b",
    re.IGNORECASE,
)

History = list[tuple[str, str]]


def needs_history(question: str) -> bool:
    content = [w for w in words(question) if w.lower() not in ENGLISH_STOPWORDS]
    return bool(_WHAT_ABOUT.match(question) or _LEANS_ON_HISTORY.search(question)) or len(content) <= 1


def standalone_question(question: str, history: History) -> str:
    """The question itself when there is no history or it stands alone; otherwise it joined to the last question."""
    if not history:
        return question
    previous = history[-1][0].strip()
    match = _WHAT_ABOUT.match(question)
    if match:
        return f"What does the statement say about {match.group('topic')}?"
    if needs_history(question):
        return f"{previous} {question.strip()}"
    return question
