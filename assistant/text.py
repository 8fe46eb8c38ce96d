"""Small pure text helpers shared by the answerers and the relevance gate."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

if TYPE_CHECKING:
    from assistant.models import Chunk

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
# NLTK's English stopwords as bm25s ships them, without the pieces of contractions it lists ("don", "isn't", "ll"),
# which would also hide words of other languages from the language check ("y", "o", "ma"); and with the words every
# question about a statement uses ("what does the statement say", "could", "would").
_CONTRACTION_PIECES = frozenset(
    "ain aren couldn d didn doesn don hadn hasn haven isn ll m ma mightn mustn needn o re s shan shouldn t ve wasn "
    "weren won wouldn y".split()
)
ENGLISH_STOPWORDS = frozenset(w for w in STOPWORDS_EN_PLUS if w.isalpha() and w not in _CONTRACTION_PIECES) | frozenset(
    "could would statement document text say says said mention mentions mentioned tell".split()
)
# contractions of pronouns ("they'll", "we're", "what’s"), with either apostrophe: stopwords like the pronouns
ENGLISH_STOPWORDS |= frozenset(
    f"{pronoun}{apostrophe}{ending}"
    for pronoun in "i you he she it we they that there who what here where how".split()
    for apostrophe in "'’"
    for ending in ("ll", "re", "ve", "d", "s", "m")
) | frozenset(
    f"{verb}n{apostrophe}t"
    for verb in "do does did is are was were wo would ca could should have has had must need".split()
    for apostrophe in "'’"
)
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_stems(text: str) -> set[str]:
    """Stemmed, lower-cased content words (stopwords removed)."""
    tokens = [w.lower() for w in words(text)]
    return set(_STEMMER.stemWords([t for t in tokens if t not in ENGLISH_STOPWORDS and len(t) > 1]))


def number_in_words(n: int) -> str:
    return f"{n} ({NUMBER_WORDS[n]})" if 0 <= n < len(NUMBER_WORDS) else str(n)


def european_script(text: str) -> bool:
    """Letters only from the Latin, Greek, Cyrillic and Georgian scripts (the statement's readers' languages)."""
    return all(ch < "\u0530" or "\u10a0" <= ch <= "\u10ff" or "\u1c90" <= ch <= "\u1fff" for ch in text if ch.isalpha())


def stem_word(word: str) -> str:
    return _STEMMER.stemWord(word)


def corpus_words(chunks: Iterable[Chunk]) -> list[str]:
    """The content words of the chunks (their own spelling), for mapping words of other languages onto."""
    return list(
        dict.fromkeys(
            w for c in chunks for w in words(c.embedding_text) if len(w) > 2 and w.lower() not in ENGLISH_STOPWORDS
        )
    )


_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|on|for|the|and)\s+)?[A-Z][\w'’-]*)+")


def name_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms of the multi-word names in the texts ("epc" -> "European Political Community"), lower-cased keys."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _NAME_RUN.finditer(" ".join(text.split())):
            parts = match.group(0).split()
            capitals = [i for i, p in enumerate(parts) if p[:1].isupper()]
            for a, start in enumerate(capitals):
                for end in capitals[a + 1 :]:
                    name = " ".join(parts[start : end + 1])
                    acronym = "".join(p[0] for p in parts[start : end + 1] if p[:1].isupper()).lower()
                    if 2 <= len(acronym) <= 6:
                        found.setdefault(acronym, name)
    return found
