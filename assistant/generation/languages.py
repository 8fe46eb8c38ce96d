"""Which language to answer in: the question's, named for the model (small models ignore 'the same language')."""

from __future__ import annotations

from assistant.text import LANGUAGE_MARKERS, looks_english, words

_SCRIPTS = {"Greek": ("\u0370", "\u03ff")}  # Cyrillic could be several languages: left to the model
_DIACRITIC_HINTS = {
    "ß": "German",
    "ä": "German",
    "ü": "German",
    "ø": "Danish",
    "æ": "Danish",
    "å": "Swedish",
    "ł": "Polish",
    "ą": "Polish",
    "ę": "Polish",
    "ś": "Polish",
    "ż": "Polish",
    "ń": "Polish",
    "ç": "French",
    "è": "French",
    "ê": "French",
    "à": "French",
    "ñ": "Spanish",
    "ã": "Portuguese",
    "ř": "Czech",
    "ě": "Czech",
    "ů": "Czech",
}


def answer_language(question: str) -> str | None:
    """The language to answer in by name ('German'), or None for English."""
    for name, (low, high) in _SCRIPTS.items():
        if any(low <= ch <= high for ch in question):
            return name
    if looks_english(question):
        return None
    tokens = [w.lower() for w in words(question)]
    scores = {name: sum(t in marker for t in tokens) for name, marker in LANGUAGE_MARKERS.items()}
    for ch, name in _DIACRITIC_HINTS.items():
        if ch in question.lower():
            scores[name] += 1
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] > 0 else "the language of the question"
