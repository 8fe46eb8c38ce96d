"""Every refusal rule, in one place: when the documents do not answer, and what the refusal then says.

A refusal is decided in code, never by a model. The rules, in the order the answerers apply them:
- `COMMAND`: the question asks to do something else (print, write a poem, translate, reveal instructions);
- `UNKNOWN_NAME`: an English question names something the documents never mention ("Why did France sign?");
- `NOT_MENTIONED`: "Does it mention X?" and X is nowhere in the documents;
- `OTHER_SCRIPT`: a script the multilingual model cannot be trusted with;
- `NOT_RELEVANT`: no quote of the evidence is close enough to the question (cosine and focus words);
- `DETAIL_ABSENT`: the topic is there but not the asked detail (a date for "when", an amount for "how much",
  a person's name for "who is the ...", a number for "how many"); the refusal says what the documents do say;
  The same holds for the noun a "what/which X" question asks for when no document has that word or one close in
  meaning ("What refugee quota ...?", "Which edition of the summit ...?");
- `OUT_OF_RANGE`: an ordinal past the end of a list ("the seventh theme" of five);
- `MIXED_DOCUMENTS`: a question ties together names that no one document holds together (a false premise that mixes
  documents: "What did <the notice's spokesperson> say at <the statement's summit>?").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from enum import StrEnum

from assistant.answer.lexicon import (
    ADJECTIVE_ENDINGS,
    CAPITALISES_NOUNS,
    concept_of,
    country_names_english,
    place_adjective,
    topics_named,
)
from assistant.answer.question import COMPARING, INSTRUCTION_CUES, TOPIC_FOREIGN, Expects, Kind, Question, names_in
from assistant.models import Evidence
from assistant.multilingual import function_words_of
from assistant.text import ENGLISH_STOPWORDS, content_stems, words

# Capitalised words that are part of institutions, titles and document names, not names of people or places
_INSTITUTIONAL = frozenset(
    """the a an and of on for in to european union commission council convention human rights refugee refugees
    political community summit united kingdom nations parliament court republic member states state agency
    organization organisation international office high commissioner prime minister president chancellor
    migration asylum regulation directive pact act treaty charter article government governments ministry
    department national federal royal presidency press release spokesperson leaders leader today however
    recommendation recommendations note briefing key themes theme introduction conclusion summary""".split()
)
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_DATE = re.compile(
    rf"\b(?:1[89]\d\d|20\d\d)\b|\b(?:{'|'.join(_MONTHS)})\b|\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|"
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(?:by|until|before|within) (?:the end of |"
    r"next |this )?(?:year|month|week|spring|summer|autumn|winter)\b|\b\d+ (?:days|weeks|months|years)\b|"
    r"\b(?:in|during|every|each) (?:the )?(?:spring|summer|autumn|fall|winter)\b|\b(?:today|tomorrow|yesterday)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"[€$£]\s?\d|\b\d[\d,.]*\s*(?:million|billion|bn|m|euros?|eur|dollars?|pounds?|thousand)\b|\beuros?\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d\s*%|\bper ?cent\b|\bpercent\b", re.IGNORECASE)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|(?<!\bno )(?<!\beach )(?<!\bany )\bone\b(?! another| of\b)|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|thousand|dozen)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][a-zà-ÿ'’-]+)\b")
_PERSON = re.compile(
    r"\b(?:Mr|Ms|Mrs|Dr|Prof|Sir|Dame)\.?\s+[A-Z][\w'’-]+|\b([A-Z][a-zà-ÿ'’-]+)\s+((?:van |von |de |der |da )*"
    r"[A-Z][a-zà-ÿ'’-]+)\b"
)
_FACILITY_WORDS = r"(?:building|venue|hotel|room|hall|palace|cent(?:re|er)|street|square|address|castle|arena|house)"
_FACILITY_ASKED = re.compile(rf"\b(?:which|what|in|at)\s+(?:\w+\s+)?{_FACILITY_WORDS}\b", re.IGNORECASE)
_FACILITY = re.compile(rf"\b(?:[A-Z][\w'’-]+\s+)+{_FACILITY_WORDS.replace('(?:', '(?i:', 1)}\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,}s?\b")
_ORG_WORD = re.compile(
    r"\b(?:[A-Z][\w'’-]+\s+)*(?:Agency|Organi[sz]ation|Office|Council|Commission|Union|Nations|Observatory|"
    r"Parliament|Court|Committee|Institute|Foundation|Fund|Network|Service|Frontex|Europol)\b"
)
_LAW = re.compile(
    r"\b(?:[A-Z][\w'’-]+\s+)+(?:on\s+[A-Z][\w'’-]+\s+)*(?:Convention|Regulation|Directive|Pact|Act|Treaty|Charter)"
    r"(?:\s+on\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)?\b|\bArticle\s+\d+|\b[a-z]+\s+(?:regulation|directive)\b"
)

_ARTICLE_ASKED = re.compile(r"\b(?:articles?|sections?|paragraphs?|provisions?|clauses?)\b", re.IGNORECASE)
_ARTICLE = re.compile(r"\b(?:Article|Art\.|Section|Paragraph)\s+\d+\w*|§\s*\d+\w*")

_REPORTED = re.compile(r"[\"“„«][^\"”“»]{8,}[\"”»]|\b(?:said|says|stated|declared|told|announced)\b")


class Refusal(StrEnum):
    COMMAND = "command"
    UNKNOWN_NAME = "unknown_name"
    NOT_MENTIONED = "not_mentioned"
    OTHER_SCRIPT = "other_script"
    NOT_RELEVANT = "not_relevant"
    DETAIL_ABSENT = "detail_absent"
    OUT_OF_RANGE = "out_of_range"
    MIXED_DOCUMENTS = "mixed_documents"


def unknown_names(question: Question, vocabulary: frozenset[str]) -> list[str]:
    """Names in an English question that the documents never use.

    Not names: words of the documents (in any case), words that share a stem with one ("Europe" ~ "European",
    "German" ~ "Germany"), adjectives of place ("Danish", "Nordic") and the institutional words above."""
    if question.english:
        asked = question.standalone
    elif question.translation:
        asked = question.translation  # the model's English, checked like a question asked in English
    else:
        return _unknown_foreign_names(question, vocabulary)
    steering = " ".join(s for s in re.split(r"(?<=[.!?])\s+", asked) if INSTRUCTION_CUES.search(s))
    unknown = []
    for name in names_in(asked):
        if name in steering:
            continue
        for word in re.findall(r"[^\W_]+", name):
            lower = word.lower()
            if len(word) < 3 or lower in vocabulary:
                continue
            if word.isupper() and len(word) <= 5 and lower in vocabulary:
                continue
            if not word.isupper() and _shares_stem(lower, vocabulary):
                continue
            if not word.isupper() and lower.endswith(ADJECTIVE_ENDINGS) and not _used_as_noun(word, asked):
                continue
            unknown.append(name)
            break
    return list(dict.fromkeys(unknown))


def _used_as_noun(word: str, text: str) -> bool:
    """A word shaped like an adjective of place that stands alone after "the" ("the Mediterranean or the eastern
    border", "the Caribbean?") names a place: it is no adjective of a noun ("the Danish presidency")."""
    alone = rf"\bthe\s+{re.escape(word)}(?=\s*(?:[,.;:!?)]|$)|\s+(?:or|and)\s+(?:the\s+)?[a-z])"
    return re.search(alone, text) is not None


def _unknown_foreign_names(question: Question, vocabulary: frozenset[str]) -> list[str]:
    """Capitalised words inside a question in another language that neither the corpus holds nor its glossary maps
    ("Perché la Francia ha firmato?" -> "Francia")."""
    countries = country_names_english()
    unknown = [  # a country CLDR names that no document has ("über Frankreich"), in any language
        word
        for word, english in question.gloss.items()
        if english in countries and english.lower() not in vocabulary and not _shares_stem(english.lower(), vocabulary)
    ]
    if question.language in CAPITALISES_NOUNS:
        return unknown
    for sentence in re.split(r"(?<=[.!?])\s+", question.standalone.strip()):
        words = re.findall(r"[^\W\d_][\w'’-]*", sentence)
        for run in _capitalised_runs(words):
            candidates = [w for w in run if len(w) >= 4 and all(_alphabetic(ch) for ch in w) and not w.isupper()]
            strange = [w for w in candidates if not _known_foreign(w, question, vocabulary)]
            anchors = [w for w in candidates if w not in strange and not place_adjective(question.gloss.get(w, w))]
            if strange and anchors:
                continue  # part of a name the documents have, in translation ("Emberi Jogok Európai Egyezménye")
            unknown.extend(strange)
    return list(dict.fromkeys(unknown))


def _alphabetic(ch: str) -> bool:
    """A letter of the Latin, Greek or Cyrillic alphabets (whose names the glossary can map), an apostrophe or a
    hyphen."""
    return ord(ch) <= 0x24F or 0x370 <= ord(ch) <= 0x4FF or ch in "'’-"


def _capitalised_runs(words: list[str]) -> list[list[str]]:
    """Runs of consecutive capitalised words, the sentence's first word left out (a name of several words is one run:
    "Nações Unidas", "Emberi Jogok Európai Egyezményét")."""
    runs: list[list[str]] = []
    previous = False
    for n, word in enumerate(words):
        capital = n > 0 and word[:1].isupper()
        if capital and previous:
            runs[-1].append(word)
        elif capital:
            runs.append([word])
        previous = capital
    return runs


def _known_foreign(word: str, question: Question, vocabulary: frozenset[str]) -> bool:
    """A corpus word, one the glossary maps to a name the corpus has ("Copenhague"), or a word of the lexicon."""
    glossed = question.gloss.get(word, "")
    named = glossed[:1].isupper() and (glossed.lower() in vocabulary or _shares_stem(glossed.lower(), vocabulary))
    if word.lower() in vocabulary or named or _shares_stem(word.lower(), vocabulary):
        return True  # a country the glossary names ("Україну" -> "Ukraine") is known only when a document has it
    return bool(glossed) and concept_of(word, question.language) == glossed


def _shares_stem(word: str, vocabulary: frozenset[str]) -> bool:
    stem = word[: max(5, len(word) - 3)]  # "europe" ~ "european", "german" ~ "germany"; not "council" ~ "countries"
    return len(stem) >= 4 and any(v.startswith(stem) for v in vocabulary if len(v) >= 4)


def is_command(question: Question) -> bool:
    return question.kind is Kind.COMMAND


def expected_matches(expects: Expects, quote: str, asked: str) -> list[tuple[int, int]]:
    """Where a quote holds things of the expected type that the question does not already name."""
    asked_lower = asked.lower()

    def new(matches: Iterator[re.Match[str]], group: int = 0) -> list[tuple[int, int]]:
        found = []
        for m in matches:
            text = (m.group(group) or m.group(0)).lower()
            if text not in asked_lower and text not in _INSTITUTIONAL:
                found.append((m.start(), m.end()))
        return found

    if expects is Expects.DATE:
        return new(_DATE.finditer(quote))
    if expects is Expects.AMOUNT:
        return new(_AMOUNT.finditer(quote))
    if expects is Expects.PERCENT:
        return new(_PERCENT.finditer(quote))
    if expects is Expects.NUMBER:
        return new(_NUMBER.finditer(quote))
    if expects is Expects.PERSON:
        people = (
            m for m in _PERSON.finditer(quote) if not any(p.lower() in _INSTITUTIONAL for p in m.group(0).split())
        )
        return new(people)
    if expects is Expects.ORGANISATION:
        return new(_ACRONYM.finditer(quote)) or new(_ORG_WORD.finditer(quote))
    if expects is Expects.LAW and _ARTICLE_ASKED.search(asked):
        return new(_ARTICLE.finditer(quote))  # "which articles of the Convention": the Convention's name won't do
    if expects is Expects.LAW:
        return new(_LAW.finditer(quote))
    if expects is Expects.PLACE and _FACILITY_ASKED.search(asked):
        return new(_FACILITY.finditer(quote))  # "in which building in Copenhagen": a country or city won't do
    if expects in (Expects.PLACE, Expects.COUNTRY, Expects.NAME):
        return new(_CAPITALISED.finditer(quote), 1)
    if expects is Expects.QUOTE:
        return new(_REPORTED.finditer(quote))
    return [(0, len(quote))]


def expected_match(expects: Expects, quote: str, asked: str) -> tuple[int, int] | None:
    """Where a quote first holds a thing of the expected type the question does not name (None: nowhere)."""
    found = expected_matches(expects, quote, asked)
    return found[0] if found else None


_DETAIL_WORDS = {
    Expects.DATE: "no date",
    Expects.AMOUNT: "no amount",
    Expects.PERCENT: "no percentage",
    Expects.NUMBER: "no number",
    Expects.PERSON: "no person's name",
    Expects.PLACE: "no place",
    Expects.ORGANISATION: "no organisation's name",
    Expects.LAW: "no law or article",
    Expects.COUNTRY: "no country's name",
    Expects.NAME: "no name",
    Expects.QUOTE: "no one's own words",
}


# Nouns a "what/which X" question may ask for without the documents using the word: what any statement is made of
_GENERIC_ASKED = content_stems(
    """thing things strategy strategies tactic tactics vision measure measures step steps action actions point points
    issue issues topic topics aspect aspects idea ideas goal goals aim aims purpose purposes role roles approach
    approaches way ways part parts commitment commitments proposal proposals plan plans solution solutions area
    areas detail details information example examples reason reasons problem problems challenge challenges
    message messages statement document text declaration theme themes priority priorities word words name names
    element elements means method methods policy policies principle principles position positions view views
    stance outcome outcomes result results decision decisions agreement agreements promise promises pledge
    pledges objective objectives focus content contents subject subjects matter matters kind kinds type types
    sort sorts role context background response responses initiative initiatives effort efforts change changes
    emphasis tone language sentence paragraph section sections list item items summit meeting event official
    officials person persons people participant participants representative representatives member members actor
    actors partner partners quality qualities characteristic characteristics feature features property
    properties condition conditions criteria criterion requirement requirements standard standards"""
)
ASKED_SYNONYM = 0.68  # MiniLM cosine of a corpus word that says what an asked-for noun says ("nations" ~ "countries")


def absent_asked(question: Question, held: Callable[[str], bool]) -> list[str]:
    """The nouns a 'what/which X' question asks for that no document holds (by stem or a close word), when the
    question expects no typed answer (a typed one is checked by its type: "which treaties" -> a law's name)."""
    if not question.english or question.expects is not None or question.kind not in (Kind.FACT, Kind.LIST):
        return []
    asked = [n for n in question.asked if content_stems(n) and not content_stems(n) <= _GENERIC_ASKED]
    missing = [n for n in asked if not held(n)]
    return missing if missing and len(missing) == len(asked) else []


# Details a plan often leaves out, asked in any of the public's languages: how its success will be checked, and what
# happens to a party that does not keep to it. Each with the words a passage would need to say it.
_HOW_CHECKED = re.compile(
    r"\b(?:measur\w*|check\w*|monitor\w*|evaluat\w*|assess\w*|track\w*|verif\w*|know|tell|judge)\b|"
    # other languages: to measure, to check, to evaluate
    r"(?<!\w)(?:messen|überprüf\w*|kontrollier\w*|evaluier\w*|mesurer|mesureront|vérifier|évaluer|medir|medirán|"
    r"comprobar\w*|evaluar\w*|misurare|valutare|verificare|avaliar|meten|nagaan|controleren|mäta|mäter|"
    r"utvärdera\w*|måle|evaluere|mitata|mitataan|arvioida|arvioidaan|sprawdz\w*|mierzy\w*|zmierz\w*|ocenia\w*|"
    r"měřit|ověř\w*|vyhodnot\w*|merať|overi\w*|mérni|mérik|ellenőriz\w*|verifica\w*|μετρ\w*|αξιολογ\w*|"
    r"измерва\w*|оценява\w*|вимірю\w*|перевіря\w*|mjeriti|provjer\w*|meriti|preveri\w*|mõõt\w*|"
    r"kontrolli\w*|mērī\w*|pārbaud\w*|matuo\w*|tikrin\w*)(?!\w)",
    re.IGNORECASE,
)
# ... whether it works: the success the checking is of, in the public's languages
_SUCCESS = re.compile(
    r"\b(?:success\w*|succeed\w*|working|works|work out|progress|effective\w*|efficient\w*|results?|impact)\b|"
    r"(?<!\w)(?:erfolg\w*|wirk\w*|funktionier\w*|efficac\w*|eficac\w*|eficien\w*|effici[eë]n\w*|efekt\w*|effekt\w*|"
    r"résultat\w*|resultad\w*|risultat\w*|resultat\w*|toimi\w*|tulok\w*|hatás\w*|eredmény\w*|succes\w*|"
    r"αποτελ\w*|ефект\w*|učin\w*|uspje\w*|uspe\w*|tõhus\w*|efektīv\w*|veiksm\w*|rezultat\w*|wynik\w*|"
    r"skutecz\w*|výsled\w*|účin\w*|sukces\w*|werkt|werken)(?!\w)",
    re.IGNORECASE,
)
_IF_NOT_KEPT = re.compile(
    r"\bwhat (?:happens|will happen|would happen|is going to happen)\b.{0,20}\b(?:if|when)\b|"
    r"\bconsequences?\b|"
    r"(?<!\w)(?:was passiert|was geschieht|que se passe-t-il|qu'arrive-t-il|qué sucede si|qué ocurre si|qué pasa si|"
    r"cosa succede se|che succede se|o que acontece se|wat gebeurt er als|vad händer om|hvad sker der hvis|"
    r"hvad sker der, hvis|hva skjer hvis|hva skjer om|mitä tapahtuu|co się stanie|co se stane|čo sa stane|"
    r"mi történik|ce se întâmplă|τι θα συμβεί|τι γίνεται αν|какво ще стане|що буде, якщо|що станеться|"
    r"što se događa ako|što će se dogoditi|šta se dešava ako|kaj se zgodi|mis juhtub|kas notiks|kas nutiks)(?!\w)",
    re.IGNORECASE,
)
# ... to a party that does not keep to it: a "not" or a failing, in the public's languages
_NOT_KEPT = re.compile(
    r"\b(?:not|n't|fail\w*|refus\w*|break\w*|violat\w*|ignor\w*|breach\w*)\b|(?<!\w)(?:nicht|kein\w*|pas|no|non|"
    r"niet|geen|inte|ikke|ei|nie|ne|nem|nu|δεν|не|ні|nav|neb)(?!\w)",
    re.IGNORECASE,
)
_CHECK_WORDS = frozenset(
    content_stems("measure measured monitoring evaluation evaluate assessment indicators benchmark tracking verify")
)
_CONSEQUENCE_WORDS = frozenset(content_stems("consequences penalty penalties infringement suspend fines punish"))


def unsaid_detail(question: Question) -> tuple[str, frozenset[str]] | None:
    """A detail plans often leave out that the question asks for ("how will they check it is working?", "what
    happens if a country doesn't comply?"), named for the refusal, with the word stems a passage must hold to say it."""
    text = question.standalone
    if _IF_NOT_KEPT.search(text) and _NOT_KEPT.search(text):
        return "what would follow if it were not kept", _CONSEQUENCE_WORDS
    checking = question.kind in (Kind.WHY_HOW, Kind.FACT, Kind.YES_NO) and _HOW_CHECKED.search(text)
    if checking and _SUCCESS.search(text):
        return "how success would be checked", _CHECK_WORDS
    return None


_NO_TOPIC_KINDS = frozenset({Kind.SUMMARY, Kind.TITLE, Kind.AUTHORS, Kind.ORDINAL, Kind.COUNT})


def absent_topic(question: Question, held: Callable[[str], bool], said: Callable[[str], bool]) -> str | None:
    """A topic the question names, in the lexicon's checked words of its language, that no document holds ("Does the
    statement set refugee quotas?", "Nämns EU:s asylpakt i uttalandet?"): the asker's word for it. The documents decide
    what is there: a document about quotas holds them. Not a question about the document's structure, not a topic
    asked together with a held one ("quotas and returns"; `said` tells a word the documents use as it is). In another
    language only the question itself is read: a short follow-up carries the previous question along."""
    if question.kind in _NO_TOPIC_KINDS or question.expects is Expects.AMOUNT:
        return None  # "how much money?": the amount is what it lacks, said as such
    found = []
    for text in dict.fromkeys([question.text, question.standalone] if question.english else [question.text]):
        named = topics_named(words(text), question.language)
        lacking = [w for w, concept in named.items() if not held(concept)]
        others = [w for w in words(text) if w not in lacking and (w in named or said(w))]
        found += [w for w in lacking if not _joined(text, w, others) and not _exemplifies(text, w, others)]
    return " or ".join(dict.fromkeys(found)) if found else None


# What gives examples of a thing just named: "the smugglers, the ones supplying boats", "helpers such as drivers"
_EXAMPLE_CUE = r"(?:like|such as|e\.g\.|for example|for instance|the ones|those)"  # not "especially": what is asked
EXAMPLE_WORDS = 6  # an example this close after the thing it is an example of


def _exemplifies(text: str, word: str, others: list[str]) -> bool:
    """Whether a topic word is only an example given of a held one ("the folks who help the smugglers, the ones
    supplying boats or fake papers"): the held one is asked about. English cues only."""
    gap = rf"(?:\s+\S+){{0,{EXAMPLE_WORDS}}}?"
    for other in others:
        pattern = rf"(?<!\w){re.escape(other)}(?!\w)\W+{gap}\s*{_EXAMPLE_CUE}(?!\w){gap}\s+{re.escape(word)}(?!\w)"
        if re.search(pattern, text, re.IGNORECASE):
            return True
    return False


# "and", "or" in the public's languages: what joins two topics of one question
_AND_OR = (
    r"(?:and|or|und|oder|et|ou|y|o|e|i|ja|tai|és|vagy|și|sau|και|ή|и|или|і|або|og|eller|och|en|of|a|oraz|lub|"
    r"ali|in|ir|arba|un|vai|ve|veya|dhe|apo|u|jew|agus|nó|neu|&)"
)
COORDINATION_WORDS = 3  # a topic joined to another within this many words ("the economies and schools")


def _joined(text: str, word: str, others: list[str]) -> bool:
    """Whether a topic word is joined by "and"/"or" to one of the others ("helping the economies and schools in the
    places migrants come from"): then it is one of several things asked together, and the held one answers."""
    for other in others:
        for a, b in ((word, other), (other, word)):
            gap = rf"(?:\s+\S+){{0,{COORDINATION_WORDS - 1}}}?"
            pattern = rf"(?<!\w){re.escape(a)}(?!\w){gap}(?:\s*,|\s+{_AND_OR}(?!\w)){gap}\s+{re.escape(b)}(?!\w)"
            if re.search(pattern, text, re.IGNORECASE):
                return True
    return False


# A question that takes for granted that they turn away from something ("Why have they agreed to leave the
# European Convention on Human Rights?"): the verb, and what it is turned away from
_TURNING_AWAY = re.compile(
    r"\b(?P<verb>leave|leaving|withdraw(?:s|ing|n)?(?: from)?|withdrew(?: from)?|quit(?:s|ting)?|abandon(?:s|ing|ed)?|"
    r"scrap(?:s|ping|ped)?|abolish(?:es|ing|ed)?|suspend(?:s|ing|ed)?|exit(?:s|ing|ed)?|pull(?:s|ing|ed)? out of|"
    r"tear(?:s|ing)? up|tore up|ditch(?:es|ing|ed)?|opt(?:s|ing|ed)? out of|renounc(?:e|es|ing|ed)|"
    r"denounc(?:e|es|ing|ed)|repeal(?:s|ing|ed)?|reject(?:s|ing|ed)?|get(?:ting)? rid of|do(?:ing)? away with)\s+"
    r"(?P<thing>(?:the|their|its|our|this|that|these|those|any|all)\s+[^?.!,;]{3,80}|[A-Z][^?.!,;]{2,80})",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|never|no longer)\b|n't\b", re.IGNORECASE)


def turning_away(question: Question, held: Callable[[str], bool], said: Callable[[str], bool]) -> str | None:
    """What a question takes for granted they turn away from, when the documents hold the thing but never a word for
    turning away from it (`said`): "leave the European Convention on Human Rights". English only; a yes/no question
    ("Will they pull out of it?") is answered with what they do say of it."""
    if not question.english or question.kind is Kind.YES_NO or _NEGATED.search(question.standalone):
        return None
    match = _TURNING_AWAY.search(question.standalone)
    if match is None or said(match.group("verb").split()[0]):
        return None
    thing = match.group("thing").strip()
    if not _INSTRUMENT.search(thing):  # "get rid of the smuggling gangs" is what they want
        return None
    return f"{match.group('verb').lower()} {thing}" if held(thing) else None


# What one can turn away from: a convention, a law, an agreement (not the gangs or the abuse they want gone)
_INSTRUMENT = re.compile(
    r"\b(?:convention|treaty|treaties|framework|frameworks|law|laws|agreement|agreements|charter|rights|pact|"
    r"regulation|directive|partnership|partnerships|commitment|commitments|principles)\b",
    re.IGNORECASE,
)


# "Vad säger uttalandet om X?": the word after "about" in the public's other languages is what is asked about
_ABOUT_FOREIGN = re.compile(
    r"(?<!\w)(?:om|über|sur|sobre|su|sul|sulla|sui|sugli|over|o|ob|про|за|о|об|για|apie|par|despre|um|faoi|dwar|për|"
    r"peri|περί|pri|am|ynghylch)\s+(?P<rest>.+)",
    re.IGNORECASE,
)


_ABOUT_AFTER = re.compile(r"^\s*(?P<phrase>.+?)\s+(?:kohta|kapcsán|koskien|osalta)\b", re.IGNORECASE)


def _article_o(match: re.Match[str], language: str) -> bool:
    """Whether the "about" found is another word: Portuguese and Italian "o" (an article), "am" outside Welsh."""
    word = match.group(0).split()[0].lower()
    return (language in ("pt", "it", "es") and word == "o") or (language != "cy" and word == "am")


FOREIGN_PHRASE_WORDS = 3  # the head of what is asked about and the words right after it


def absent_topic_foreign(question: Question, held: Callable[[str], bool]) -> str | None:
    """What a question in another language asks about ("Vad säger uttalandet om arbetskraftsinvandring?", "Mida
    ütleb avaldus lõimumise kohta?"), when neither the glossary nor the lexicon reads the first word of it as a word
    of the documents and no document holds it as it is."""
    if question.english or question.kind not in (Kind.FACT, Kind.LIST):
        return None
    topic = TOPIC_FOREIGN.search(question.text)
    if topic is None:
        return None
    rest = question.text[topic.end() :]
    # Portuguese and Italian "o" is an article ("O que diz o documento sobre ...?"), not "about"
    about = next((m for m in _ABOUT_FOREIGN.finditer(rest) if not _article_o(m, question.language)), None)
    postposition = _ABOUT_AFTER.search(rest)  # Estonian "... kohta"
    phrase = about.group("rest") if about else postposition.group("phrase") if postposition else None
    if phrase is None:
        return None
    function_words = function_words_of(question.language)
    found = re.findall(r"[^\W\d_][\w'’-]*", re.split(r"[,;:?!.]", phrase)[0])
    content = [w for w in found if w.lower() not in function_words and len(w) > 3 and not _names_document(w, question)]
    if not content:
        return None
    word = content[0]  # the head of what it is about ("om arbetskraftsinvandring till Europa")
    known = word in question.gloss or word.lower() in question.gloss or held(word)
    # "за охраната на външните граници": guarding the external borders, a topic the lexicon reads in the words after
    # the head (a word it reads as a topic, not a place: "till Europa" is no topic)
    topical = any((concept_of(w, question.language) or "").islower() for w in content[1:FOREIGN_PHRASE_WORDS])
    return None if known or topical or concept_of(word, question.language) else word


def _names_document(word: str, question: Question) -> bool:
    return concept_of(word, question.language) == "statement"


# "...: housing, public services, something else?": the answers the asker offers, after a colon or a comma
_OFFERED = re.compile(
    r"[:,]\s*(?P<offered>[^:,?]+(?:,\s*[^:,?]+)*?)(?:,?\s*(?:or\s+)?(?:something|anything|someone|somewhere)\s+"
    r"else)\s*\?\s*$",
    re.IGNORECASE,
)


# "Do they want to build fences or walls ...?": a yes/no question about one thing or another
_EITHER = re.compile(r"\b(?P<a>[a-z][a-z-]{2,}) or (?P<b>[a-z][a-z-]{2,})\b")
_NOT_THINGS = frozenset(ENGLISH_STOPWORDS | {"not", "more", "less", "else", "other", "others", "both", "either"})


def absent_offered(question: Question, held: Callable[[str], bool]) -> list[str]:
    """The answers a question offers to choose from ("housing, public services, something else?"), or the two things
    a yes/no question asks about ("fences or walls"), when no document holds any of them: the documents do not give
    that detail. Empty when one is held."""
    if not question.english:
        return []
    match = _OFFERED.search(question.standalone)
    if match is not None:
        offered = [o.strip() for o in re.split(r",\s*|\s+or\s+", match.group("offered")) if content_stems(o)]
    elif question.kind is Kind.YES_NO and (either := _EITHER.search(question.standalone)) is not None:
        offered = [w for w in (either.group("a"), either.group("b")) if w.lower() not in _NOT_THINGS]
        offered = offered if len(offered) == 2 and all(content_stems(w) for w in offered) else []
    else:
        return []
    return [] if not offered or any(held(o) for o in offered) else offered


_OTHER_OCCASION = re.compile(
    r"\b(?:the\s+)?(?:next|upcoming|coming|following|future|previous|prior|preceding|earlier|last year'?s?|"
    r"next year'?s?)\s+(?:[\w-]+\s+){0,4}?(?:summits?|meetings?|conferences?|gatherings?|sessions?|editions?|"
    r"rounds?|councils?)\b",
    re.IGNORECASE,
)


def other_occasion(question: Question, evidence: list[Evidence]) -> str | None:
    """An occasion other than the documents' own that a question asks about ("the next summit", "the previous
    meeting"), when no document mentions such a one: the statement is about its own summit, not the next."""
    if not question.english:
        return None
    match = _OTHER_OCCASION.search(question.standalone)
    if match is None:
        return None
    phrase = match.group(0)
    head = phrase.split()[-1].lower().rstrip("s")
    time_word = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE).split()[0].lower()
    for item in evidence:
        text = item.chunk.text.lower()
        if time_word in text and head in text:
            return None  # a document speaks of such an occasion: answered from the quotes
    return phrase if phrase.lower().startswith("the ") else f"the {phrase}"


def nearby_topics(evidence: list[Evidence]) -> tuple[str, ...]:
    """The headings (or titles) of the evidence a refusal says the documents cover nearby, at most three."""
    return tuple(dict.fromkeys(" > ".join(e.chunk.path[1:]) or e.chunk.title for e in evidence))[:3]


def refusal_text(
    reason: Refusal,
    evidence: list[Evidence],
    *,
    subject: str | None = None,
    expects: Expects | None = None,
    nearby: str | None = None,
    corpus_name: str = "The statement",
    asked: str | None = None,
) -> str:
    """What a refusal says: that the documents don't give it, and what they do cover nearby (so the person can ask
    again). `nearby` is a cited sentence on the topic ("...; it mentions the sanctions regimes [1]")."""
    plural = corpus_name.endswith("s")
    if reason is Refusal.DETAIL_ABSENT and expects is not None:
        lead = f"{corpus_name} {'give' if plural else 'gives'} {_DETAIL_WORDS[expects]} for this."
    elif reason is Refusal.DETAIL_ABSENT and asked:
        # "doesn't say how success would be checked", "doesn't say that they leave ..."
        which = "" if asked.startswith(("how ", "what ", "that ")) else "which "
        lead = f"{corpus_name} {'don' if plural else 'doesn'}'t say {which}{asked}."
    elif reason in (Refusal.UNKNOWN_NAME, Refusal.NOT_MENTIONED) and subject:
        lead = f"{corpus_name} {'don' if plural else 'doesn'}'t mention {subject}."
    elif reason is Refusal.MIXED_DOCUMENTS and subject:
        lead = f"No document says that: {subject}."
    elif reason is Refusal.COMMAND:
        lead = f"I can only answer questions about what {corpus_name.lower().removeprefix('the ')} says."
        if corpus_name.startswith("The "):
            lead = f"I can only answer questions about what {corpus_name[0].lower() + corpus_name[1:]} says."
    else:
        lead = f"{corpus_name} {'don' if plural else 'doesn'}'t say."
    if nearby:
        return f"{lead} On this topic it says: {nearby}"
    topics = nearby_topics(evidence)
    if not topics or reason is Refusal.COMMAND:
        return lead
    return f"{lead} Nearby, it covers: " + "; ".join(f"“{t}”" for t in topics) + "."


def mixed_documents(question: Question, vocabularies: dict[str, frozenset[str]]) -> str | None:
    """Names of the question that no single document holds together (None when one does, or it compares them)."""
    if len(vocabularies) < 2 or not question.english or COMPARING.search(question.standalone):
        return None
    names = [n for n in names_in(question.standalone) if not n.isupper() or len(n) > 2]
    holders = []
    for name in names:
        parts = [w.lower() for w in re.findall(r"[^\W_]+", name) if w.lower() not in _INSTITUTIONAL]
        docs = {d for d, vocabulary in vocabularies.items() if parts and all(p in vocabulary for p in parts)}
        if docs and len(docs) < len(vocabularies):
            holders.append((name, docs))
    for i, (first, first_docs) in enumerate(holders):
        for second, second_docs in holders[i + 1 :]:
            if not first_docs & second_docs:
                return f"{first} and {second} are not in the same document"
    return None


# "What does IOM stand for?", "o que quer dizer a sigla IOM?": the words an acronym is short for
_ACRONYM_ASKED = re.compile(
    r"\b(?i:what (?:does|do|is) (?:the )?)(?P<a>[A-Z]{2,6}|(?!(?:it|this|that|they|he|she)\b)[a-z]{2,6}) "
    r"(?i:stand for|short for)\b|\b(?i:what (?:does|do|is) (?:the )?)(?P<e>[A-Z]{2,6}) (?i:mean)\b|"
    r"\b(?P<b>[A-Z]{2,6}) (?i:stands for what|is short for what|is an acronym for)\b|"
    r"\b(?i:full (?:name|form) of (?:the )?)(?P<c>[A-Z]{2,6})\b|"
    r"(?<!\w)(?i:sigla|siglas|abkürzung|akronym|acronyme|acrónimo|acronimo|skrót|zkratka|skratka|förkortning\w*|"
    r"forkortelse\w*|forkortning\w*|afkorting|lyhenne\w*|rövidítés\w*|akronim\w*|kratica|kratic\w*|"
    r"αρκτικόλεξο|акроним|абревіатур\w*|абревиатур\w*)\s+(?:\w+\s+){0,2}?(?P<d>[A-Z]{2,6})\b",
)
_BETWEEN_INITIALS = r"\s+(?:(?:of|for|the|on|and|de|des|du|la|le|für|der|die)\s+)*"


def acronym_asked(question: Question) -> str | None:
    """The acronym a question asks the long form of, if it asks one."""
    match = _ACRONYM_ASKED.search(question.text)
    return next((g.upper() for g in match.groups() if g), None) if match else None


def spells_out(acronym: str, text: str) -> bool:
    """Whether a text gives the long form of an acronym: words whose capitals spell it ("International Organization
    for Migration"), or it in brackets after them."""
    pattern = r"\b" + _BETWEEN_INITIALS.join(rf"{re.escape(letter)}[\w’'-]+" for letter in acronym)
    return re.search(pattern, text) is not None
