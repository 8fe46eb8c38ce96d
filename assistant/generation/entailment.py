"""Does the quote say what the claim says? Checked after the similarity checks of support.py, on the claims they pass.

Similarity accepts a claim whose topic is in the quote but whose detail is not (a role nobody in the statement has, a
name or date it never gives). Two checks catch that:

1. `unstated_specifics` (code): every number, capitalised name, acronym and month the claim states must be in the
   quote; `unfinished` (code): an English claim must not break off before its detail ("... was held on");
   `detail_missing` (code): a claim answering "when / who / how much" must cite a quote that holds a date, a
   person, an amount (the question's expected answer type).
2. `ModelJudge` (the chat model): "Does the quote say everything the claim says, with nothing added?", its reply held
   to `yes` or `no` by a llama.cpp grammar (a remote model is only asked, and anything but a yes counts as no). The
   prompt is short and starts the same way every time, so llama.cpp reuses its evaluated prefix within an answer.

The prompt wording was chosen on evals/entailment_pairs.jsonl (60 hand-written pairs), where both packaged models'
yes-minus-no logit margin is best split at about 0, so no bias is applied (bench/entailment_bench.py measures it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from assistant.answer.question import Expects, Question
from assistant.answer.refusals import expected_match
from assistant.deadline import Deadline, DeadlineReached
from assistant.generation.passages import Passage
from assistant.generation.support import claimed_numbers
from assistant.text import ENGLISH_STOPWORDS, NUMBER_WORDS

log = logging.getLogger(__name__)

YES_NO_GRAMMAR = 'root ::= "yes" | "no"'
JUDGE_MAX_TOKENS = 2  # "yes" and "no" are one token each in Qwen2.5's vocabulary; the grammar then ends the reply
JUDGE_SYSTEM = (
    "You check claims against a quote. Reply yes if the quote states everything the claim says, no if the claim adds "
    "anything the quote does not say (a name, role, date, number, place or event) or contradicts it."
)
JUDGE_USER = (
    'Quote: "{quote}"\n\nClaim: "{claim}"\n\nDoes the quote say everything the claim says, with nothing added? '
    "Answer yes or no."
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"“„«(]\s*)$")
_POSSESSIVE = re.compile(r"['’]s?$")
_CAPITALISES_NOUNS = frozenset({"de", "lb"})  # German capitalises every noun: a capital says nothing there
_ANSWER_WORDS = frozenset({"yes", "no", "not"})  # "Yes, the statement ..." begins with no name
# Words a finished English sentence does not end on: a claim ending "... will come into force on" stops short of the
# detail it was about to give (the grammar lets the model close a claim anywhere)
_DANGLING = frozenset(
    """a an the of on in at by to for from with into onto about as than that which who whose whom and or but nor is
    are was were be been being will would shall should can could may might must has have had do does did its their
    our his her my your such including like between during until before after since via per""".split()
)
_ENGLISH_MONTHS = "January February March April May June July August September October November December".split()


# --- the deterministic pre-check ---------------------------------------------------------------------------------


def unstated_specifics(
    claim: str,
    quote: str,
    *,
    language: str = "en",
    counts: Iterable[int] = (),
    common: frozenset[str] = frozenset(),
) -> list[str]:
    """The numbers, names, acronyms and months the claim states and the quote does not (empty: none).

    `quote` is what the claim cites (its sentences, with their document's title and headings); `counts` are list sizes
    code found in them (a claim may state a count); `common`: lower-case words the corpus uses in lower case, so a
    capitalised first word that is one of them ("Leaders ...") is not taken for a name. In a language other than
    English only numbers and months are checked: names are spelled otherwise there ("Kopenhagen"), and German
    capitalises every noun."""
    english = language == "en"
    missing: list[str] = []
    known = claimed_numbers(quote, True) | set(counts)
    missing += [str(n) for n in sorted(claimed_numbers(claim, english) - known)]
    if english:
        missing += _unstated_names(claim, quote, common)
    else:
        missing += _unstated_months(claim, quote, language)
    return list(dict.fromkeys(missing))


def _unstated_names(claim: str, quote: str, common: frozenset[str]) -> list[str]:
    quote_words = {_POSSESSIVE.sub("", w).lower() for w in _WORD.findall(quote)}
    acronyms = _acronyms_of(quote)
    missing = []
    for match in _WORD.finditer(claim):
        word = _POSSESSIVE.sub("", match.group(0))
        if len(word) < 2 or not word[0].isupper():
            continue
        lower = word.lower()
        if word.isupper():  # an acronym: as written, or the initials of a name in the quote ("ECHR")
            if lower in quote_words or word.rstrip("s") in acronyms or word in acronyms:
                continue
            missing.append(word)
            continue
        if lower in ENGLISH_STOPWORDS or lower in NUMBER_WORDS or lower in _ANSWER_WORDS:
            continue
        if _SENTENCE_START.search(claim[: match.start()]) and lower in common:
            continue  # "Leaders agreed ...": a sentence's first word, and one the corpus writes in lower case
        if lower in quote_words or _shares_stem(lower, quote_words):
            continue
        missing.append(word)
    return missing


def _acronyms_of(text: str) -> set[str]:
    """Initials of each run of capitalised words ("European Convention on Human Rights" -> ECHR, and its parts)."""
    found: set[str] = set()
    for run in re.finditer(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|on|for|the|and)\s+)?[A-Z][\w'’-]*)+", text):
        initials = "".join(w[0] for w in run.group(0).split() if w[:1].isupper())
        found |= {initials[i:j] for i in range(len(initials)) for j in range(i + 2, len(initials) + 1)}
    return found


_SUFFIXES = ("s", "es", "n", "an", "ian", "ean", "ese", "ish")  # plurals and adjectives of place


def _shares_stem(word: str, vocabulary: set[str]) -> bool:
    """ "European" ~ "Europe", "Conventions" ~ "Convention"; not "Presidency" ~ "President", "Danish" ~ "Denmark"."""
    return any(
        len(short) >= 4 and long.startswith(short) and long[len(short) :] in _SUFFIXES
        for v in vocabulary
        for short, long in ((v, word), (word, v))
    )


@lru_cache(maxsize=64)
def _months(language: str) -> dict[str, int]:
    """A language's month names (wide, in running text and stand-alone) -> month number; {} when babel has none."""
    from babel.core import UnknownLocaleError
    from babel.dates import get_month_names

    try:
        forms = [get_month_names("wide", context, language) for context in ("format", "stand-alone")]
    except (UnknownLocaleError, ValueError):
        return {}
    return {name.lower(): number for names in forms for number, name in names.items()}


def _unstated_months(claim: str, quote: str, language: str) -> list[str]:
    months = _months(language)
    quoted = {w.lower() for w in _WORD.findall(quote)}
    return [
        word
        for word in _WORD.findall(claim)
        if (number := months.get(word.lower())) and _ENGLISH_MONTHS[number - 1].lower() not in quoted
    ]


def unfinished(claim: str, language: str = "en") -> str | None:
    """The word an English claim breaks off on ("... was held on", "The President is"), else None."""
    if language != "en":
        return None
    text = claim.strip()
    if text.endswith((":", ",", ";", "-", "(")):
        return text[-1]
    found = re.findall(r"[\w'’-]+", text)  # numbers too: "... for 2026-2027." ends on a number
    return found[-1] if found and found[-1].lower() in _DANGLING else None


def detail_missing(question: Question, quote: str) -> Expects | None:
    """The detail a "when / who / how much" question asks for, when the quote holds none of it (else None)."""
    if question.expects is None:
        return None
    asked = question.translation or question.standalone
    return question.expects if expected_match(question.expects, quote, asked) is None else None


def judged_text(passages: Sequence[Passage]) -> str:
    """The cited sentences as the checks read them, each list's size worked out in code beside it."""
    parts = []
    for p in passages:
        sizes = "".join(f" (This lists {n} items.)" for n in sorted(p.counts))
        parts.append(f"{p.prose}{sizes}")
    return " ".join(parts)


def context_of(passages: Sequence[Passage]) -> str:
    """The cited sentences with their documents' titles and headings, where a claim's names may also come from."""
    headings = {h for p in passages for h in (p.chunk.title, *p.chunk.path)}
    return " ".join([judged_text(passages), *sorted(headings)])


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """The words a corpus writes in lower case (a capitalised first word that is one of them is not a name)."""
    return frozenset(w for text in texts for w in _WORD.findall(text) if w.islower())


# --- the model as judge --------------------------------------------------------------------------------------------


class ShortReplies(Protocol):
    """What the judge needs of a chat backend (both backends.py backends serve it)."""

    def replies(
        self, system: str, users: Sequence[str], grammar: str | None, max_tokens: int, deadline: Deadline | None = None
    ) -> list[str]:
        """One short reply per user message under one system prompt, in one turn of the model, leaving the warmed
        prompt's cache as it was. Fewer replies than messages when the deadline passed first."""
        ...


class EntailmentJudge(Protocol):
    name: str

    def entailed(self, pairs: Sequence[Pair], deadline: Deadline | None = None) -> list[bool | None]:
        """For each pair: True when its quote states everything its claim says; None when it was not judged
        (the deadline passed first)."""
        ...


@dataclass(frozen=True)
class Pair:
    claim: str
    quote: str


def judge_prompt(pair: Pair) -> str:
    return JUDGE_USER.format(quote=" ".join(pair.quote.split()), claim=" ".join(pair.claim.split()))


def read_verdict(reply: str) -> bool:
    """The grammar allows only "yes" or "no"; a remote model's reply is only asked to be one: all but a yes is a no."""
    return re.match(r"\W*yes\b", reply, re.IGNORECASE) is not None


class ModelJudge:
    """The answering model as a yes/no judge of (claim, quote) pairs, constrained by a grammar where it can be."""

    def __init__(self, backend: ShortReplies, name: str = "model") -> None:
        self.backend = backend
        self.name = name

    def entailed(self, pairs: Sequence[Pair], deadline: Deadline | None = None) -> list[bool | None]:
        if not pairs:
            return []
        prompts = [judge_prompt(p) for p in pairs]
        try:
            replies = self.backend.replies(JUDGE_SYSTEM, prompts, YES_NO_GRAMMAR, JUDGE_MAX_TOKENS, deadline)
        except DeadlineReached as reached:  # the model stayed busy: nothing judged, nothing of the model's shown
            log.info("no entailment verdicts: %s", reached)
            replies = []
        except Exception as exc:  # a remote model that is down: its claims go unjudged, the extractive answer stands
            log.warning("the entailment judge failed: %s", exc)
            replies = []
        verdicts: list[bool | None] = [read_verdict(r) for r in replies]
        return verdicts + [None] * (len(pairs) - len(verdicts))


__all__ = [
    "JUDGE_SYSTEM",
    "YES_NO_GRAMMAR",
    "EntailmentJudge",
    "ModelJudge",
    "Pair",
    "ShortReplies",
    "common_words",
    "context_of",
    "detail_missing",
    "judged_text",
    "unfinished",
    "unstated_specifics",
]
