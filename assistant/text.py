"""Small pure text helpers shared by the answerers and the relevance gate."""

from __future__ import annotations

import re

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "statement",
        "say",
        "says",
        "said",
        "mention",
        "mentions",
        "mentioned",
        "tell",
        "does",
        "document",
        "text",
    ]
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


# A few frequent function words per language (the best-scoring language is the one to answer in).
LANGUAGE_MARKERS: dict[str, frozenset[str]] = {
    "German": frozenset(
        (
            "der die das und ist nicht wie viele welche werden wird sind mit von für über auf dem den des ein "
            "eine was wer wo warum wann genannt erklärung gibt es"
        ).split()
    ),
    "French": frozenset(
        (
            "le la les et est sont des du une un pour dans sur qui quel quels quelle quelles combien où ce cette "
            "il s'est que déclaration au aux"
        ).split()
    ),
    "Italian": frozenset(
        (
            "il lo gli e è sono di della delle per con che quali quale quanti quante dove perché la vengono "
            "dichiarazione"
        ).split()
    ),
    "Spanish": frozenset("el los las y es son una por para con qué cuál cuáles cuántos dónde del se la".split()),
    "Portuguese": frozenset("o os as um uma por para com que quais quantos onde do da não são".split()),
    "Dutch": frozenset(
        "de het een van en zijn niet wat welke hoeveel waar voor met op wordt worden zegt verklaring over".split()
    ),
    "Polish": frozenset("w z na jest są się nie jak czy co które która jakie ile gdzie dla oraz wśród".split()),
    "Danish": frozenset("og er det en et til af på hvad hvilke hvilken hvor mange ikke som med den blev i".split()),
    "Swedish": frozenset("och är att som inte vad vilka nämns vilken hur många var för med på om i".split()),
    "Norwegian": frozenset("og er det en et til av på hva hvilke hvor mange ikke som med den ble".split()),
    "Finnish": frozenset("ja on ei mitä mikä missä kuinka monta se että".split()),
    "Czech": frozenset("a je jsou se na v ve z co jak kolik které který kde".split()),
}

# Their function words that are not also English ones: what makes a question look foreign to looks_english.
_FOREIGN_STOPWORDS = frozenset().union(*LANGUAGE_MARKERS.values()) - ENGLISH_STOPWORDS


_DIACRITICS = frozenset("äöüßéèêàâçëïîôùûœæøåñóíúąćęłńśźżčřšžő")


def looks_english(text: str) -> bool:
    """True unless the text shows another language: a non-Latin script, or more foreign than English function words.

    Text with no language at all (code, symbols) counts as English, so it meets the stricter English gate.
    """
    if any(ord(ch) > 0x24F for ch in text if ch.isalpha()):  # Greek, Cyrillic, Arabic, ... scripts
        return False
    tokens = [w.lower() for w in words(text)]
    english = sum(t in ENGLISH_STOPWORDS for t in tokens)
    foreign = sum(t in _FOREIGN_STOPWORDS for t in tokens) + any(ch in _DIACRITICS for ch in text.lower())
    return foreign <= english or foreign == 0


def number_in_words(n: int) -> str:
    return f"{n} ({NUMBER_WORDS[n]})" if 0 <= n < len(NUMBER_WORDS) else str(n)


def european_script(text: str) -> bool:
    """Letters only from the Latin, Greek and Cyrillic scripts (the statement's readers' languages)."""
    return all(ch < "\u0530" or "\u1e00" <= ch <= "\u1fff" for ch in text if ch.isalpha())
