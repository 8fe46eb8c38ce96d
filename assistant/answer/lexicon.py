"""A hand-checked lexicon of document-structure words per language: which English concept word a word stands for.

Each ``assistant/locales/<lang>/lexicon.json`` maps an English concept word (or an English country name) to lowercase
stems: a word of that language means the concept when it starts with a stem; a stem ending in ``$`` matches only the
whole word. The multilingual embedding glossary is too noisy for these short structural words. The English lexicon
maps the public's everyday words onto the documents' own ("deportations" -> "returns", "penalties" -> "sanctions"):
MiniLM places "deportations" nearer "refugee" than "returns", so word vectors cannot be trusted with it either.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources

from babel import Locale, UnknownLocaleError

EXACT = "$"
CAPITALISES_NOUNS = frozenset({"de", "lb"})  # German capitalises every noun: a capital says nothing there
ADJECTIVE_ENDINGS = ("ish", "ian", "ean", "ic", "ese", "ch", "an", "ern")  # "Danish", "European", "Nordic"


def place_adjective(word: str) -> bool:
    """A capitalised word shaped like an adjective of place ("European", "Nordic"): what a name is, not a name
    (a country's own name is never one: "Iran", "Afghanistan")."""
    return word[:1].isupper() and word.lower().endswith(ADJECTIVE_ENDINGS) and word not in country_names_english()


@cache
def lexicon(language: str) -> dict[str, tuple[str, ...]]:
    """The concept -> stems lexicon of a language; empty for a language without a lexicon file."""
    source = resources.files("assistant").joinpath("locales", language, "lexicon.json")
    if not source.is_file():
        return {}
    data: dict[str, list[str]] = json.loads(source.read_text(encoding="utf-8"))
    return {concept: tuple(stem.lower() for stem in stems) for concept, stems in data.items()}


COMPOUND_STEM = 5  # a stem this long also matches as the head of a compound ("pääteemaa", "Mitgliedsländer")
COMPOUND_PREFIX = 3


def _match(word: str, stem: str) -> int:
    """How many letters of the word a stem covers (0 when it does not match); a stem found inside a compound
    counts one letter less than the same stem at the word's start."""
    if stem.endswith(EXACT):
        return len(word) if word == stem[:-1] else 0
    if word.startswith(stem):
        return len(stem)
    if len(stem) >= COMPOUND_STEM and word.find(stem, COMPOUND_PREFIX) > 0:
        return len(stem) - 1
    return 0


_ELIDED = re.compile(r"^(?:[ldsnjmtc]|qu|dell|all|dall|nell|sull|un)['’](?=\w)")  # "s'épauler", "l'asile"


def normalized(word: str) -> str:
    """A word as the stems are written: NFC, lowercase, without the combining dot Turkish "İ" lowercases to, and
    without an elided article or pronoun before it (French, Italian: "s'épauler" -> "épauler")."""
    lowered = unicodedata.normalize("NFC", word.strip()).lower().replace("\u0307", "")
    return _ELIDED.sub("", lowered)


_UNMARKED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
)


def unmarked(text: str) -> str:
    """A lowercase text as typed without its diacritics ("krijumčare" -> "krijumcare", "białoruś" -> "bialorus")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_UNMARKED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _unmarked_lexicon(language: str) -> dict[str, tuple[str, ...]]:
    return {concept: tuple(unmarked(stem) for stem in stems) for concept, stems in lexicon(language).items()}


@cache
def _has_marks(language: str) -> bool:
    return _unmarked_lexicon(language) != lexicon(language)


@lru_cache(maxsize=65_536)  # pure, and asked of the same words many times per question
def concept_of(word: str, language: str) -> str | None:
    """The English concept word a word of a language stands for (longest matching stem wins), or None. A word typed
    without its language's diacritics ("krijumcare", "granicy z bialorusia") is read against the stems without them."""
    lowered = normalized(word)
    if not lowered:
        return None
    best: tuple[int, str | None] = (0, None)
    for concept, stems in lexicon(language).items():
        for stem in stems:
            length = _match(lowered, stem)
            if length > best[0]:
                best = (length, concept)
    if best[1] is None and lowered.isascii() and _has_marks(language):
        for concept, stems in _unmarked_lexicon(language).items():
            for stem in stems:
                length = _match(lowered, stem)
                if length > best[0] and len(stem.removesuffix(EXACT)) >= UNMARKED_STEM:
                    best = (length, concept)
    return best[1]


UNMARKED_STEM = 4  # a stem read without its diacritics is this long at least: shorter ones say too little


# Countries the public asks about (Europe, its neighbours and a few others often in the news): their names in every
# language come from Babel's CLDR data, so "a frança assinou?" or "Magyarország aláírta?" asks about France or Hungary
_COUNTRY_CODES = (
    "AD AL AM AT AZ BA BE BG BY CH CY CZ DE DK EE ES FI FR GB GE GR HR HU IE IS IT LI LT LU LV MC MD ME MK MT NL NO "
    "PL PT RO RS RU SE SI SK SM TR UA VA XK US CA CN MA DZ TN LY EG SY IQ IR AF"
).split()
INFLECTED = 6  # a country name this long also matches with another ending ("Hiszpanii" for "Hiszpania")
ENDING = 3  # at most this many letters after the name's stem ("Schweiz" is not "schweigt")


@cache
def _country_names(language: str) -> dict[str, str]:
    """A language's names of the countries above, lowercased (without an article: "an Fhrainc", "l-Ungerija"), with
    their English names; empty for a language Babel does not know."""
    try:
        local, english = Locale.parse(language).territories, Locale.parse("en").territories
    except (UnknownLocaleError, ValueError):
        return {}
    names: dict[str, str] = {}
    for code in _COUNTRY_CODES:
        if code in local and code in english:
            name = re.sub(r"^(?:an|na|il|l|in|ir|is)[-\s]+", "", local[code].lower())
            names[name] = english[code]
    return names


@cache
def country_names_english() -> frozenset[str]:
    """The English names of the countries above."""
    return frozenset(_country_names("en").values())


@cache
def _countries_by_lowercase() -> dict[str, str]:
    return {name.lower(): name for name in country_names_english()}


def english_country(name: str) -> str | None:
    """The English country name a name is, whatever its case ("france" -> "France"), or None."""
    return _countries_by_lowercase().get(name.strip().lower())


def country_gloss(words: Iterable[str], language: str) -> dict[str, str]:
    """Each word of a question in `language` that names a country, with its English name ("frança" -> "France")."""
    names = _country_names(language)
    found = {}
    for word in dict.fromkeys(words):
        lowered = normalized(word)
        for name, english in names.items():
            name = unmarked(name) if lowered.isascii() else name  # "bialorusia": "Białoruś" typed without its marks
            inflected = len(name) >= INFLECTED and " " not in name and len(lowered) - len(name) <= ENDING - 1
            if lowered == name or (inflected and lowered.startswith(name[:-1])):
                found[word] = english
                break
    return found


# Concepts that are what a passage is about (not the document's structure or its parties)
TOPIC_CONCEPTS = frozenset({"returns", "smugglers", "borders", "asylum", "partnerships", "sanctions", "visa"})

# Concepts of a document's structure and its parties: what every question may name, never a topic it lacks
STRUCTURE_CONCEPTS = frozenset(
    {"themes", "points", "countries", "leaders", "signatories", "title", "heading", "statement", "summit", "support",
     "agencies", "conventions"}
)  # fmt: skip


def topics_named(words: Iterable[str], language: str) -> dict[str, str]:
    """The words of a question the lexicon reads as a topic (not the structure, not a country), with their concept:
    "Flüchtlingsquoten" -> "quotas", "deportations" -> "returns"."""
    found = {}
    for word in dict.fromkeys(words):
        concept = concept_of(word, language)
        if concept is not None and concept.islower() and concept not in STRUCTURE_CONCEPTS:
            found[word] = concept
    return found


# Concepts that name the document itself rather than anything in it: no help in finding what a question asks
_NOT_A_TOPIC = frozenset({"statement"})


# An English word of the lexicon used as a verb, not as the noun it maps: "which one deals with asylum?"
_USED_AS_VERB = re.compile(
    r"\b(?:one|it|that|which|what|who|this|theme|section|part|point|bullet|paragraph|statement|document)\s+"
    r"(?P<verb>deals)\s+with\b",
    re.IGNORECASE,
)


def verbs_in(text: str) -> set[str]:
    """The lexicon's English nouns that `text` uses as verbs, left out of its gloss."""
    return {m.group("verb") for m in _USED_AS_VERB.finditer(text)}


def lexicon_gloss(words: Iterable[str], language: str, verbs: Iterable[str] = ()) -> dict[str, str]:
    """Each word of a question in `language` that the lexicon knows, with its English concept word ("Länder" ->
    "countries", "Polsce" -> "Poland"); not the `verbs` (see verbs_in)."""
    found = {}
    left_out = set(verbs)
    for word in (w for w in dict.fromkeys(words) if w not in left_out):
        concept = concept_of(word, language)
        if concept is not None and concept not in _NOT_A_TOPIC:
            found[word] = concept
    return found


# English phrasal verbs for a return ("send them back", "take their own citizens back", "go back home"): words the
# lexicon cannot hold one by one
_SENT_BACK = re.compile(
    r"\b(?:send|sends|sent|sending|take|takes|took|taking|taken|bring|brings|brought|get|gets|getting|go|goes|going|"
    r"went|fly|flown)\b((?:\s+(?!back\b)[\w'’-]+){0,4}?)\s+back\b(?:\s+home\b)?",
    re.IGNORECASE,
)


# Countries outside the EU are "third countries" in the documents' words
_OUTSIDE = re.compile(
    r"\b(?:(?:countries|states|nations)\s+(?:from\s+)?outside\s+(?:of\s+)?(?:the\s+)?"
    r"(?:EU|European Union|Europe|Union)|"
    r"non-(?:EU|European)\s+(?:countries|states|nations)|foreign\s+countries)\b",
    re.IGNORECASE,
)


# Coming without permission is what the documents call illegal migration; the countries people leave, the source
_WITHOUT_PERMISSION = re.compile(
    r"\b(?:arriv\w*|com\w*|enter\w*|cross\w*|migrat\w*|mov\w*)\s+(?:to \w+\s+)?without\s+(?:a\s+)?(?:permission|"
    r"papers|authori[sz]ation|documents|visas?|the right)\b",
    re.IGNORECASE,
)
_LEFT_BEHIND = re.compile(
    r"\b(?:countries|places|states)\s+(?:that\s+)?(?:people|migrants|refugees|they)\s+(?:leave|left|flee|fled|"
    r"come from|came from)\b",
    re.IGNORECASE,
)
# Helping each other is what the documents call supporting one another
_EACH_OTHER = re.compile(
    r"\b(?:help|helps|helping|support|supports|supporting|assist|assisting|back|backing)\s+"
    r"(?:each other|one another)(?:\s+out)?\b",
    re.IGNORECASE,
)


def reworded(text: str, gloss: Mapping[str, str]) -> str | None:
    """An English text in the documents' words: each glossed word replaced by the documents' word for it, a phrasal
    "send ... back" by "return ...", and "countries outside Europe" by "third countries"; None when nothing
    changes."""
    result = _SENT_BACK.sub(lambda m: f"return{m.group(1)}", text)
    result = _OUTSIDE.sub("third countries", result)
    result = _EACH_OTHER.sub("support one another", result)
    result = _WITHOUT_PERMISSION.sub("illegal migration", result)
    result = _LEFT_BEHIND.sub("countries at source", result)
    if gloss:
        alternatives = "|".join(re.escape(w) for w in sorted(gloss, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w'’-])({alternatives})(?![\w'’-])")
        result = pattern.sub(lambda m: gloss[m.group(1)], result)
    return result if result != text else None
