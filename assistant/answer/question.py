"""Question analysis: what a question asks for (its language, kind, expected answer type and focus), as a `Question`.

Pure functions over the text, except the language, which comes from lingua's detector (it ships its models).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.answer.lexicon import (
    CAPITALISES_NOUNS,
    TOPIC_CONCEPTS,
    concept_of,
    country_gloss,
    country_names_english,
    english_country,
    place_adjective,
    reworded,
)
from assistant.multilingual import function_words_of
from assistant.text import ENGLISH_STOPWORDS, stem_word, words
from assistant.tokens import count_tokens


class Kind(StrEnum):
    """What the question wants done."""

    FACT = "fact"
    LIST = "list"
    COUNT = "count"
    ORDINAL = "ordinal"
    YES_NO = "yes_no"
    WHY_HOW = "why_how"
    DEFINITION = "definition"
    SUMMARY = "summary"
    TITLE = "title"
    AUTHORS = "authors"
    COMMAND = "command"  # a request to do something other than answer from the documents


class Expects(StrEnum):
    """The type of thing a right answer must contain."""

    PERSON = "person"
    DATE = "date"
    AMOUNT = "amount"
    NUMBER = "number"
    PLACE = "place"
    ORGANISATION = "organisation"
    LAW = "law"
    COUNTRY = "country"
    PERCENT = "percent"
    NAME = "name"  # a proper name, whatever it names ("the official name of the sanctions regime")
    QUOTE = "quote"  # reported words ("what did the President say?")


class Question(BaseModel):
    """A question as the answerers see it: resolved against the conversation and analysed."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The question as asked (cleaned)")
    standalone: str = Field(description="The question resolved against the previous turn (== text when standalone)")
    language: str = Field("en", description="ISO 639-1 code of the question's language")
    kind: Kind = Kind.FACT
    expects: Expects | None = Field(None, description="The type the answer must contain, when the question names one")
    focus: list[str] = Field(default_factory=list, description="The question's content words")
    names: list[str] = Field(default_factory=list, description="Capitalised names in the question (English)")
    ordinal: int | None = Field(None, description="1-based position asked for; -1 for the last")
    list_noun: str | None = Field(None, description="What an ordinal or counting question counts ('themes')")
    asked: list[str] = Field(
        default_factory=list, description="The noun(s) a 'what/which X' question asks for ('quota', 'venue')"
    )
    subject: str | None = Field(None, description="What a yes/no membership question asks about ('Poland')")
    document: str | None = Field(None, description="The id of the document the question names, if any")
    followup: bool = Field(False, description="True when it was resolved against the previous turn")
    said_before: str | None = Field(
        None,
        description="The last answer, when a follow-up asks for something besides it ('what else ...?'): its quotes "
        "are not given again",
    )
    translation: str | None = Field(None, description="The standalone question in English, by the model (if any)")
    reworded: str | None = Field(
        None,
        description="What an English question asks, in the documents' words ('deportations' -> 'returns') and without "
        "the words naming its document, when that differs from the question",
    )
    gloss: dict[str, str] = Field(
        default_factory=dict, description="Words of a question in another language mapped to the corpus's words"
    )

    @property
    def english(self) -> bool:
        return self.language == "en"


# --- language ---------------------------------------------------------------------------------------------------

_LINGUA_LANGUAGES = (
    "ALBANIAN ARABIC BOSNIAN BULGARIAN CATALAN CHINESE CROATIAN CZECH DANISH DUTCH ENGLISH ESTONIAN FINNISH FRENCH "
    "GEORGIAN GERMAN GREEK HEBREW HINDI HUNGARIAN ICELANDIC IRISH ITALIAN JAPANESE KOREAN LATVIAN LITHUANIAN "
    "MACEDONIAN BOKMAL NYNORSK PERSIAN POLISH PORTUGUESE ROMANIAN RUSSIAN SERBIAN SLOVAK SLOVENE SPANISH SWEDISH "
    "TURKISH UKRAINIAN WELSH"
).split()
_lingua_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _LINGUA_LANGUAGES if hasattr(Language, name)]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


@lru_cache(maxsize=1)
def detectable_languages() -> frozenset[str]:
    """The ISO 639-1 codes detect_language can return: lingua's, and Maltese (told by its letters and articles)."""
    from lingua import Language

    codes = (
        getattr(Language, name).iso_code_639_1.name.lower() for name in _LINGUA_LANGUAGES if hasattr(Language, name)
    )
    return frozenset({"nn": "nb"}.get(code, code) for code in codes) | {"mt"}


def warm_language_detector() -> None:
    """Load lingua's models now (about a second) rather than at the first question."""
    detect_language("Where was the summit held?")


_ENGLISH_HINT = frozenset(ENGLISH_STOPWORDS | {"pls", "plz", "whats", "wich", "wat", "thx", "summary", "ok"})


# Maltese: letters no other European alphabet has (ħ, ġ, ċ), or the article joined by a hyphen ("is-summit",
# "id-dikjarazzjoni", "tal-pajjiżi") in a question that is not mostly English words ("the in-depth review")
_MALTESE_LETTERS = re.compile(r"[ħĦġĠċĊ]")
_ROMANIAN_LETTERS = re.compile(r"[șțȘȚ]")
_MALTESE_ARTICLE = re.compile(
    r"(?<![\w-])(?:(?i:il|is|id|ix|it|ir|iż|iċ|tal|tas|tad|tat|fil|fis|mill|bil|lill|sal|mal)|[lstdxnrżċ])-"
    r"[^\W\d_]{2,}",
)


def _maltese(text: str, tokens: list[str]) -> bool:
    if _MALTESE_LETTERS.search(text):
        return True
    english = sum(t in _ENGLISH_HINT for t in tokens)
    return len(tokens) >= 2 and bool(_MALTESE_ARTICLE.search(text)) and english * 3 < len(tokens)


@lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language ("en" when unsure: the corpus is English and so are stray words).

    lingua decides; a short text in Latin script that holds an English function word, or that lingua is unsure of,
    counts as English (one-word questions such as "returns?" are mostly English here)."""
    tokens = [w.lower() for w in words(text)]
    if _maltese(text, tokens):
        return "mt"  # lingua has no Maltese model; its letters and its hyphened article tell it
    if _ROMANIAN_LETTERS.search(text):
        return "ro"  # ș and ț (comma below) are Romanian's alone; lingua misses them in a short question
    if sum(len(t) >= 3 and t.isalpha() for t in tokens) < 2 and text.isascii():
        return "en"  # too few words to tell ("$(rm -rf /)", "returns?")
    with _lingua_lock:
        confidences = _detector().compute_language_confidence_values(text)
    if not confidences:
        return "en"
    best = confidences[0]
    code = best.language.iso_code_639_1.name.lower()
    if code == "en":
        return "en"
    latin = all(ord(ch) <= 0x24F for ch in text if ch.isalpha())
    english = next((c.value for c in confidences if c.language.iso_code_639_1.name == "EN"), 0.0)
    hinted = sum(t in _ENGLISH_HINT for t in tokens)
    if latin and (
        hinted * 2 >= len(tokens) or (len(tokens) <= 3 and english >= 0.15) or (text.isascii() and len(tokens) == 1)
    ):
        return "en"
    return {"nn": "nb"}.get(code, code)


# --- kind, expected type, ordinals -------------------------------------------------------------------------------

# Ordinal words by position (1..10) across the languages the public asks in; -1 = last.
_ORDINALS: dict[int, str] = {
    1: r"first|1st|erste[nmrs]?|premi[eè]re?|primer[oa]?|prim[oa]|pierwsz\w*|eerste|f[øo]rste|första|ensimmäi\w*|"
    r"prv[ní]\w*|πρώτ\w*|перш\w*|перв\w*|първ\w*|első|primeir[oa]|primul|prima|birinci|fyrst\w*|pirm\w*|esimene|"
    r"cyntaf",
    2: r"second|2nd|zweite[nmrs]?|deuxième|second[oa]?|segund[oa]|segon[a]?|ail|drug\w*|tweede|anden|andre|andra|"
    r"toinen|"
    r"druh[ýáé]\w*|δεύτερ\w*|друг\w*|втор\w*|második|al doilea|a doua|ikinci|antr\w*|teine|"
    r"(?<!hvert\s)(?<!hver\s)anna[rð]\b",  # Icelandic, not "hvert annað": each other
    3: r"third|3rd|dritte[nmrs]?|troisième|tercer[oa]?|terz[oa]|trzeci\w*|derde|tredje|kolma\w*|tře?t[íi]\w*|"
    r"τρίτ\w*|трет\w*|третьо\w*|harmadik|terceir[oa]|al treilea|a treia|üçüncü|þriðj\w*|treš\w*|kolmas|"
    r"treći|tretj\w*|trzecim|tret[ií]\w*|treć\w*|treči\w*|treš\w*|[td]ryd(?:ydd|edd)",
    4: r"fourth|4th|vierte[nmrs]?|quatrième|cuart[oa]|quart[oa]|czwart\w*|vierde|fjerde|fjärde|neljä\w*|"
    r"čtvrt\w*|τέταρτ\w*|четверт\w*|четвърт\w*|negyedik|patrulea|patra|dördüncü|fjórð\w*|ceturt\w*|četvrt\w*|neljas|"
    r"quart|[pb]edw(?:erydd|aredd)",
    5: r"fifth|5th|fünfte[nmrs]?|cinquième|quint[oa]|pi[ąa]t\w*|vijfde|femte|viide\w*|pát[ýáé]\w*|πέμπτ\w*|"
    r"п.ят\w*|пет\w*|ötödik|cincilea|cincea|beşinci|fimmt\w*|piekt\w*|viides|cinquè|cinquena|[pb]umed",
}
_LAST = (
    r"last|final|letzte[nmrs]?|dernière?|últim[oa]|ultim[oa]|ostatni\w*|laatste|sidste|sista|viimei\w*|"
    r"dernier|siste|posljednj\w*|paskutin\w*|posledn\w*|τελευταί\w*|останн\w*|последн\w*|utolsó|ultimul|ultima|sonuncu|"
    r"son (?=\w+(?:ı|i|u|ü)\b)|síðast\w*|pēdēj\w*|zadnj\w*|viimane|últim|darrer[a]?|olaf"
)
_NEXT = (
    r"next|following|after that|(?:the )?one after (?:it|this|that)|after (?:it|this)|comes? after|"
    r"nächste[nmrs]?|danach|suivante?|siguiente|successiv[oa]|prossim[oa]|następn\w*|volgende|"
    r"næste|nästa|seuraava|další|επόμενο|наступн\w*|следующ\w*|següent|nesaf"
)
# The English names of positions 1..10, for answers and rewritten follow-ups ("the third theme")
ORDINAL_WORDS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_ORDINAL_RE = {n: re.compile(rf"(?<!\w)(?:{p})(?!\w)", re.IGNORECASE) for n, p in _ORDINALS.items()}
_LAST_RE = re.compile(rf"(?<!\w)(?:{_LAST})(?!\w)", re.IGNORECASE)
# In English an ordinal names a position only after "the" (or "listed first", "the one ... last", alone): not in
# "third countries", "first time", "how long can a ban last"
_ENGLISH_ORDINAL = re.compile(
    r"\b(?:the|its|their|and|about|is)\s+(?:very\s+)?(?P<a>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|last|final|\d(?:st|nd|rd|th))\b|\b(?:listed|named|mentioned|comes?|come|appears?|is)\s+(?P<b>first|second|"
    r"third|fourth|fifth|last)\b|"
    r"^\W*(?:and\s+)?(?:the\s+)?(?P<c>first|second|third|fourth|fifth|last|final|next)(?:\s+one)?\W*$|"
    r"^\W*(?P<d>first|second|third|fourth|fifth|last|final)\s+(?=[a-z])",
    re.IGNORECASE,
)
_ENGLISH_POSITIONS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9, "tenth": 10,
    "10th": 10, "last": -1, "final": -1,
}  # fmt: skip
NEXT_RE = re.compile(rf"(?<!\w)(?:{_NEXT})(?!\w)", re.IGNORECASE)
_NUMBERED = re.compile(r"\b(?:theme|item|point|priority|recommendation|step|number|no\.?)\s*#?(\d{1,2})\b", re.I)

_COUNT = re.compile(
    r"\bhow many\b|\bnumber of\b|\bcount\b|\bcombien\b|\bwie viele\b|\bwieviele\b|\bcu[áa]nt[oa]s\b|\bquant[ieoa]\b|"
    r"\bquantos\b|\bquantas\b|^\W*ile\b|\bhoeveel\b|\bhvor mange\b|\bhur många\b|\bkuinka monta\b|\bmontako\b|"
    r"\bkolik\b|\bkoľko\b|\bkoliko\b|(?<!\w)πόσ|\bсколько\b|\bскільки\b|\bколко\b|\bhány\b|\bcâte\b|\bcâți\b|\bkaç\b|"
    r"\bhversu margir?\b|\bcik\b|\bkiek\b|\bmitu\b|\bcé mhéad\b|\bcik daudz\b|\bколку\b|\bкільки\b|"
    r"^\W*ilu\b|\bколико\b|რამდენ|\bquant(?:s|es)\b|^\W*faint\b|\bfaint o\b|^\W*(?:pa\s+)?sawl\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(r"\bhow much\b|\bwie viel\b(?!e)|\bcombien d'argent\b|\bcu[áa]nto dinero\b|\bquanto\b", re.I)
_HOW_MUCH_ANY = re.compile(
    r"\bhow much\b|\bwie viel|\bcombien\b|\bcu[áa]nt[oa]\b|\bquant[oa]\b|\bile\b|\bhoeveel\b|"
    r"\bhvor (?:mye|meget|mange)\b|"
    r"\bhur mycket\b|\bkuinka paljon\b|\bpaljonko\b|\bkolik\b|\bkoľko\b|\bmennyi\b|\bc[âa]t\b|\bne kadar\b|"
    r"\bhversu mikið\b|\bcik\b|\bkiek\b|\bkui palju\b|\bkoliko\b|\bколко\b|\bколку\b|\bскільки\b|\bсколько\b|"
    r"\bπόσα\b|\bcé mhéad\b|\bkemm\b|\bsa\b|\bколико\b|რამდენ|\bquant(?:s|es)\b|^\W*quant\b(?!\s+(?:à|au|aux)\b)|"
    r"\bfaint\b",
    re.IGNORECASE,
)
# Money in the public's languages: a question about it expects an amount ("Kuinka paljon rahaa ...?")
_MONEY = re.compile(
    r"\b(?:money|geld\w*|argent|dinero|denaro|soldi|dinheiro|pieni[ąa]dz\w*|penge\w*|pengar|rahaa?|rahoitu\w*|"
    r"pen[ěi]z\w*|peniaz\w*|pénz\w*|bani|fonduri|peningar?|nauda|pinig\w*|novac\w*|novca|denar\w*|flus|airgead|"
    r"lekë|para(?:sı)?|budget\w*|bud[žż]et\w*|fond[si]?|financ\w*|finanz\w*|χρήματ\w*|пари|грош\w*|деньг\w*|"
    r"бюджет\w*|новац|новц\w*|ფულ\w*|diners|arian|cyllid\w*|€|euro\w*)\b",
    re.IGNORECASE,
)
_NUMBER_OF_ONLY = re.compile(r"^(?!.*\bhow many\b).*\bnumber of\b", re.IGNORECASE)
_YES_NO = re.compile(
    r"^(?:and\s+|so\s+|but\s+)?(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should|must)\b|"
    r"^(?:ist|sind|war|hat|haben|gibt|wird|werden|hat|est-ce que?|y a-t-il|czy|er|har|är|finns|onko|je|jsou|"
    r"är|ist|é|è|hay|existe)\b",
    re.IGNORECASE,
)
_WHY_HOW = re.compile(
    r"\bwhy\b|\bhow (?:do|does|did|will|would|can|could|should|is|are|to)\b|\bin what way|\bfor what purpose\b|"
    r"\bexplain\b|\bwarum\b|\bwieso\b|\bweshalb\b|\bpourquoi\b|\bpor qu[ée]\b|\bperch[ée]\b|\bdlaczego\b|"
    r"\bwaarom\b|\bhvorfor\b|\bvarför\b|\bmiksi\b|\bproč\b|γιατί|\bпочему\b|\bчому\b|\bmiért\b|\bde ce\b|\bneden\b|"
    # "why" in more of the public's languages ("Porque é que ...?", "Zašto ...?")
    r"^\W*porqu[eê]\b|\bpor que raz|\bprečo\b|\bзащо\b|\bzašto\b|\bzakaj\b|\bmiks\b|\bkodėl\b|\bkāpēc\b|"
    r"\bзошто\b|\bзашто\b|\bhvers vegna\b|\bcén fáth\b|\bgħaliex\b|\bpse\b|\bper què\b|^\W*(?:a\s+)?p(?:h)?am\b|"
    r"\bpaham\b|"
    # "what for" ("¿para qué?", "wozu?", "po co?"): the purpose asked
    r"\bwhat for\b|\bpara qu[ée]\b|\bpour quoi faire\b|\bdans quel but\b|\bwozu\b|\bzu welchem zweck\b|"
    r"\ba (?:che|cosa) serv\w*\b|\ba che scopo\b|\bcon quale scopo\b|\bpara que serve\b|\bcom que objetivo\b|"
    r"\bwaarvoor\b|\bmet welk doel\b|\bpo co\b|\bw jakim celu\b|\bk čemu\b|\bs jakým cílem\b|"
    r"\bmihin tarkoitukseen\b|\bi vilket syfte\b|\bhvad skal\b.{0,30}\btil\b|\bhva skal\b.{0,30}\btil\b|"
    r"\bmi célból\b|\bîn ce scop\b|\bс каква цел\b|\bнавіщо\b|\bзачем\b|\bu koju svrhu\b|\bčemu služi\b|"
    r"\bza kakšen namen\b|\bmilleks\b|\bkam\b.{0,20}\bvajadzīg|\bkam skirt\w*\b|\bγια ποιο σκοπό\b",
    re.IGNORECASE,
)
# "how" opening a question in the public's other languages ("Hoe willen de leiders ...?", "Jak chcą ...?"), not "how
# many / much / long" (a count or a duration) nor "wie heißt" (what is it called)
_HOW_FOREIGN = re.compile(
    r"^\W*(?:(?:und|et|y|e|i|en|og|och|ja|és|și|a|и|і|και|ve|ir|un)\s+)?(?:hoe|wie|comment|c[óo]mo|come|jak|"
    r"hvordan|hur|miten|kuinka|hogyan|cum|kako|как|як|πώς|πως|nasıl|kaip|kā|kuidas|како|kif|hvernig|conas|sut)\s+"
    r"(?!(?:viel\w*|veel|mucho\w*|much\w*|molt\w*|muit\w*|beaucoup|wiele|ile|mnoh\w*|mange|många|monta|paljon|"
    r"sok\w*|mult\w*|mnog\w*|много\w*|багато|πολλ\w*|çok|kaç|daug\w*|daudz\w*|palju|lang\w*|long\w*|dlouho|"
    r"długo|lenge|länge|kauan|sokáig|dugo|heißt|heisst|se numește|se zove|s'appelle|se llama|si chiama)\b)",
    re.IGNORECASE,
)
# ... and in Catalan, whose "com" is Portuguese "with" ("Com quais países ...?")
_HOW_OF = {"ca": re.compile(r"^\W*(?:i\s+)?com\s+(?!(?:es diu|s['’]anomena|molt\w*|quant\w*)(?!\w))", re.IGNORECASE)}


def _how_foreign(text: str, language: str) -> bool:
    """Whether a question in another language opens with its "how" (not "how many", "what is it called")."""
    own = _HOW_OF.get(language)
    return bool(_HOW_FOREIGN.search(text) or (own is not None and own.search(text)))


_DEFINITION = re.compile(
    r"\bwhat (?:is|are) (?:meant by|the meaning of)\b|\bwhat does .{2,60}? mean\b|\bdefin(?:e|ition)\b|"
    r"\bmeaning of\b|\bwhat is an? ['\"‘“]|\bwas bedeutet\b|\bque signifie\b|\bqu'est-ce que\b",
    re.IGNORECASE,
)
# Asking for brevity, not for a summary of the whole: "..., tldr pls", "in short, what do they say about returns?"
_BREVITY = re.compile(r"\btl;?dr\b|\bin (?:a nutshell|short|brief)\b|\bbriefly\b|\bkeep it short\b", re.IGNORECASE)
_TOPIC_WORD = {stem_word(topic): topic for topic in TOPIC_CONCEPTS | {"smuggling", "abuse", "innovation", "pilots"}}
_NOT_A_TOPIC = frozenset("statement document title heading summit leaders signatories".split())
_SUMMARY = re.compile(
    r"\bwhat(?:'s| is| are)? (?:this|it|the)(?: statement| document| text| declaration| paper)?(?: all)? about\b|"
    r"\bwhat(?:s)? (?:this|it) about\b|\bsummar|\boverview\b|\bgist\b|\btl;?dr\b|\bmain (?:points|message|idea)|"
    r"\bin (?:a nutshell|short|brief)\b|\bworum geht\b|\bde quoi (?:parle|traite)\b|\bde qu[ée] (?:trata|va)\b|"
    r"\bdi cosa (?:parla|tratta)\b|\bo czym\b|\bwaar gaat\b|\bhvad handler\b|\bvad handlar\b|\bmistä\b.*\bkertoo\b|"
    r"\bzusammenfass|\brésum|\bresum|"
    # "what is it about" in more of the public's languages
    r"\bhva handler\b|\bmistä\b.*\bkyse\b|\bτι αφορά\b|\bo čem (?:je|pojednává|govori)\b|"
    r"\bo čom je\b|\bmiről szól\b|\bdespre ce\b|\bза какво\b|\bo čemu\b|\bmillest\b|\bapie ką\b|\bpar ko\b|"
    r"\bsobre o que\b|\bde que (?:trata|fala)\b|\bwaarover gaat\b|\bhvad går\b.*\bud på\b|\bo co chodzi\b|"
    r"\bо чём\b|\bпро що\b|\bde qu[èe] (?:tracta|parla|va)\b|\bcrynodeb\w*|\bgrynodeb\w*|\bc?g?rynhoi\b|"
    r"\bam beth (?:y )?mae\b.{0,60}\b(?:sôn|ymdrin)\b|"
    # "what was agreed at the gathering?", "copenhagen summit what happened": what came of the occasion, no topic
    r"\bwhat happened\b|\bwhat (?:was|has been|got|were|did (?:they|the leaders|leaders|the countries)) "
    r"(?:agreed|decided|agree|decide)(?: on| to)?(?=\s*(?:[?.!]|$|at\b|during\b|there\b|"
    r"in (?:the )?(?:\w+ )?(?:summit|meeting|gathering|capital|city)\b))",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"\btitle[ds]?\b|\bheadline\b|\bwhat heading\b|\bheading (?:does|of) (?:the|this) (?:document|statement)\b|"
    r"\bwhat(?:'s| is| was) (?:it|this(?: \w+)?|the \w+) (?:called|named)\b|"
    r"\bname of (?:the|this) (?:statement|document|declaration|text)\b|\btitel\b|\btitre\b|\bt[íi]tulo\b|"
    r"\btitolo\b|\btytuł\b|\bnaslov\b|\bназва\b|\bзаглав|\bnázev\b|\bnázov\b|\bcím[eé]?\b|\bpavadinim\w*|"
    r"\bnosaukum\w*|\bpealkiri\w*|\botsikk?o\w*|\bτίτλ\w*|\bzaglavl\w*|\btitlu\w*|\bt[íi]tol\b|\bteitl\w*|"
    r"\benw['’]r (?:datganiad|ddogfen)\b|"
    # "what is the statement called" in the public's other languages
    r"\b(?:heißt|heisst|s'appelle|llama|chiama|chama|heet|hedder|heter|nazywa|zove|называется|називається|numește|"
    r"jmenuje|volá|imenuje)\s+(?:\S+\s+){0,2}?(?:die |la |el |il |a |de |het |den )?(?:erklärung|déclaration|"
    r"declaración|dichiarazione|declaração|verklaring|erklæring\w*|uttalande\w*|deklaracj\w*|izjav\w*|"
    r"заявлен\w*|заява|declarați\w*|prohlášení|vyhlásenie|dokument\w*|document\w*|text\w*)\b",
    re.IGNORECASE,
)
_AUTHORS = re.compile(
    r"\bwho (?:signed|agreed|endorsed|adopted|issued|wrote|made|authored|set out|is behind|are behind|was behind|"
    r"were behind|backed|supports? (?:it|this|the statement))\b|\bsignator|\bwho (?:are|were) the (?:leaders|authors|"
    r"signatories|countries)\b|\bwhich (?:countries|leaders|governments|states|nations)\b.*\b(?:signed|"
    # agreed to the statement, not "agreed to take people back"
    r"agreed(?!\s+to\s+(?!(?:it|this|that|the\s+(?:statement|declaration|text|document))\b)[a-z])|"
    r"endorsed|adopted|behind|set out|involved|took part|participat)|\bwho (?:was|were) (?:there|involved|present)\b|"
    r"\bwho(?:'s| is) involved\b|\bunterzeichn|\bsignataire|\bfirmant|\bfirmat|\bsygnatariu|\bondertekend|"
    r"\bsottoscritt|\bsuscrit[oa]s?\b|\bsubscrit[oa]s?\b|\bsubscreveram\b|\bunderskrev|\bundertecknat|\ballekirjoitt|\bpodepsal|υπέγραψ|\bпідписал|"
    r"\bподписал|\baláír|\bsemnat|\bimzala|"
    r"\bpodpisa[łl]\w*|\bpodpísal\w*|\bpotpisa\w*|\bparakstīj\w*|\bpasiraš\w*|\ballkirjast\w*|\bundirrit\w*|"
    r"\bsignant|\bsignatari|\b(?:qui|quins?|quines?)\b.{0,40}\b(?:van? signar|signaren)\b|\bl?lofnodwyr|"
    r"\S\s+a lofnod\w*|\bwedi llofnodi\b",
    re.IGNORECASE,
)
_WHERE_IN_DOCUMENT = re.compile(
    r"\bwhere\b(?: and how\b)?.{0,60}?\b(?:come up|comes up|appear\w*|mention\w*|discuss\w*|refer\w*|"
    r"talk\w* about|say|says|in the (?:statement|document|text|declaration))\b",
    re.IGNORECASE,
)
_ANYONE_ELSE = re.compile(
    r"\b(?:anyone|anybody|who|someone|somebody) else\b.*\b(?:present|there|attend\w*|take part|took part|"
    r"participat\w*|join\w*)\b|\bwho (?:else )?(?:attended|was present|took part|participated)\b|"
    # "Was anybody from the EU institutions there as well?"
    r"\b(?:anyone|anybody|someone|somebody) (?:from|of|representing)\b[^?.]{1,50}\b(?:present|there|attend\w*|"
    r"take part|took part|participat\w*|join\w*)\b",
    re.IGNORECASE,
)
# "who else was present?" in the public's other languages: a word for who or else, and one for present
_PRESENT_FOREIGN = (
    r"(?:anwesend|dabei|présents?|présentes?|presentes?|presenti|obecn(?:y|a|i|e|ych)|aanwezig|närvarande|til ?stede|"
    r"läsnä|paikalla|přítom\w*|prítom\w*|prisut\w*|prisot\w*|jelen|prezen(?:t|ți|te)|παρ[όο]ντ\w*|παρών|παρούσ\w*|"
    r"присъств\w*|присутн\w*|присутств\w*|navzoč\w*|kohal|klāt\w*|dalyvav\w*|i láthair|viðstadd\w*|preżenti|"
    r"presents|b?presennol)(?!\w)"
)
# Words for who and for else: not the ones that are common words elsewhere ("wie", "noch", "más", "kas", "min")
_WHO_ELSE_FOREIGN = (
    r"(?:wer|jemand|sonst|qui|quién|quien|quem|chi|kto|tko|kdo|vem|vilka|hvem|kuka|kik|cine|další|ποιος|ποιοι|кой|кои|хто|кто|"
    r"kes|kuris|cé|hver|autre\w*|altr[oiae]\w*|jeszcze|ellers|ud over|udover|muu\w*|ještě|ešte|még|άλλ\w*|"
    r"друг\w*|još|veel|vēl|eile|annar|ещё|oltre|außer|outre|además|além|poza|naast|algú|pwy|arall|eraill)"
)
PRESENT_FOREIGN = re.compile(rf"(?<!\w){_PRESENT_FOREIGN}", re.IGNORECASE)  # "War Frankreich anwesend?"
# "among" in the public's other languages: "Ir-Renju Unit kien fost il-pajjiżi ...?", "Est-elle parmi eux ?"
AMONG_FOREIGN = re.compile(
    r"(?<!\w)(?:unter den|parmi|blandt|bland|blant|joukossa|wśród|printre|сред|серед|среди|tarp|vidū|hulgas|"
    r"fost|i measc|meðal|ymhlith|yn eu plith)(?!\w)",  # not the words that also mean "between" ("mezi", "entre")
    re.IGNORECASE,
)
_ANYONE_ELSE_FOREIGN = re.compile(
    rf"(?<!\w){_WHO_ELSE_FOREIGN}(?!\w).{{0,60}}(?<!\w){_PRESENT_FOREIGN}|"
    rf"(?<!\w){_PRESENT_FOREIGN}.{{0,60}}(?<!\w){_WHO_ELSE_FOREIGN}(?!\w)",
    re.IGNORECASE,
)
# Requests to write, translate or tell something, in the public's other languages ("Schreib ein Gedicht ...")
_COMMAND_FOREIGN = re.compile(
    r"^\W*(?:bitte\s+|por favor,?\s+|s'il te plaît,?\s+|per favore,?\s+)?(?:schreib(?:e|en)?|écris|écrivez|"
    r"escrib[ae]|scrivi|scriva|escreva|schrijf|napisz(?:cie)?|skriv|kirjoita|γράψ(?:ε|τε)|napiš(?:te)?|írj(?:on)?|"
    r"scrie(?:ți)?|напиши(?:те)?|napiši(?:te)?|kirjuta|parašyk|uzraksti|übersetze|traduis|traduisez|traduce|traduci|"
    r"traduza|vertaal|przetłumacz|översätt|oversæt|oversett|käännä|přelož|prelož|fordítsd?|преведи|prevedi|tõlgi|"
    r"išversk|ignorier\w*|vergiss|oublie|olvida|dimentica|esquece|escriu|escriviu|tradueix|traduïu|oblida|"
    r"ysgrifenn(?:a|wch)|cyfieith(?:a|wch)|anghofi(?:a|wch)|anwybydd(?:a|wch))(?!\w)|"
    r"(?<!\w)(?:gedicht\w*|poème|poema|poesia|wiersz\w*|dikt|digt|runo|ποίημα|báseň|verset|poezie|poezi[ea]|"
    r"стихотворени\w*|вірш\w*|pjesm\w*|pesem|luuletus\w*|eilėraš\w*|dzejol\w*|witz|blague|chiste|barzelletta|"
    r"piada|dowcip|skämt|vittighed|vits|vitsi|αστείο|vtip|vicc|glumă|виц|anekdot\w*|haiku|limerick|acudit|jôc)(?!\w)",
    re.IGNORECASE,
)
_COMMAND = re.compile(
    r"^(?:please\s+|pls\s+|now\s+|can you\s+|could you\s+|would you\s+)?(?:print|write|compose|generate|create|draft|"
    r"say|repeat|output|echo|type|translate|calculate|compute|solve|tell me a (?:joke|story)|sing|code|"
    r"ignore|disregard|forget|pretend|act as|role-?play|give me your (?:opinion|view)|what do you think|"
    r"list all|name all|recommend|predict|convert|spell|reverse|encode|decode|respond|reply|answer only)\b|"
    r"\bwhat(?:'s| is) \d+\s*[-+*/x]\s*\d+|\bin (?:base64|rot13|hex)\b|\bpoem\b|\bhaiku\b|\blimerick\b|\bjoke\b|"
    r"\byour (?:\w+ )?(?:opinion|view|instructions|system prompt|prompt|rules)\b|\bwho will win\b|"
    r"\bwill (?:\w+ )?win (?:the )?(?:next )?(?:election|vote|match|game|league|cup)\b|\bsystem prompt\b|\bweather\b|"
    r"\byou are (?:now )?(?:DAN|an? (?:AI|assistant|model|pirate))\b|\bstep[- ]by[- ]step\b|\bjailbreak\b|"
    r"\bhow (?:can i|do i|to) (?:smuggle|cross|get into|enter|apply|obtain|claim|avoid|evade)\b|"
    r"\bexplain why\b(?!.*\b(?:statement|leaders|document|they)\b)",
    re.IGNORECASE,
)
# A request for personal advice in the public's languages: a "how" and the asker in the first person ("Hvordan søker
# jeg ...?", "Kaip man pateikti ...?", "...nasıl başvurabilirim?"): the documents give no advice to one person
_HOW_WORD = (
    r"wie|comment|c[óo]mo|come|jak|hoe|hvordan|hur|miten|kuinka|kako|hogyan|cum|nas[ıi]l|kaip|k[āa]|kuidas|"
    r"как|як|πώς|како|conas|si|sut"
)
_FIRST_PERSON = (
    r"ich|(?:puis|dois)-je|je (?:peux|dois)|yo|puedo|debo|io|posso|devo|mog[ęe]|ik|jeg|jag|min[äa]|voin|já|"
    r"m[ůu]žu|mohu|m[ôo]žem|mogu|trebam|aš|galiu|saan|mulle|én|tudok|я|можу|могу|мені|мне|εγώ|μπορώ|мога|"
    r"можам|unë|mundem|is féidir liom|\w+[ye]?(?:abilirim|ebilirim)"
)
# first-person words that are other words in other languages (Swedish "man" is "one", Latvian "es" ...)
_FIRST_PERSON_OF = {"lt": "man|mano", "lv": "man|es", "ca": "jo|puc|haig", "cy": "gallaf|allaf|alla i|fedra i|fi"}
# "how" words that are other words in other languages (Portuguese "com" is "with")
_HOW_WORD_OF = {"ca": "com"}


def personal_request(text: str, language: str) -> bool:
    """Whether a question in another language asks how the asker themself can do something."""
    first = _FIRST_PERSON + (f"|{_FIRST_PERSON_OF[language]}" if language in _FIRST_PERSON_OF else "")
    how = _HOW_WORD + (f"|{_HOW_WORD_OF[language]}" if language in _HOW_WORD_OF else "")
    pattern = rf"(?<!\w)(?:{how})(?!\w).*?(?<!\w)(?:{first})(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


# Commands that ask for the documents themselves are questions in imperative form ("list the themes").
_ABOUT_DOCUMENTS = re.compile(
    r"\b(?:statement|document|declaration|text|themes?|leaders|signator\w*|notice|note)\b", re.IGNORECASE
)
_LIST = re.compile(
    r"^(?:which|what)\s+(?!(?:does|is|was|has)\b)(?:\w+\s+){0,2}(?!(?:does|is|was|has)\b)\w+s\b|\blist\b|"
    r"\bname the\b|\bwhat are the\b|\bwhich are\b|\bwelche\b|"
    r"\bquels\b|\bquelles\b|\bcuáles\b|\bquali\b|\bjakie\b|\bwelke\b|\bhvilke\b|\bvilka\b|\bquins\b|\bquines\b",
    re.IGNORECASE,
)

# People's offices in the public's languages (a question asking which holder, or the holder's name, asks for a person)
_ROLES = (
    r"minist\w*|premier\w*|präsident\w*|presiden\w*|prezyden\w*|prezident\w*|kanzler\w*|kansler\w*|"
    r"pääminist\w*|peaminist\w*|υπουργ\w*|πρωθυπουργ\w*|πρόεδρ\w*|министр\w*|міністр\w*|премиер\w*|"
    r"министер\w*|прем.єр\w*|президент\w*|председник\w*|predsjedni\w*|predsedni\w*|başbakan\w*|bakan\w*|"
    r"cancellier\w*|canciller|chanceli\w*|miniszter\w*|ministr\w*|oficial(?=\s+europe)|oficialul\w*|"
    r"officials?\b(?!\s+name)|beamt\w*|"
    r"fonctionnaire\w*|funcionari\w*|funzionari\w*|urzędni\w*|ambtena\w*|tjänstem\w*|embedsm\w*|virkamie\w*|"
    r"voorzitter\w*|ordförande\w*|formand\w*|formann\w*|puheenjohtaj\w*|predsed\w*|председател\w*|pirminink\w*|"
    r"priekšsēdētāj\w*|présiden\w*|președint\w*|úředník\w*|tisztvisel\w*|αξιωματούχ\w*|чиновник\w*|službenik\w*|uradnik\w*|ametnik\w*|ierēdn\w*|pareigūn\w*|"
    r"g?weinidog\w*|arlywydd\w*|l?lywydd\w*"
)
# "name" in the public's languages (nominative and common cases)
_NAME_WORDS = (
    r"name[n]?|nom|nombre|nome|imi[ęe]|imienia|naam|navn|namn|nimi|nime|jm[ée]no|jmenuje|όνομα|имя|ім.я|име|"
    r"név|neve|numele|ad[ıi]|ismi|ime|imena|vārds|vardas|ainm|emri|isem|enw|"
    # "is called"
    r"hei(?:ß|ss)t|llama|s'appelle|chiama|chama|heet|hedder|heter|nazywa|zove|называется|зовут|називається|numește"
)
_EXPECTS: list[tuple[Expects, re.Pattern[str]]] = [
    (
        Expects.QUOTE,
        re.compile(
            r"\bwhat did (?:the |a |an )?[\w ]{2,60}? (?:say|said|state|tell|announce|declare|promise)\b|"
            r"\bwhat (?:was|were) (?:the |his |her |their )?(?:remarks|words|speech|comments)\b|\bquote\b",
            re.I,
        ),
    ),
    (
        Expects.PERCENT,
        re.compile(
            r"\bpercent(?:age)?\b|\bper cent\b|%|\bshare of\b|\bwhat proportion\b|\bprozent|\bpourcentage|"
            # "percentage" in the public's other languages
            r"\bporcentaje|\bpercentual|\bpercentagem|\bprocent|\bprosent|\bprotsent|\bpercentag|\bpostot|"
            r"\bodstot|\bszázalék|\byüzde|\bποσοστ|\bвідсот|\bпроцент|\bпостот|\bpërqind|\bcéatad|\bprocentu|"
            r"\bpercentatg|\b[cg]anran",
            re.I,
        ),
    ),
    (
        Expects.AMOUNT,
        re.compile(
            r"\bhow much\b|\bbudget\b|\bfunding\b|\bfunds?\b|\bcost\b|\bcosts\b|\bmoney\b|\beuros?\b|€|\$|£|"
            r"\bamount\b|\bfinanc\w+\b|\bspend\w*\b|\bpay\b|\bpaid\b|\bwie viel geld\b|\bkosten\b|\bgeld\b|"
            r"\bcombien d'argent\b|\bargent\b|\bdinero\b|\bfondi\b|\bpieniądz|\bpeniaz|\bгрош|\bденьг|\bχρήματ",
            re.I,
        ),
    ),
    (
        Expects.DATE,
        re.compile(
            r"^when\b|\bwhen (?:is|was|will|did|do|does|are|were|should|must|would|can)\b|\bwhat (?:date|day|year|"
            r"month|time)\b|\bwhich (?:date|day|year|month)\b|\bby when\b|\bdeadline\b|\btime ?frame\b|\btimeline\b|"
            r"\bhow (?:long|soon)\b|\buntil when\b|\bin what year\b|\bwann\b|\bquand\b|\bcu[áa]ndo\b|\bquando\b|"
            r"\bkiedy\b|\bwanneer\b|\bhvornår\b|\bnär\b(?! det gäller)|"
            r"\bmilloin\b|\bkdy\b|πότε|\bкогда\b|\bколи\b|\bkor\b|"
            r"\bmikor\b|\bcând\b|\bne zaman\b|\bhvenær\b|\bkada\b|\bkdaj\b|\bmillal\b|\bkedy\b|"
            r"^\W*(?:i\s+|a\s+)?kad\b(?! je riječ| je reč| se radi)|"
            r"\bcathain\b|\bкога\b|\bкада\b|\bdo kdy\b|\bdo kedy\b|\bbis wann\b|\bjusqu'à quand\b|\bhasta cuándo\b|"
            r"^\W*(?:i\s+)?(?:fins\s+)?quan\b|\bfins quan\b|\bpryd\b|"
            # "date" as a noun in the public's languages ("Welches Datum ...?"; not "data", English's other word)
            r"\bdatum\w*|\bdátum\w*|\bdatums?\b|\bfecha\b|\bdato\b|\bdatoen\b|\btarih\w*|\bpäivämäär\w*|"
            r"\bkuupäev\w*|\bdagsetning\w*|\bημερομηνί\w*|\bдат[аиуеы]\b|\bдатум\w*|თარიღ\w*|\bd?dyddiad\w*|"
            r"\b(?:la|une|quelle) date\b|\b(?:ce|care|o) dat[ăa]\b|\bdata\s+(?:di|de|do|da)\b|\bquina data\b|"
            r"\bw życie\b|\bin vigore\b|\ben vigueur\b|\ben vigor\b|\bîn vigoare\b|\bin kraft\b|"
            r"\bin werking\b|\bi kraft\b|\bvoimaan\b|\bv platnost\b|\bhatályba\b|\bσε ισχύ\b|\bв сил\w*\b|"
            r"\bна снагу\b|\bna snagu\b|\bv veljavo\b|\bв силу\b|\bjõustu\w*|\bįsigalio\w*|\bstājas spēkā\b|"
            r"\binto force\b|\btake effect\b|\btakes effect\b|\bi rym\b",
            re.I,
        ),
    ),
    (
        Expects.PERSON,
        re.compile(
            r"\bwho(?:'s|’s| is| was| are| were) (?:the |a |an )?(?:current |then )?(?:[a-z]+ )?(?:president|"
            r"prime minister|chancellor|minister|commissioner|head|chair|leader|spokes\w*|secretary|director|author|"
            r"king|queen|representative|envoy|host|mayor)\b|"
            r"\bname of (?:the |a )?(?:\w+ )?(?:person|president|minister|leader|commissioner|spokes\w*|official|"
            r"author|host|chancellor|prime minister)\b|"
            # "leaders names", "the names of the prime ministers", "name of the danish leader"
            r"\bnames? of (?:the |a |an |its |their )?(?:\w+ )?(?:people|persons?|presidents?|prime ministers?|"
            r"ministers?|leaders?|heads?|chancellors?|officials?|signatories|signers|representatives|delegates)\b|"
            r"\b(?:leaders?|ministers?|presidents?|official(?=['’]|s\b)s?|signatories|representatives)['’]?s?['’]? "
            r"names?\b|"  # not "the official name of ...": a name, no person
            r"\bwhich (?:person|politician|minister|official|"
            r"commissioner|prime minister|president)\b|"
            r"\bwhich \w+ (?:prime minister|chancellor|minister|president|leader|commissioner)\b|"
            r"\bwhat (?:is|was) (?:the|his|her) name\b|\bnamed? the "
            r"(?:person|president|minister|official)\b|\bwho (?:chaired|hosted|led|leads|heads|chairs|presided|"
            r"drafted|proposed|spoke|said)\b|\bwhich (?:prime minister|head of (?:state|government))\b|"
            # "who is the <office>" in the public's other languages ("Kuka on Euroopan komission puheenjohtaja?")
            r"(?<!\w)(?:quem|vem|hvem|kuka|ποιος|ποια|kto|kdo|cine|кой|коя|tko|kes|qui|pwy)\s+(?:\S+\s+){0,4}?"
            r"(?:" + _ROLES + r")|"
            r"\bwer (?:ist|war)\b|\bqui (?:est|était)\b|\bqui[ée]n (?:es|era|fue)\b|\bchi (?:è|era)\b|"
            r"\bkto (?:jest|był)\b|\bwhich (?:\w+ )?leader\b(?!s)|"
            # "who chaired / hosted / led" in the public's other languages
            r"\b(?:wer|qui|qui[ée]n|chi|kto|wie|hvem|vem|kuka|kdo|ποιος|кто|хто|ki|cine|kim|min|pwy)\b.{0,40}?"
            r"(?:geleitet|geführt|ausgerichtet|présid|dirig|presid|guidat|przewodnicz|prowadzi|voorgezeten|geleid|"
            r"ledede|ledde|johti|isännö|předsed|vedl|προήδρ|председател|головув|elnök|conduc|başkan|ippresied|"
            r"g?adeiriodd|arweiniodd)|"
            r"\bwho (?:represented|attended for|spoke for|signed for)\b|"
            # "which minister / prime minister / president" in the public's other languages
            r"\b(?:welche[rns]?|quel(?:le)?|qu[ée]|qual|quale|cu[áa]l|któr[yaez]\w*|jaki\w*|welke|hvilken|vilken|"
            r"mik[äa]|kter[ýáé]\w*|ποιος|ποια|ποιο|который|яки[йх]|кой|koji|koja|који|која|који|który|melyik|care|"
            r"hangi|hver|quin|quina|pa)\s+(?:\w+\s+)?(?:" + _ROLES + ")|"
            # "the name of the Italian prime minister" in the public's other languages
            r"(?<!\w)(?:" + _ROLES + r").{0,30}?(?<!\w)(?:" + _NAME_WORDS + r")(?!\w)|"
            r"(?<!\w)(?:" + _NAME_WORDS + r")(?!\w).{0,30}?(?<!\w)(?:" + _ROLES + ")|"
            r"\bwhat(?:'s| is| was) (?:their|his|her|its) name\b|\bwho (?:is|was) (?:he|she|it|they)\b",
            re.I,
        ),
    ),
    (
        Expects.NAME,
        re.compile(
            r"\bofficial name\b|\b(?:the )?name of the (?!person|president|minister|leader)\w+|"
            r"\bwhat is (?:it|the \w+) called\b|\bwhich specific\b|\bwhat specific\b|\bexactly which\b|"
            r"\bwhich exact\b|\bnamed? (?:any|the) "
            r"specific\b|"
            # "which ... exactly" in the public's other languages ("Tegen welke bendes precies ...?")
            r"(?<!\w)(?:welche\w*|quel\w*|quais|qual\w*|cu[áa]l\w*|któr\w*|jaki\w*|welk\w*|vilk\w*|hvilk\w*|"
            r"mik[äa]\w*|mitk[äa]|kter\w*|ktor\w*|melyik|ποι\w*|кой|кои|koj\w*|kater\w*|milli\w*|kuri\w*|"
            r"kura\w*|quin\w*)(?!\w).{0,50}?(?<!\w)(?:genau|exactement|précisément|exactamente|concretamente|"
            r"esattamente|exactament|precisament|yn union|yn benodol|"
            r"dokładnie|precies|exakt|præcis|nøyaktig|tarkalleen|přesně|presne|pontosan|exact|ακριβώς|точно|točno|"
            r"natančno|täpselt|tieši|tiksliai|konkret\w*|concret\w*|konkrét\w*|конкретн\w*|κονκρέτ\w*)(?!\w)",
            re.I,
        ),
    ),
    (
        Expects.LAW,
        re.compile(
            r"\bwhich (?:\w+ ){0,2}(?:law|laws|regulation|regulations|directive|directives|article|articles|act|acts|"
            r"treaty|treaties|pact|legislation|bill)\b|\bwhat (?:\w+ )?(?:law|regulation|directive|article|treaty|"
            r"legislation)\b|\barticle (?:number|no)\b|\bname of the (?:law|regulation|directive|treaty|pact)\b|"
            # "which law" in the public's other languages
            r"(?<!\w)(?:welche[snm]?|quelle|quel|qu[ée]|quale|que|welke|któr\w*|jaki\w*|vilken|hvilken|mit[äa]|quin\w*|pa|"
            r"ποιος|ποια|ποιο|kter\w*|ktor\w*|melyik|ce|кой|koj\w*|kater\w*|millis\w*|kuris|kurš|kuri)\s+"
            r"(?:\S+\s+){0,2}?(?:gesetz\w*|loi|lois|ley|leyes|legge|leggi|lei|leis|wet|wetten|prawo|ustaw\w*|lag|"
            r"lagen|lov|loven|lakia?|lait|νόμο\w*|νόμος|zákon\w*|törvény\w*|lege|legi|закон\w*|zakon\w*|seadus\w*|"
            r"įstatym\w*|likum\w*|richtlinie\w*|directive|directiva|direttiva|richtlijn|dyrektyw\w*|direktiv\w*|"
            r"verordnung\w*|règlement|reglamento|regolamento|regulamento|verordening|rozporządzeni\w*|förordning\w*|"
            r"forordning\w*|asetus\w*|κανονισμ\w*|nařízení|nariadeni\w*|rendelet\w*|regulament\w*|регламент\w*|"
            r"uredb\w*|määrus\w*|llei|lleis|reglament\w*|gyfraith|gyfreithiau|ddeddf\w*|reoliad\w*|"
            r"gyfarwyddeb\w*)(?!\w)",
            re.I,
        ),
    ),
    (
        Expects.COUNTRY,
        re.compile(
            r"\bwhich (?:[\w-]+ )?(?:countries|country|nations?|states?|third countries|partners?|governments?)\b|"
            r"\bwhat (?:\w+ )?(?:countries|country|nations?)\b|\bname (?:the |any )?(?:\w+ )?(?:countries|country)\b|"
            r"\bwith whom\b|\bwelche (?:\w+ )?länder\b|\bquels pays\b|\bqué países\b|\bquali paesi\b|\bjakie kraje\b|"
            # "which country" in the public's other languages
            r"\bwelche[sm]? land\b|\bquel pays\b|\bqué país\b|\bquale paese\b|\bqual país\b|\bqual o país\b|"
            r"\bkt[óo]ry kraj\b|\bjaki kraj\b|\bwelk land\b|\bvilket land\b|\bhvilket land\b|\bmikä maa\b|"
            r"\bmelyik ország\b|\bποια χώρα\b|\bcare țar[aă]\b|\bcare stat\b|\bkuri šalis\b|\bkura valsts\b|"
            r"\bmilline riik\b|\bkoja (?:zemlja|država|drzava)\b|\bкоя държава\b|\bktorá krajina\b|"
            r"\bkter[áý] (?:země|stát)\b|\bkatera (?:država|drzava)\b|"
            # "which countries" in the public's other languages
            r"\bvilka länder\b|\bhvilke lande\b|\bhvilke land\b|\bwelke landen\b|\bquais (?:os )?países\b|"
            r"\bkt[óo]re kraje\b|\bmitkä maat\b|\bmelyik országok\b|\bkter[ée] (?:země|státy)\b|\bktoré krajiny\b|"
            r"\bkoje (?:zemlje|države)\b|\bkatere države\b|\bкои държави\b|\bποιες χώρες\b|\bcare țări\b|"
            r"\bkurios šalys\b|\bkuras valstis\b|\bmillised riigid\b|\bquins? pa[ïi]s(?:os)?\b|"
            r"\bpa (?:wlad|wledydd|genedl|genhedloedd)\b",
            re.I,
        ),
    ),
    (
        Expects.ORGANISATION,
        re.compile(
            r"\borgani[sz]ation\w*|\borganizz\w*|\borganizac\w*|\borganisme\w*|\bagentur\w*|\bagenzi\w*|\bagencj\w*|"
            r"\bagencias?\b|\bagences?\b|\borganisaties?\b|\bagentūr\w*|\baģentūr\w*|\bagentuur\w*|\bügynöks\w*|"
            r"\borganiza[çc][õo]\w*|\borganisasjon\w*|\bjärjest[öo]\w*|\borganizáci\w*|\bszervezet\w*|"
            r"\borganiza[țt]i\w*|\borganisatsioon\w*|\borganizācij\w*|\bagentschap\w*|\bvirasto\w*|\bοργανισμ\w*|\bорганизаци\w*|\bагенци\w*|\bagencij\w*|\borgán\w*|"
            r"\bagènci\w*|\borganitzaci\w*|\basiantaeth\w*|\bsefydliad\w*|"
            r"\bwhich (?:\w+ ){0,2}(?:organi[sz]ations?|agency|agencies|bod(?:y|ies)|ngos?|institutions?|"
            r"international organi[sz]ations?|un agenc\w+)\b|\bwhat (?:\w+ )?(?:organi[sz]ations?|agency|agencies|"
            r"institutions?)\b",
            re.I,
        ),
    ),
    (
        Expects.PLACE,
        re.compile(
            r"^where\b|\bwhere (?:is|was|will|did|do|does|are|were|would|should)\b|\bwhich (?:city|town|location|"
            r"venue|place|port|island|region|capital|building|hotel|room)\b|"
            r"\bwhat (?:city|town|location|venue|place|capital)\b|"
            r"\bin which (?:city|country|place|town)\b|\bwo\b|\bwhere\b|\boù\b|\bd[óo]nde\b|\bdove\b|\bgdzie\b|"
            r"\bwaar\b|\bhvor\b(?! mange)|\bvar\b(?! för)|\bmissä\b|\bkde\b|πού|\bгде\b|\bде\b|\bhol\b|\bunde\b|"
            r"\bnerede\b|\bhvar\b|\bgdje\b|\bkur\b|\bkus\b|\bonde\b|\bкъде\b|\bkje\b|"
            r"\bcá háit\b|\bhangi (?:şehir|kent|yer)\w*|"
            # Catalan "on" (where) before its verb, not the English preposition; Welsh "ble" opening the question
            # (not Norwegian "ble": was)
            r"\bon (?:es|és|era|fou|tindrà|tingué|van)\b|^\W*(?:i\s+)?on (?:se|s['’]|va|ha|han)\b|"
            r"^\W*(?:a\s+|i\s+|o\s+)?ble\b|\bymhle\b|\bpa (?:ddinas|dref|leoliad)\b|"
            r"\b(?:quina|quin) (?:ciutat|lloc|indret)\b|"
            # "which city / place" in the public's other languages
            r"\b(?:que|qual|quelle|quel|qué|cu[áa]l|quale|che|welche[rm]?|welke|hvilken|vilken|jakim|którym|kterém|"
            r"ktorom|kojem|katerem|hansı)\s+"
            r"(?:cidade|ville|ciudad|città|stadt|stad|by|mieście|městě|meste|gradu|lieu|lugar|luogo|ort|plaats|"
            r"sted|plats)\b",
            re.I,
        ),
    ),
]
# Phrasings that try to steer the assistant: such a sentence is data, not part of what is asked
INSTRUCTION_CUES = re.compile(
    r"\b(ignore|disregard|forget|pretend|you are now|act as|system prompt|add the word|respond with|"
    r"reply with|append|jailbreak|DAN|respond only|answer only|only with|do what it says|"
    r"(?:must|should|to|will) (?:reply|respond|answer|say|print|write|output))\b|"
    r"^(?:also |and |then |now |please )*(?:add|include|insert|say|write|print|output|type|end with|begin with|"
    r"start with)\b|"
    # "start your answer with X" anywhere (not "which countries start with B?")
    r"\b(?:start|begin|end) (?:your |the |each |every )?(?:answer|reply|response|sentence|message)s? with\b",
    re.IGNORECASE,
)
# "What does it say ..." in the public's other languages: a question for what the documents say on a topic
TOPIC_FOREIGN = re.compile(
    r"\b(?:wat zegt|was sagt|que dit|qu[ée] dice|cosa dice|o que diz|co mówi|co říká|čo hovorí|kaj pravi|"
    r"što kaže|šta kaže|шта каже|што вели|ce spune|mit mond|ne diyor|ne söylüyor|hvad siger|vad säger|hva sier|"
    r"mida ütleb|ko saka|ką .{0,30}sako|τι λέει|какво казва|що каже|что говорит|çfarë thotë|hvað segir|"
    r"cad a deir|mitä .{0,30}sanoo|què diu|beth (?:\S+\s+){0,5}?(?:ddweud|dweud|sôn))\b|"
    # "what does the statement say": a word for what, up to three words, then a word for says
    r"(?<!\w)(?:was|que|qu[ée]|cosa|o que|co|wat|vad|hvad|hva|mitä|mit|ce|τι|какво|що|что|шта|што|što|šta|kaj|"
    r"mida|ko|ką|çfarë|hvað|cad|què)\s+(?:\S+\s+){0,3}?(?:sagt|steht|dit|dice|diz|zegt|staat|mówi|říká|hovorí|pravi|"
    r"kaže|каже|вели|spune|mond|siger|står|säger|sier|sanoo|sanotaan|λέει|αναφέρει|казва|говорит|сказано|ütleb|"
    r"saka|sako|thotë|segir|deir|navaja|uvádí|uvádza|navodi|наводи|diu|esmenta)(?!\w)",
    re.IGNORECASE,
)
# A question that compares what several documents say ("what do the statement and the notice each say?")
COMPARING = re.compile(
    r"\b(?:each|both|compare|compared|differ\w*|difference|versus|vs|agree|between|all three|the documents)\b",
    re.IGNORECASE,
)
# Words for "theme", "point", "item", "priority" in the public's languages: what an ordinal counts along
_LIST_NOUNS = re.compile(
    r"\b(?:tem[aey]?\w*|them\w*|thèm\w*|punkt\w*|point\w*|punto\w*|pont\w*|teem\w*|aihe\w*|θέμα\w*|θεματ\w*|"
    r"тем\w*|priorit\w*|pilar\w*|pillar\w*|onderwerp\w*|[pb]h?wynt\w*|[bf]laenoriaeth\w*)",
    re.IGNORECASE,
)
# A "which X" whose X is generic (tools, themes, kind): no type is expected
_COUNT_NOUN = re.compile(
    r"\bhow many\s+((?:[a-z-]+\s){0,2}?[a-z-]{3,}?s)\b|\bnumber of\s+((?:[a-z-]+\s){0,2}?[a-z-]{3,}?s)\b", re.I
)
_MEMBERSHIP = re.compile(
    r"^(?i:is|are|was|were|did|does|do|has|have)\s+(?:the\s+)?"
    r"(?P<subject>[A-Z][\w'.-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'.-]*){0,4})\b"
    r"|\b(?i:is|are|was|were)\s+(?:the\s+)?(?P<subject2>[\w'.-]+(?:\s+[A-Z][\w'.-]*){0,3})\s+(?i:among|one of|"
    r"part of|included|listed|on the list|a signator|in the list|in it|in there|on it)",
)
_MENTION = re.compile(
    r"\b(?:mention|name|cite|refer to|include|list|talk about|say anything about|discuss)s?\s+(?:the\s+)?"
    r"(?P<subject>[\w'’-]+(?:\s+[\w'’-]+){0,4}?)\s*\??$",
    re.IGNORECASE,
)
_TITLE_WORD = re.compile(r"\b([A-Z][\w'’-]*(?:\s+(?:of|for|on|the|and)?\s*[A-Z][\w'’-]*)*)")
_QUESTION_OPENERS = frozenset(
    "which what where who whom whose how why when does did is are was were can could will would should "
    "tell give list name explain and but so also ok please summary".split()
)


# "first" saying who did something before the others, in the public's other languages ("als Erster", "en premier")
_ADVERBIAL_FIRST = re.compile(
    r"(?<!\w)(?:als erste[rns]?|zuerst|en premier|per prim[oa]|por primera vez|"
    r"als eerste|jako pierwsz[yaei]|jako první|ako prv[ýáí]|kao prv[iao]|kot prv[ia]|som först[ae]?|"
    r"som den første|som de første|ensimmäisenä|elsőként|primul care|πρώτ[οη]ς? που|първ(?:и|а) от|першим|"
    r"esimesena)(?!\w)",
    re.IGNORECASE,
)


# ... unless it is where something stands in a list ("Welches Land wird in der Liste als erstes genannt?")
_LISTING = re.compile(
    r"(?<!\w)(?:list\w*|named|mentioned|genannt|aufgeführt|erwähnt|nommé\w*|cité\w*|mencionad\w*|nombrad\w*|"
    r"menzionat\w*|elencat\w*|citat\w*|genoemd|vermeld|wymienion\w*|uveden\w*|jmenován\w*|nämn\w*|nævnt|nevnt|"
    r"mainit\w*|említ\w*|menționat\w*|αναφέρ\w*|споменат\w*|згадан\w*|navedeno|naveden\w*|seznam\w*|lista\w*|"
    r"liste\w*|lijst\w*|luettel\w*|llist\w*|esmentat\w*|anomenat\w*|rhestr\w*|enwir|enwyd|g?c?rybwyll\w*)(?!\w)",
    re.IGNORECASE,
)


# Idioms that hold an ordinal word but ask for no position: "the reasons people leave in the first place"
_ENGLISH_ORDINAL_IDIOMS = re.compile(
    r"\b(?:in the first place|first of all|at first|(?:for )?the (?:first|last) time|at (?:long )?last|"
    r"last but not least)\b",
    re.IGNORECASE,
)
# Words for "second" that also mean "other" ("Er der andre nordiske lande med?", "Vilka andra länder?", "drugi
# ukrepi", "другие страны"): a position only before a list's noun ("den andra punkten") or after an article alone
_SECOND_OR_OTHER = {
    "da": "andre|anden|andet", "nb": "andre|annen|annet", "sv": "andra", "sl": r"drug\w*", "hr": r"drug\w*",
    "sr": r"drug\w*", "bs": r"drug\w*", "ru": r"друг\w*", "bg": r"друг\w*",
    "fi": r"toinen|toise\w*|toisi\w*", "et": r"teine|teise\w*|teised",
}  # fmt: skip
_POSITION_CONCEPTS = frozenset({"themes", "points", "heading"})
_NAMED_THINGS = frozenset({"countries", "leaders", "signatories", "agencies", "conventions"})
_ARTICLED = frozenset({"da", "nb", "sv"})  # "den/det andre" is the second
_ARTICLE_BEFORE = re.compile(r"(?:^|\s)(?:den|det|de|the|og|and|och)\s*$", re.IGNORECASE)


def _other_not_second(text: str, language: str) -> bool:
    """Whether the text's word for "second" means "other" here: before the parties or things a document names
    ("andre nordiske lande", "andra länder"), or, in the Scandinavian languages, with no article before it and no
    list noun after it. "den andre prioriteringen", "drugi steber" are the second."""
    ambiguous = _SECOND_OR_OTHER.get(language)
    match = re.search(rf"(?<!\w)(?:{ambiguous})(?!\w)", text, re.IGNORECASE) if ambiguous else None
    if match is None:
        return False
    after = {concept_of(word.lower(), language) for word in words(text[match.end() :])[:2]}
    if after & _POSITION_CONCEPTS:
        return False
    if after & _NAMED_THINGS or any((c or "")[:1].isupper() for c in after):
        return True
    return language in _ARTICLED and not _ARTICLE_BEFORE.search(text[: match.start()])


def ordinal_of(text: str, language: str | None = None) -> int | None:
    """The position a text asks for: 1..5 from ordinal words in many languages, -1 for 'last', None if none."""
    numbered = _NUMBERED.search(text)
    if numbered:
        return int(numbered.group(1))
    language = language or detect_language(text)
    if language == "en":
        text = _ENGLISH_ORDINAL_IDIOMS.sub(" ", text)
        match = _ENGLISH_ORDINAL.search(text.strip())
        word = next((g for g in match.groups() if g), "") if match else ""
        return _ENGLISH_POSITIONS.get(word.lower())
    if _ADVERBIAL_FIRST.search(text) and not _LISTING.search(text):
        return None  # "Který z lídrů přišel jako první?": who did it first, not the first of a list
    found = [(m.start(), n) for n, pattern in _ORDINAL_RE.items() if (m := pattern.search(text))]
    if _other_not_second(text, language):
        found = [(at, n) for at, n in found if n != 2]
    if _LAST_RE.search(text):
        m = _LAST_RE.search(text)
        assert m is not None
        found.append((m.start(), -1))
    return min(found)[1] if found else None


def positions_of(text: str, language: str) -> list[int]:
    """Every position a text asks for, in its order ("which country is named first, and which one last?" -> [1,
    -1]); one position, or none, as ordinal_of reads it."""
    first = ordinal_of(text, language)
    if first is None:
        return []
    found = [first]
    for part in re.split(
        r",?\s+(?:and|und|et|y|e|i|og|och|ja|és|și|и|a)\s+(?:which|what|who|the|welche\w*|quel\w*|qu[ée]|"
        r"qual\w*|cu[áa]l\w*)?",
        text,
    )[1:]:
        short = len(words(part)) <= SECOND_POSITION_WORDS
        bare = _BARE_POSITION.search(part) if short and language == "en" else None  # "and which one last?"
        position = (
            (ordinal_of(part, language) or (_ENGLISH_POSITIONS[bare.group(1).lower()] if bare else None))
            if short
            else None
        )
        if position is not None and position not in found:
            found.append(position)
    return found


SECOND_POSITION_WORDS = 6  # "..., and which one last?": a short second question asking for another position
_BARE_POSITION = re.compile(r"\b(first|second|third|fourth|fifth|last|final)\b", re.IGNORECASE)


# In the Germanic languages a question opening with its verb asks yes or no ("Versprechen die Länder, sich gegenseitig
# zu unterstützen?"): any first word but a question word, a preposition, a conjunction, an article or a request
_NOT_VERB_FIRST = {
    "de": "wer wen wem wessen was wann wo woher wohin wie warum wieso weshalb weswegen welche welcher welches welchen "
    "welchem womit wofür worüber worum wozu wodurch woran worauf inwiefern inwieweit in an auf mit für über von zu "
    "bei nach aus um durch gegen ohne seit unter vor zwischen und oder aber der die das den dem des ein eine einen "
    "einer bitte nenne nennen liste erkläre erklären zeige fasse gib",
    "nl": "wie wat wanneer waar waarom hoe welke welk wiens waarover waarmee in op met voor over van naar bij uit door "
    "en of maar de het een noem geef leg tegen onder tussen zonder sinds tot aan om",
    "sv": "vem vad när var varför hur vilken vilket vilka i på med för om av till från och eller men den det en ett "
    "nämn ge förklara lista mot under mellan utan sedan vid enligt",
    "da": "hvem hvad hvornår hvor hvorfor hvordan hvilken hvilket hvilke i på med for om af til fra og eller men den "
    "det en et nævn giv forklar",
    "nb": "hvem hva når hvor hvorfor hvordan hvilken hvilket hvilke i på med for om av til fra og eller men den det en "
    "et nevn gi forklar",
    "is": "hver hvað hvenær hvar hvers hvernig hvaða í á með fyrir um af til frá og eða en nefndu",
}
_NOT_VERB_FIRST_WORDS = {lang: frozenset(words.split()) for lang, words in _NOT_VERB_FIRST.items()}


def _verb_first(text: str, language: str) -> bool:
    """Whether a question in a verb-second language opens with its verb (a yes/no question)."""
    starters = _NOT_VERB_FIRST_WORDS.get(language)
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    return starters is not None and text.rstrip().endswith("?") and len(tokens) >= 3 and tokens[0] not in starters


# Particles that make a yes/no question in the public's other languages: first ("Чи йдеться ...?", "Vai paziņojums
# ...?", "Ar deklaracijoje ...?", "Ali izjava ...?") or right after the verb ("Spominje li izjava ...?")
# ... or, in Welsh, a verb form or the particle "a" that only opens a yes/no question ("A lofnododd Gwlad Pwyl ...?",
# "Ydy'r datganiad yn sôn ...?"); in Catalan a verb opening the question ("Es parla de ...?", "Va signar ...?")
_YES_NO_FIRST = {
    "uk": "чи", "be": "ці", "lv": "vai", "lt": "ar", "sl": "ali", "et": "kas", "mk": "дали", "ga": "an",
    "cy": "a ai oes ydy ydyw ydi yw ydyn ydynt oedd oedden wnaeth wnaethon wnaethant wnaiff fydd fyddan fyddai "
    "ddylai all allai gafodd gaiff",
    "ca": "és són es hi va van ha han existeix té tenen",
}  # fmt: skip
_YES_NO_FIRST_WORDS = {lang: frozenset(words.split()) for lang, words in _YES_NO_FIRST.items()}
# ... unless a question word or an article follows it (Welsh "a" is also "and": "A beth am ...?" asks "and what about
# ...?", "A'r gwledydd eraill?" "and the other countries?")
_QUESTION_WORDS_OF = {"cy": frozenset("beth pwy ble pryd sut pam pham pa faint sawl ymhle r".split())}
_YES_NO_SECOND = {"hr": "li", "bs": "li", "sr": "li", "sl": "li", "bg": "ли", "mk": "ли", "ru": "ли", "sh": "li"}


_FINNISH_KO_QUESTION_WORDS = frozenset(
    "montako monesko paljonko kauanko kumpiko kukako mikäkö mitäkö missäkö mistäkö mihinkö milloinko mitenkö "
    "kuinkako".split()
)


def _yes_no_particle(text: str, language: str) -> bool:
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    first, second = _YES_NO_FIRST_WORDS.get(language, frozenset()), _YES_NO_SECOND.get(language)
    if language == "fi" and tokens and tokens[0].endswith(("ko", "kö")) and tokens[0] not in _FINNISH_KO_QUESTION_WORDS:
        return len(tokens) >= 2  # the first word carries "-ko": "Aikovatko maat ...?", "Onko ...?", "Mainitaanko ...?"
    if len(tokens) >= 3 and tokens[1] in _QUESTION_WORDS_OF.get(language, frozenset()):
        return False
    return len(tokens) >= 3 and (tokens[0] in first or tokens[1] == second)


# "Can you give me a rundown of ...?": a request put as a question, not a yes or no
_POLITE_REQUEST = re.compile(
    r"^\W*(?:can|could|would|will)\s+you\s+(?:please\s+)?(?P<verb>give|tell|list|name|summari[sz]e|show|provide|"
    r"outline|explain|walk me through|describe|sum up)(?!\w)",
    re.IGNORECASE,
)


def kind_of(text: str, language: str) -> Kind:
    """The question's kind, from cues in its wording (English fullest; main cues in other languages)."""
    stripped = text.strip()
    if _COMMAND.search(stripped) and not (
        _ABOUT_DOCUMENTS.search(stripped) and re.match(r"^(?:please\s+)?(?:list|name|give|tell|summar)", stripped, re.I)
    ):
        return Kind.COMMAND
    if language != "en" and _COMMAND_FOREIGN.search(stripped):
        return Kind.COMMAND  # "Schreib ein Gedicht über Grenzen."
    if language != "en" and personal_request(stripped, language):
        return Kind.COMMAND  # "Hvordan søker jeg om ...?": advice for the asker, not a question on the documents
    polite = _POLITE_REQUEST.match(stripped)
    if polite:  # "Can you tell me who signed it?" asks who signed it; "Could you summarise it?" is "summarise it"
        telling = polite.group("verb").lower() in ("tell", "explain")
        rest = stripped[polite.end() :] if telling else stripped[polite.start("verb") :]
        rest = re.sub(r"^\s*(?:me|us)\b\s*", "", rest, flags=re.IGNORECASE).strip()
        if re.match(r"(?:whether|if)\b", rest, re.IGNORECASE):
            return Kind.YES_NO  # "Can you tell me whether France signed?"
        kind = kind_of(rest, language) if len(words(rest)) >= 2 else Kind.FACT
        if kind is Kind.COMMAND:
            return kind  # "Could you tell me a joke about smugglers?"
        if kind in (Kind.FACT, Kind.YES_NO):
            return Kind.LIST if plural_nouns(rest) else Kind.FACT
        return kind
    if _TITLE.search(stripped) and not _COUNT.search(stripped):
        return Kind.TITLE
    if _BREVITY.search(stripped) and not _SUMMARY.search(_BREVITY.sub(" ", stripped)):
        rest = _BREVITY.sub(" ", stripped)
        # "wat r they doin abt ppl gaming the asylum system?? tldr pls": a topic the lexicon knows, asked briefly
        concepts = {concept_of(w.lower(), language) or _TOPIC_WORD.get(stem_word(w.lower())) for w in words(rest)}
        if concepts - {None, *_NOT_A_TOPIC}:
            return kind_of(rest, language)
    if _SUMMARY.search(stripped) and (language == "en" or ordinal_of(stripped, language) is None):
        return Kind.SUMMARY  # not "O čemu govori treća tema?": what the third theme says
    present = language != "en" and _ANYONE_ELSE_FOREIGN.search(stripped) and not _COUNT.search(stripped)
    if (_ANYONE_ELSE.search(stripped) or present) and expects_of(stripped, Kind.FACT) is not Expects.PERSON:
        return Kind.AUTHORS  # "Was anyone else present?"; not "the name of the Commission President who attended?"
    if (
        _AUTHORS.search(stripped)
        and not _COUNT.search(stripped)
        and expects_of(stripped, Kind.FACT) is not Expects.PERSON  # "Which minister signed?" asks for a person
        and not _YES_NO.search(stripped)
        and not _yes_no_particle(stripped, language)  # "Ydy Ffrainc ymhlith y llofnodwyr?": whether it is one
        and not _WHY_HOW.search(stripped)
    ):
        return Kind.AUTHORS
    if _COUNT.search(stripped) and not (_YES_NO.search(stripped) and _NUMBER_OF_ONLY.search(stripped)):
        return Kind.COUNT  # not "Is one of the aims to cut the number of arrivals?": a yes or no
    if ordinal_of(stripped, language) is not None and not _WHY_HOW.search(stripped):
        return Kind.ORDINAL
    if _DEFINITION.search(stripped):
        return Kind.DEFINITION
    if _WHY_HOW.search(stripped) or (language != "en" and _how_foreign(stripped, language)):
        return Kind.WHY_HOW
    opener = re.findall(r"[^\W\d_]+", stripped.lower())[:1]
    # a word that opens no yes/no question in that language (a question word, a preposition: German "Was ...?")
    question_word = bool(opener) and opener[0] in _NOT_VERB_FIRST_WORDS.get(language, frozenset())
    if (_YES_NO.search(stripped) and not question_word) or _verb_first(stripped, language):
        return Kind.YES_NO
    if _yes_no_particle(stripped, language):
        return Kind.YES_NO
    if _LIST.search(stripped):
        return Kind.LIST
    return Kind.FACT


# "What does the third theme say?": a question for what a part of the document says, not only for its name
BODY_CUE = re.compile(
    r"\b(?:say|says|said|about|cover|covers|involve|mean|contain|detail|describe|consist|entail|include|"
    r"sagt|steht|besagt|beinhaltet|enthält|handelt|dit|contient|parle|traite|dice|contiene|trata|habla|tratta|"
    r"parla|diz|contém|fala|zegt|staat|bevat|mówi|zawiera|dotyczy|říká|obsahuje|týká|hovorí|uvádí|uvádza|"
    r"säger|står|innehåller|handlar|siger|indeholder|handler|sier|inneholder|sanoo|sisältää|kertoo|mond|"
    r"tartalmaz|szól|spune|conține|λέει|αναφέρει|περιέχει|говорит|говорить|каже|казва|pravi|kaže|navaja|diu|"
    r"conté|tracta|dweud|ddweud|sôn|g?c?ynnwys|"
    # what it proposes, in concrete terms
    r"propose|proposes|proposed|suggest|suggests|recommend|recommends|call for|calls for|concretely|in practice|"
    r"propõe|propone|proponen|propose-t-il|vorschlägt|schlägt|proponuje|navrhuje|föreslår|foreslår|ehdottaa|"
    r"javasol|propune|προτείνει|предлага|пропонує|predlaže|predlaga|em concreto|en concreto|in concreto|"
    r"concrètement|konkret|konkreet|konkretnie|konkrétně|konkrétne|konkreetselt|konkrétan)\b",
    re.IGNORECASE,
)
_SETTING_WHEN = re.compile(
    r"^\s*when\b[^,?]{3,120},\s*(?=(?:what|which|who|whom|whose|how|why|where|does|do|did|is|are|was|were|can)\b)",
    re.IGNORECASE,
)


# The word money itself in the public's languages (not "funds", "euro", "para": words with other meanings too)
_MONEY_NOUN = re.compile(
    r"(?<!\w)(?:money|geld(?:es|er|ern)?|argent|dinero|denaro|soldi|dinheiro|pieni[ąa]dz\w*|penge\w*|pengar|rahaa?|"
    r"pen[ěií]z\w*|"
    r"peniaz\w*|pénz\w*|bani|nauda|naudu|pinig\w*|novac\w*|novca|denar\w*|flus|airgead|χρήματ\w*|пари|грош\w*|"
    r"деньг\w*|новац|новц\w*|ფულ\w*|diners|arian)(?!\w)",
    re.IGNORECASE,
)
# A question naming money that asks for something else about it: when, who, where
_EXPECTS_OTHER_THAN_MONEY = re.compile(r"\b(?:when|who|whom|where|which (?:countr|agenc|organi))", re.IGNORECASE)
# Money as what is acted against ("ils vont faire quoi contre l'argent des passeurs ?"): what is done, not an amount
_AGAINST_MONEY = re.compile(
    rf"(?<!\w)(?:against|contre|gegen|contra|contro|tegen|mot|imod|przeciw\w*|proti|ellen|împotriva|κατά|срещу|проти|"
    rf"против)\W+(?:\w+\W+){{0,3}}?{_MONEY_NOUN.pattern}",
    re.IGNORECASE,
)


def expects_of(text: str, kind: Kind) -> Expects | None:
    """The type of thing a right answer must contain, when the question asks for one."""
    if kind in (Kind.TITLE, Kind.SUMMARY, Kind.AUTHORS, Kind.ORDINAL, Kind.DEFINITION, Kind.COMMAND):
        return None
    text = _SETTING_WHEN.sub("", text)  # "When the statement talks about X, which Y ...?" asks for no date
    if kind is Kind.COUNT:
        return None if _HOW_MUCH.search(text) is None and _MONEY.search(text) is None else Expects.AMOUNT
    if kind is not Kind.YES_NO and _MONEY.search(text) and _HOW_MUCH_ANY.search(text):
        return Expects.AMOUNT  # "how much money" in any language
    if _MONEY_NOUN.search(text) and not _EXPECTS_OTHER_THAN_MONEY.search(text) and not _AGAINST_MONEY.search(text):
        return Expects.AMOUNT  # "Bodo tem agencijam namenili tudi dodaten denar?": money, whoever gets it
    for expects, pattern in _EXPECTS:
        if expects is Expects.PLACE and _WHERE_IN_DOCUMENT.search(text):
            continue  # "Where do partnerships come up?" asks where in the document, not for a place
        if pattern.search(text):
            if expects is Expects.AMOUNT and _AGAINST_MONEY.search(text):
                continue  # "what will they do against the smugglers' money?"
            if kind is Kind.YES_NO and expects in (Expects.COUNTRY, Expects.ORGANISATION, Expects.PLACE):
                continue  # "Is Poland among the countries?" asks for a yes or no, not for a country
            return expects
    return None


def plural_nouns(text: str) -> list[str]:
    """The question's plural-looking content words, as candidates for what it counts ('bullet points', 'themes')."""
    return [w for w in focus_terms(text) if len(w) > 3 and w.endswith("s") and not w.endswith("ss")]


def counted_noun(text: str) -> str | None:
    """What a counting question counts: 'How many international conventions ...' -> 'international conventions'."""
    match = _COUNT_NOUN.search(text)
    return (match.group(1) or match.group(2)).strip() if match else None


def ordinal_noun(text: str) -> str | None:
    """The noun after an ordinal word: 'the third theme' -> 'theme'."""
    for pattern in [*_ORDINAL_RE.values(), _LAST_RE]:
        match = pattern.search(text)
        if match:
            rest = text[match.end() :].strip().split()
            if rest:
                noun = re.sub(r"\W+$", "", rest[0]).lower()
                return None if noun in ("one", "of", "on", "in", "and", "item", "") else noun
    return None


_AUXILIARIES = frozenset(
    "does do did is are was were will would can could should has have had must may might shall".split()
)
_BREAKS = frozenset(
    "of in at on for from with to by about under among between during within against that which who whose "
    "this these it they one ones else".split()
)
# A participle after the noun asked for ends it: "what are the new pilots meant to achieve?" asks of the pilots
_PARTICIPLES = frozenset(
    "meant supposed intended expected designed aimed planned going set used needed required called named listed "
    "mentioned said given put taken".split()
)
_LEADS = frozenset("and so but then also in at on for by from with to under of during".split())
_KIND_OF = frozenset("kind kinds type types sort sorts form forms".split())
_DETERMINERS = frozenset("the a an its their his her this that these those our".split())


_WHATS = frozenset({"what's", "what’s", "whats"})
_EMPHASIS = frozenset({"exactly", "precisely", "specifically", "actually", "really", "else", "then", "now"})


# Verbs that follow the noun asked for with no object: "which sanctions appear ...", "what kinds of X come up"
_INTRANSITIVES = frozenset(
    "appear appears appeared come comes came show shows feature features exist exists arise arises emerge emerges "
    "crop pop turn turns stand stands get gets go goes matter matters apply applies".split()
)


def asked_nouns(text: str) -> list[str]:
    """The noun(s) an English 'what/which X ...' question asks for: 'What refugee quota does ...' -> ['quota'],
    'In which building or venue ...' -> ['building', 'venue'], 'What is the tallest mountain in Europe' ->
    ['mountain'], 'What kind of partnerships ...' -> ['partnerships']. Empty when it asks with a bare 'what'."""
    tokens = [w.lower() for w in words(text)]
    start = 0
    while start < len(tokens) - 1 and tokens[start] in _LEADS:
        start += 1  # "And in which building ..."
    if tokens[start : start + 1] and tokens[start] in _WHATS:
        tokens[start : start + 1] = ["what", "is"]  # "what's in the menu?"
    if not tokens or tokens[start] not in ("what", "which"):
        return []
    rest = tokens[start + 1 :]
    if (
        rest[:1]
        and rest[0] in ("is", "are", "was", "were")
        and rest[1:2] in (["in"], ["on"])
        and rest[2:3]
        and (rest[2] in _DETERMINERS)
    ):
        rest = rest[3:]  # "what is in the menu of ...": the menu is asked for
    if rest[:1] and rest[0] in ("is", "are", "was", "were") and rest[1:2] and rest[1] in _DETERMINERS:
        rest = rest[2:]
    if rest[:1] and rest[0] in _KIND_OF and rest[1:2] == ["of"]:
        rest = rest[2:]  # "what kind of partnerships": the partnerships are asked for
    while rest[:1] and rest[0] in _EMPHASIS:
        rest = rest[1:]  # "what exactly has to be ...": a bare "what"
    if rest[:1] and (rest[0] in _PARTICIPLES or rest[0] in _INTRANSITIVES):
        return []  # "what are those meant to be doing?": "those" stood for something, no noun is asked for
    span: list[str] = []
    ended_by = ""
    for token in rest:
        verb = token in _INTRANSITIVES or token in _PARTICIPLES or token in _EMPHASIS
        if token in _AUXILIARIES or token in _BREAKS or (verb and span):
            ended_by = "aux"
            break
        if token in _DETERMINERS:
            ended_by = "determiner" if span else "aux"
            break
        span.append(token)
    if not span:
        return []
    if ended_by == "determiner" and len(span) >= 2:
        span = span[:-1]  # "Which team won the ...": the word before the object's article is a verb
    elif not ended_by and len(span) > 2:
        span = span[:1]  # "Which theme mentions voluntary returns": no boundary seen, the first word is the noun
    nouns = [span[-1]]
    for i, token in enumerate(span):
        if token == "or" and i > 0:
            nouns.append(span[i - 1])
    return [n for n in dict.fromkeys(nouns) if n != "or" and len(n) > 2]


_FUNCTION_WORDS = frozenset(
    "de di da del des du la le les el los las il lo gli af av van von der den die das of na za do ze z w v "
    "iz od u o a e és són els dels jest są je sunt ist sind er är on ona to είναι οι τα το της των τον την "
    "sydd oedd".split()
)


def counted_foreign(text: str, gloss: Mapping[str, str], language: str) -> str | None:
    """What a counting question in another language counts: the corpus word for the first content word after
    its 'how many' ('Hvor mange lande' -> 'countries'); the word itself when it maps to none, so no list is counted
    by mistake. Only the lexicon's checked words count: the e5 glossary reads '¿Cuántos agentes ...?' as agencies."""
    match = _COUNT.search(text)
    if match is None:
        return None
    following = [w for w in words(text[match.end() :]) if w.lower() not in _FUNCTION_WORDS and len(w) >= 3][:2]
    mapped = [gloss.get(w) or gloss.get(w.lower()) for w in following]  # the noun, or an adjective and it
    mapped = [m if m and concept_of(w, language) == m else None for w, m in zip(following, mapped, strict=True)]
    return next((m for m in mapped if m), following[0].lower() if following else None)


def focus_terms(text: str) -> list[str]:
    """The question's content words, lower-cased, in order (stopwords and question words left out)."""
    seen = dict.fromkeys(
        w.lower() for w in words(text) if w.lower() not in ENGLISH_STOPWORDS and w.lower() not in _QUESTION_OPENERS
    )
    return [w for w in seen if len(w) > 1]


def names_in(text: str) -> list[str]:
    """Capitalised names in an English question, not counting a sentence's first word ('Why did France sign?')."""
    found: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        for match in _TITLE_WORD.finditer(sentence):
            name = match.group(1)
            if match.start(1) == 0:
                _, _, rest = name.partition(" ")
                if not rest:
                    continue  # a capitalised first word alone may be any word
                name = re.sub(r"^(?:(?:of|for|on|the|and)\s+)+", "", rest.strip())  # "Summarize the Dublin ..."
                if not name[:1].isupper():
                    continue
            found.append(name)
    # acronyms anywhere, also sentence-initial ("IOM?")
    found.extend(m.group(0) for m in re.finditer(r"\b[A-Z]{2,}[a-z]?\b", text))
    return list(dict.fromkeys(found))


def membership_subject(text: str) -> str | None:
    """What a yes/no question asks to be among a list or mentioned: 'Is Poland among ...' -> 'Poland'."""
    match = _MEMBERSHIP.search(text)
    if match:
        subject = (match.group("subject") or match.group("subject2") or "").strip()
        if subject and subject.split()[0].lower() not in _QUESTION_OPENERS | {"the", "it", "this", "they", "there"}:
            return subject
    match = _MENTION.search(text)
    if match and _YES_NO.search(text):
        return match.group("subject").strip(" ?.'\"")
    return None


def without_instructions(text: str) -> str:
    """The question without its sentences that try to steer the assistant (all of it when that is all there is)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept = [s for s in sentences if not INSTRUCTION_CUES.search(s)]
    return " ".join(kept) if kept and len(kept) < len(sentences) else text


# What a document lists, as the glossary and lexicon name it: what an ordinal in another language counts along
LISTED_CONCEPTS = frozenset(
    {"themes", "points", "countries", "agencies", "conventions", "leaders", "signatories", "priorities", "items"}
)


# What a short question in another language may ask for as a whole list ("Které země jsou uvedeny?")
_WHOLE_LISTS = frozenset({"themes", "points", "countries", "agencies", "conventions", "priorities"})
LIST_QUESTION_WORDS = 8  # longer questions ask something about the listed things, not for the list


def listed_asked(text: str, gloss: Mapping[str, str], language: str) -> str | None:
    """The listed thing a short question in another language asks for and nothing else (its English concept):
    one listed concept, no topic ("returns", "borders"), no name."""
    concepts = set(gloss.values())
    listed = concepts & _WHOLE_LISTS
    found = words(text)
    if len(listed) != 1 or concepts & TOPIC_CONCEPTS or len(found) > LIST_QUESTION_WORDS:
        return None
    if any((concept_of(w, language) or "")[:1].isupper() for w in found):
        return None  # a signatory named ("Welke landen naast Polen ...?"): asked about it, not for the list
    return next(iter(listed))


def _foreign_kind(kind: Kind, concepts: set[str], named: str | None, text: str) -> Kind:
    """The kind of a question in another language, from the document words its words mean (the lexicon's and the
    glossary's): "Mis on avalduse pealkiri?" asks for the title; "България подписа ли декларацията?" or "¿Está
    España entre los firmantes?" whether a country (`named`) is among the signatories."""
    if kind in (Kind.FACT, Kind.LIST) and "title" in concepts:
        return Kind.TITLE
    if kind in (Kind.FACT, Kind.LIST, Kind.AUTHORS) and "signatories" in concepts and named:
        return Kind.YES_NO
    if kind in (Kind.FACT, Kind.LIST) and named in country_names_english() and AMONG_FOREIGN.search(text):
        return Kind.YES_NO  # "Ir-Renju Unit kien fost il-pajjiżi li ffirmaw?": whether it is among them
    return kind


_PARTIES = frozenset({"countries", "signatories"})
# "who" in the public's languages
_WHO_FOREIGN = re.compile(
    r"(?<!\w)(?:hvem|wer|qui|quién|quien|chi|quem|kto|kdo|kto|kim|kuka|ketkä|kes|kik|ki|cine|ποιος|ποιοι|кой|кои|"
    r"хто|кто|tko|ko|vem|hver|pwy|cé|min)(?!\w)",
    re.IGNORECASE,
)


def _asks_who_is_in(resolved: str, language: str) -> bool:
    """Whether the previous question a follow-up carries (in brackets at its end) asked who is behind the document
    or which countries are in it: then a country named alone asks whether it is one of them."""
    carried = re.search(r"\(([^()]*)\)\s*$", resolved)
    if carried is None:
        return False
    previous = carried.group(1)
    concepts = {concept_of(w.lower(), language) for w in words(previous)}
    who_made_it = _WHO_FOREIGN.search(previous) is not None and "statement" in concepts  # "Hvem står bak erklæringen?"
    return bool(concepts & _PARTIES) or who_made_it or kind_of(previous, language) is Kind.AUTHORS


def _named_foreign(text: str, gloss: Mapping[str, str], language: str) -> str | None:
    """The name a question in another language asks about: the first name the glossary maps a word onto
    ("Polska" -> "Poland"), else a capitalised word it maps nowhere ("España"), not its first word (capitalised
    whatever it is), a function word nor a word the lexicon knows."""
    countries = country_names_english()
    mapped = [w for w in gloss.values() if w in countries]  # "frança" -> "France": the country gloss first
    mapped += [w for w in gloss.values() if w[:1].isupper() and not place_adjective(w) and w not in mapped]
    if mapped:
        return mapped[0]
    if language in CAPITALISES_NOUNS:
        return None  # every German noun has a capital: an unglossed one is no name
    function_words = function_words_of(language)
    found = re.findall(r"[^\W\d_][\w'’-]*", text)[1:]  # the first word is capitalised whatever it is
    names = [
        w
        for w in found
        if w[:1].isupper()
        and len(w) >= 4
        and w not in gloss
        and w.lower() not in function_words
        and concept_of(w, language) is None  # "Erklärung": the statement itself
    ]
    return names[0] if names else None


def analyse(
    text: str,
    standalone: str | None = None,
    *,
    followup: bool = False,
    document: str | None = None,
    translation: str | None = None,
    gloss: Mapping[str, str] | None = None,
    language: str | None = None,
    topic: str | None = None,
    said_before: str | None = None,
) -> Question:
    """The typed analysis of a question (`standalone` is it resolved against the conversation; `language` the
    conversation's when the question is too short to tell, else detected; `topic` the standalone question without
    the words naming its document)."""
    resolved = without_instructions(standalone or text)
    language = language or detect_language(text)
    kind = kind_of(resolved, language)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", resolved.strip()) if s]
    if not any(ch.isalnum() for ch in resolved) or all(INSTRUCTION_CUES.search(s) for s in sentences):
        kind = Kind.COMMAND  # nothing is asked (markup alone), or only to do something else
    glossed = dict(gloss or {})
    english_words = " ".join(glossed.values())
    asks_person = expects_of(resolved, Kind.FACT) is Expects.PERSON
    named_foreign = _named_foreign(resolved, glossed, language) if language != "en" else None
    if kind is Kind.COUNT and expects_of(resolved, Kind.FACT) is Expects.AMOUNT:
        kind = Kind.FACT  # "Combien d'argent ...?": an amount, not a count of the document's items
    if language != "en" and not asks_person:
        # not "Italy's prime minister's name"
        kind = _foreign_kind(kind, set(glossed.values()), named_foreign, resolved)
    if followup and language != "en" and kind in (Kind.FACT, Kind.LIST, Kind.AUTHORS):
        own = country_gloss(words(text), language)
        if own and _asks_who_is_in(resolved, language):  # "og norge da?" after "Hvem står bak erklæringen?"
            kind, named_foreign = Kind.YES_NO, next(iter(own.values()))
    listed = [n for n in plural_nouns(english_words) if n in LISTED_CONCEPTS] or _LIST_NOUNS.search(resolved)
    third_countries = ordinal_of(resolved, language) == 3 and "countries" in glossed.values()
    if kind is Kind.ORDINAL and language != "en" and len(words(resolved)) > 5 and (not listed or third_countries):
        kind = Kind.FACT  # "kolmansille maille", "третіми країнами": "third countries", not the third of a list
    if kind is Kind.ORDINAL and asks_person:
        kind = Kind.FACT  # "Który premier przewodniczył?" asks for a person (the Polish premier is no "premier")
    list_noun = counted_noun(resolved) if kind is Kind.COUNT else ordinal_noun(resolved)
    if language != "en" and kind is Kind.COUNT:
        list_noun = counted_foreign(resolved, glossed, language)
    elif language != "en" and kind is Kind.ORDINAL:
        list_noun = next((n for n in plural_nouns(english_words) if n in LISTED_CONCEPTS), None)
    elif kind is Kind.ORDINAL and list_noun is None and language == "en":
        list_noun = next(iter(asked_nouns(resolved)), None)  # "Which theme is listed last?"
    # not "Ko paziņojums saka par ģimenes atkalapvienošanu?": what it says about something, whatever e5 read in it
    if language != "en" and kind in (Kind.FACT, Kind.LIST) and list_noun is None and not TOPIC_FOREIGN.search(resolved):
        asked_list = listed_asked(resolved, glossed, language)
        if asked_list is not None:  # "Welke landen worden genoemd?" asks for the list of countries
            kind, list_noun = Kind.LIST, asked_list
    # an English follow-up carrying the last turn's words in brackets asks for the type its own words ask for (in
    # another language, whose question words are known less fully, the words carried along may tell it: "Cum se
    # numește?" after "Ce oficial european a participat?")
    own_words = text.strip()
    expects = expects_of(resolved, kind)
    if followup and language == "en" and resolved.startswith(own_words):
        expects = expects_of(own_words, kind)
    subject = membership_subject(resolved) if kind is Kind.YES_NO else None
    if language != "en" and subject is None:
        subject = named_foreign
    topic = without_instructions(topic) if topic else resolved
    rewritten = reworded(topic, glossed) if language == "en" else None
    if rewritten is None and topic != resolved:
        rewritten = topic  # without the words naming its document
    return Question(
        text=text,
        standalone=resolved,
        language=language,
        kind=kind,
        expects=expects,
        focus=focus_terms(rewritten or f"{resolved} {english_words.lower()}"),
        names=names_in(resolved) if language == "en" else [],
        ordinal=ordinal_of(resolved, language) if kind is Kind.ORDINAL else None,
        list_noun=list_noun,
        asked=asked_nouns(resolved) if language == "en" else [],
        subject=subject,
        document=document,
        followup=followup,
        said_before=said_before if followup else None,
        translation=translation,
        reworded=rewritten,
        gloss=glossed,
    )


# --- which document a question names ---------------------------------------------------------------------------

_DOCUMENT_NOUNS = frozenset(
    "statement declaration notice note page report release article briefing memo letter paper communique "
    "communiqué press".split()
)


def document_keys(document_id: str, title: str, kind: str | None) -> frozenset[str]:
    """The words a person may call a document by: its file name's, its title's and its kind's."""
    text = f"{document_id.replace('-', ' ').replace('_', ' ')} {title} {kind or ''}"
    return frozenset(w.lower() for w in words(text))


def named_documents(question: str, keys: Mapping[str, frozenset[str]]) -> list[str]:
    """The ids of the documents a question names ("the council notice", "the statement and the field note").

    `keys` maps each document id to its `document_keys`. A document is named by a document noun ("notice",
    "statement") that only its keys hold."""
    if len(keys) < 2:
        return []
    named = []
    for noun in dict.fromkeys(w.lower() for w in words(question)):
        if noun in _DOCUMENT_NOUNS:
            holders = [doc_id for doc_id, k in keys.items() if noun in k]
            if len(holders) == 1:
                named.append(holders[0])
    return list(dict.fromkeys(named))


def without_document_names(question: str, keys: Mapping[str, frozenset[str]], named: Sequence[str]) -> str:
    """The question without the words that name its documents ("What does the council notice say about smugglers?"
    -> "What does say about smugglers?"): they choose the document, they are not what is asked about, and they would
    pull the question towards the passages that name the council rather than the one on smuggling."""
    names = frozenset().union(*(keys[d] for d in named if d in keys))
    if not names:
        return question
    tokens = re.split(r"(\s+)", question)
    drop = set()
    for i, token in enumerate(tokens):
        if token.lower().strip("?.,!;:'’") in _DOCUMENT_NOUNS and token.lower().strip("?.,!;:'’") in names:
            drop.add(i)
            j = i - 2
            while j >= 0 and tokens[j].lower().strip("'’") in names | {"the", "this", "that", "its", "joint", "eu's"}:
                drop.add(j)
                j -= 2
            k = i + 2  # "the press release": both nouns
            while k < len(tokens) and tokens[k].lower().strip("?.,!;:'’") in _DOCUMENT_NOUNS & names:
                drop.add(k)
                k += 2
    kept = [t for i, t in enumerate(tokens) if i not in drop]
    return re.sub(r"\s{2,}", " ", "".join(kept)).strip()


# --- sloppy writing ----------------------------------------------------------------------------------------------

_CHAT_WORDS = {
    "abt": "about", "r": "are", "u": "you", "ur": "your", "w/": "with", "pls": "please", "plz": "please",
    "wat": "what", "wht": "what", "thx": "thanks", "b4": "before", "govt": "government", "govts": "governments",
    "info": "information", "re": "about",
}  # fmt: skip


def _edits_within(a: str, b: str, limit: int) -> bool:
    """Whether a and b are at most `limit` edits apart (insert, delete, substitute, swap of neighbours)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(ch in letters for ch in short)


def _common(word: str) -> bool:
    """A word common enough to be one token of cl100k_base: a real word, not a typo, even if the corpus lacks it."""
    return count_tokens(" " + word) == 1


# "france in it?", "spain signed?", "is the UK one of them": whether a country is among those behind the document
_SLOPPY_MEMBERSHIP = re.compile(
    r"^\W*(?:and\s+|so\s+|what about\s+|how about\s+|is\s+|was\s+|did\s+)?(?P<name>[^\W\d_][\w .'’-]{1,40}?)\s+"
    r"(?:in it|in there|there|too|as well|included|signed(?: it| up| too)?|sign(?: it)?|on the list|among them|"
    r"part of it|a signatory|one of them|in|involved)\W*$",
    re.IGNORECASE,
)


def membership_spelled_out(text: str) -> str | None:
    """A terse English question whether a country is among the signatories, spelled out ("france in it?" -> "Is
    France among the signatories?"); None for any other question."""
    match = _SLOPPY_MEMBERSHIP.match(text)
    if match is None:
        return None
    name = re.sub(r"^the\s+", "", match.group("name").strip(), flags=re.IGNORECASE).lower()
    country = english_country(name)
    return f"Is {country} among the signatories?" if country else None


def respell(text: str, vocabulary: frozenset[str], acronyms: Mapping[str, str]) -> str:
    """An English question with chat shorthand spelled out, acronyms of the documents' names expanded ("echr" ->
    "European Convention on Human Rights") and typos of the documents' words corrected ("agencys" -> "agencies")."""
    known = vocabulary | ENGLISH_STOPWORDS | _QUESTION_OPENERS
    out = []
    for token in re.split(r"(\s+)", text):
        word = token.strip("?!.,;:")
        lower = word.lower()
        if not word or token.isspace():
            out.append(token)
            continue
        replacement = _CHAT_WORDS.get(lower) or acronyms.get(lower)
        if replacement is None and lower not in known and word.isalpha() and len(word) >= 4 and not _common(lower):
            limit = 1 if len(word) <= 5 else 2
            close = sorted(w for w in known if len(w) >= 3 and w[0] == lower[0] and _edits_within(lower, w, limit))
            # the likeliest slip is a missing letter ("mentiond" -> "mentioned"), then the nearest length
            replacement = (
                min(close, key=lambda w: (not _subsequence(lower, w), abs(len(w) - len(lower)), w)) if close else None
            )
        out.append(token.replace(word, replacement) if replacement else token)
    return "".join(out)
