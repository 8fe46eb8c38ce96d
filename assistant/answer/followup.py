"""Follow-ups: a question that leans on the previous turn, rewritten to stand alone.

Resolved against the previous question and answer, by kind of follow-up rather than by gluing texts:
- ordinal continuation ("and the next one?", "und das dritte?"): the previous list question with the new position;
- ellipsis with a new subject ("and the UK?", "what about smugglers?"): the previous question with it swapped in;
- a bare question word ("why?", "when?", "how many?"): the previous question asked that way;
- pronouns ("who supports them?"): the question, with what the previous turn was about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.lexicon import concept_of, english_country
from assistant.answer.question import (
    BODY_CUE,
    LISTED_CONCEPTS,
    NEXT_RE,
    ORDINAL_WORDS,
    asked_nouns,
    counted_noun,
    detect_language,
    focus_terms,
    names_in,
    ordinal_noun,
    ordinal_of,
)
from assistant.text import ENGLISH_STOPWORDS, content_stems, words

History = list[tuple[str, str]]
SHORT_WORDS = 3  # a question this short may be too short to tell its language
FOREIGN_FOLLOWUP_WORDS = 8  # a question in another language this short is read with the previous one

_ELLIPSIS = re.compile(
    r"^\s*(?:and|but|also|so|ok(?:ay)?|then|und|et|e|y|i|en|og|och|ja|a|és|și|ve)?[\s,]*"
    r"(?:(?:what|how)\s+about|what of|and|und|et|y|e)\s+(?!(?:what|which|who|where|when|why|how|is|are|does|do|did|"
    r"was|were|can|will)\b)(?P<topic>.+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_BARE_WH = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+)?(?P<wh>why|when|where|who|how many|how much|how|which|what)"
    r"(?:\s+(?:exactly|then|so|not|is that|was that|is it|was it|are they))?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_LEADING_WH = re.compile(
    r"^\s*(?:which|what|where|when|who|whom|how many|how much|how|why|is|are|was|were|does|do|did)\b\s*", re.I
)
_PRONOUN = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|there|he|she|him|her|ones|the same|above|previous|"
    r"earlier|mentioned|else|others?|es|sie|ihnen|dies|das|ils|elles|cela|ça|ellos|esto|loro|questo|oni|to|ich|ze|dat|deze|"
    r"det|dem|de|den)\b",
    re.IGNORECASE,
)
_SHORT = re.compile(r"^\W*(?:\S+\s+){0,4}\S+\W*$")
_BEFORE = re.compile(r"\b(?:before|previous|preceding|prior)\b", re.IGNORECASE)
_QUOTED = re.compile(r"[“\"]([^”\"]{3,200})[”\"]")  # curly, or straight as people type them
_HOW_MANY_BARE = re.compile(
    r"^\W*(?:and\s+)?how many(?:\s+(?:are there|is that|in total|altogether|of them|total))*\W*$", re.I
)
_WHAT_ARE_THEY = re.compile(
    r"^\W*(?:and\s+|so\s+|ok(?:ay)?,?\s+)?(?:(?:what|which) (?:are|were) (?:they|those|these|them)|"
    r"which ones?(?: (?:are|were) (?:they|those|these|named|listed|mentioned))?|"
    r"(?:list|name) (?:them|those|these)(?: all)?|"
    r"what are (?:they|those|these) called)\W*$",
    re.I,
)
_STANDALONE_START = re.compile(
    r"^\W*(?:what|which|who|whom|whose|where|when|why|how|is|are|was|were|does|do|did|can|could|will|would|has|have|"
    r"list|name|give|tell|summar)\b",
    re.IGNORECASE,
)
# Nouns of the things documents list: what a follow-up's "they" or "how many" most likely goes along
LISTED_NOUN_STEMS = content_stems(
    "themes points items priorities commitments steps areas pillars sections paragraphs countries nations states "
    "leaders signatories agencies organisations organizations bodies conventions treaties laws partners"
)
_CONTINUATION = re.compile(r"^\s*(?:and|but|also|so|then|what else|anything else|more|und|et|y|e|i|en|og|och)\b", re.I)


# "what else did they underline?", "anything more?", "any other measures?": not what the last answer already quoted
_MORE = re.compile(
    r"\bwhat else\b|\banything else\b|\bany (?:other|more)\b|\bwhat other\b|\bwhich other\b|\bbesides\b|"
    r"\bapart from (?:that|this|those|these|it)\b|^\W*(?:and\s+)?(?:anything\s+)?more\W*$|\bwas noch\b|"
    r"\bquoi d'autre\b|\bqu[ée] m[áa]s\b|\bcos'altro\b|\bco jeszcze\b|\bwat nog meer\b|\bhvad (?:mere|ellers)\b|"
    r"\bvad mer\b",
    re.IGNORECASE,
)


def said_before(question: str, history: Sequence[tuple[str, str]]) -> str | None:
    """The last answer, when a follow-up asks for something besides it ("what else did they underline?"): its
    quotes are what the asker has already been given."""
    return history[-1][1] if history and _MORE.search(question) else None


def _content(question: str) -> list[str]:
    return focus_terms(question)


# "that earliest-opportunity one": an item of the list the conversation is on, named by the asker's words for it
_THAT_NAMED_ONE = (
    r"\b(?:that|this)\s+(?!(?:the|a|only|same|other|last|first|next|one)\b)(?P<what>[\w-]+(?:\s+[\w-]+)?)\s+one\b"
)
# "... matter for that?", "shared rules for that, or ...?", "does that part ...", "about these": pointing back at what
# was just said, however long
_POINTING_BACK = re.compile(
    r"\b(?:for|about|on|with|behind|against|from|to|in)\s+(?:that|this|those|these|them|it)\s*(?:[?.!]*\s*$|,)|"
    r"\b(?:that|this|the same)\s+(?:part|point|theme|section|item|bullet|passage|sentence|commitment|step|idea|"
    r"measure|approach)\b|"
    rf"{_THAT_NAMED_ONE}",  # "on that earliest-opportunity one"
    re.IGNORECASE,
)
_THAT_ONE = re.compile(_THAT_NAMED_ONE, re.IGNORECASE)


def leans_on_history(question: str) -> bool:
    """Whether a question needs the previous turn to be understood."""
    content = _content(question)
    if _BARE_WH.match(question) or _ELLIPSIS.match(question) or _POINTING_BACK.search(question):
        return True
    if (NEXT_RE.search(question) or ordinal_of(question) is not None) and len(content) <= 3:
        return True
    if (_PRONOUN.search(question) and len(content) <= 3) or len(content) <= 1:
        return True
    if len(content) <= 2 and not _STANDALONE_START.match(question):
        return True  # "using what tools?"
    return (bool(_CONTINUATION.match(question)) and len(content) <= 3) or len(words(question)) <= 2


def _list_noun(question: str) -> str | None:
    """What a question counts or lists along: a noun of the kind documents list ("signatories", "themes") first,
    else the noun after its ordinal or 'how many', else its last plural word."""
    plurals = [w for w in reversed(focus_terms(question)) if w.endswith("s") and len(w) > 3]
    named = (ordinal_noun(question), counted_noun(question), *asked_nouns(question), *plurals)
    candidates = [n for n in named if n]
    listed = next((n for n in [*candidates, *focus_terms(question)] if content_stems(n) & LISTED_NOUN_STEMS), None)
    return listed or (candidates[0] if candidates else None)


def _conversation_noun(history: History) -> str | None:
    """The list the conversation is going along: the latest question that names one ("What is the first theme?"
    before "And the second?")."""
    return next((n for q, _ in reversed(history) if (n := _list_noun(q.strip()))), None)


def _own_list_noun(question: str) -> str | None:
    """The part of the document a follow-up names after its ordinal ("the last point", "im letzten Punkt"), in
    English."""
    own = ordinal_noun(question)
    if not own:
        return None
    if content_stems(own) & LISTED_NOUN_STEMS:
        return own
    concept = concept_of(own, detect_language(question))
    return concept if concept in ("themes", "points") else None


def _ordinal_followup(question: str, previous: str, noun: str | None = None) -> str | None:
    position = ordinal_of(question)
    before = ordinal_of(previous)
    if position is None and NEXT_RE.search(question):
        position = (before + 1) if before and before > 0 else 2
    if position is None and _BEFORE.search(question) and before and before > 1:
        position = before - 1
    if position is None:
        return None
    noun = _list_noun(previous) or noun
    word = "last" if position == -1 else ORDINAL_WORDS[position] if position < len(ORDINAL_WORDS) else str(position)
    own = _own_list_noun(question)
    if own and BODY_CUE.search(question):  # "and what does the last point say about that?": what that part says
        return f"What does the {word} {_singular(own)} say?"
    if noun:
        return f"What is the {word} {_singular(noun)}?"
    return f"What is the {word} one? ({previous})"


# A question about who is behind the document or which countries are in it: "and Norway?" asks whether it is too
_WHO_IS_IN = re.compile(
    r"\bwho\b|\b(?:which|what) countries\b|\bsignator\w*|\bsign(?:ed|ers)\b|\bbehind (?:it|this|the)\b|"
    r"\btook part\b|\bparticipat\w*",
    re.IGNORECASE,
)


def _swap_subject(topic: str, previous: str) -> str:
    """The previous question about `topic` instead: whether a country is among them after a question about who is
    in it ("and norway?" after "Who signed?"), else swap a capitalised subject, else ask about the topic."""
    topic = topic.strip()
    country = english_country(topic.lower().removeprefix("the "))
    if country and _WHO_IS_IN.search(previous):
        return f"Is {country} among the signatories?"
    if topic[:1].isupper() or (topic.lower().startswith("the ") and topic[4:5].isupper()):
        names = [n for n in names_in(previous) if n.lower() != topic.lower()]
        if names:
            return previous.replace(names[0], topic, 1)
    return f"What does the statement say about {topic}?"


def _ask_as(wh: str, previous: str) -> str:
    """The previous question asked with another question word: 'Which agencies ...?' + 'how many' -> 'How many
    agencies ...?'."""
    # "Does it say anything about X?" + "how?" -> "How does it say anything about X?"
    if wh in ("how", "why") and _AUXILIARY.match(previous):
        return f"{wh[0].upper()}{wh[1:]} {previous.strip()[0].lower()}{previous.strip()[1:]}"
    rest = _LEADING_WH.sub("", previous, count=1)
    return f"{wh[0].upper()}{wh[1:]} {rest}" if rest != previous else f"{wh[0].upper()}{wh[1:]}: {previous}"


_AUXILIARY = re.compile(r"^\s*(?:is|are|was|were|does|do|did|will|would|can|could|should|has|have)\b", re.I)


# Lexicon concepts that make a short question in another language stand alone: what a document lists (a topic word
# such as "partnerships" may just as well continue the previous question)
_STANDALONE_CONCEPTS = LISTED_CONCEPTS | {"title"}


def names_its_topic(question: str) -> bool:
    """Whether a question in another language names what it is about: a name after its first word ("Wetter in
    Berlin?") or a word of the lexicon ("Które kraje podpisały deklarację?"), so it stands alone however short."""
    language = detect_language(question)
    found = words(question)
    if any(w[:1].isupper() for w in found[1:]):
        return True
    return any(
        concept_of(w, language) in _STANDALONE_CONCEPTS or (concept_of(w, language) or "")[:1].isupper() for w in found
    )


def conversation_language(question: str, history: History) -> str:
    """The language to answer in: the question's, or, when it is too short to tell ("Et le suivant ?", "und?"), the
    language the conversation was in."""
    language = detect_language(question)
    said = [w.lower() for w in words(question)]
    if language != "en" or not history or len(said) > SHORT_WORDS or any(w in ENGLISH_STOPWORDS for w in said):
        return language
    return detect_language(history[-1][0])


def standalone_question(question: str, history: History) -> tuple[str, bool]:
    """The question rewritten to stand alone against the last turn, and whether it was rewritten."""
    if not history:
        return question, False
    if conversation_language(question, history) != "en":  # "og norge da?": too short to tell, the conversation's
        # the cues above are English; a short question in another language carries the previous one along
        # (its ordinal words are known in many languages)
        ordinal = _ordinal_followup(question, history[-1][0].strip()) if _SHORT.match(question) else None
        if ordinal is not None:
            return ordinal, True
        if len(words(question)) <= FOREIGN_FOLLOWUP_WORDS and not names_its_topic(question):
            return f"{question.strip()} ({history[-1][0].strip()})", True
        return question, False
    if not leans_on_history(question):
        return question, False
    previous, answer = history[-1]
    previous = previous.strip()
    ordinal = _ordinal_followup(question, previous, _conversation_noun(history))
    if ordinal is not None:
        return ordinal, True
    noun = _list_noun(previous) or _conversation_noun(history)
    that_one = _THAT_ONE.search(question)
    if that_one and noun and content_stems(noun) & LISTED_NOUN_STEMS:
        named = f"the {that_one.group('what')} {_singular(noun)}"
        return f"{question[: that_one.start()]}{named}{question[that_one.end() :]}", True
    if _HOW_MANY_BARE.match(question) and noun:
        return f"How many {_plural(noun)} are there?", True
    them = _WHAT_ARE_THEY.match(question)
    if them:  # "what are they?" after "... along five key themes": the things the answer (or question) counted
        plural = [w for w in focus_terms(_QUOTED.sub(" ", answer)) if w.endswith("s") and len(w) > 3]
        listed = [w for w in plural if content_stems(w) & LISTED_NOUN_STEMS]
        things = listed or plural or ([noun] if noun else [])
        if things:
            thing = things[-1]
            return f"What are the {_plural(thing)}?", True
    bare = _BARE_WH.match(question)
    if bare:
        return _ask_as(bare.group("wh").lower(), previous), True
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and len(_content(ellipsis.group("topic"))) <= 4:
        return _swap_subject(ellipsis.group("topic"), previous), True
    quoted = _QUOTED.search(answer)
    if quoted and noun and ordinal_of(previous) is not None:  # "what does it say?" after "the last theme is “X”"
        return f"{question.strip()} (the {_singular(noun)} “{quoted.group(1)}”)", True
    about = _SAID_ABOUT.search(previous)
    if quoted and about and len(quoted.group(1).split()) > QUOTED_REFERENT_WORDS and not _MEANING.search(question):
        # "... on that?" after "What do they say about returns?": returns, not the whole passage quoted on them
        return f"{question.strip()} ({about.group('topic').strip()})", True
    if quoted:
        return f"{question.strip()} (“{quoted.group(1)}”)", True
    said = _first_sentence(answer)
    # "Solutions to keep up with what?" after "... the need for innovative solutions": a word of the answer, not of
    # the question before it, is picked up
    picked_up = said is not None and bool(
        content_stems(question) & content_stems(said) - content_stems(previous) - _GENERIC_FOLLOWUP_STEMS
    )
    if said and (ordinal_of(previous) is not None or _MEANING.search(question) or picked_up):
        # "why?" after "the fifth theme is: Put innovation at the heart ..."; "what does that mean in practice?"
        return f"{question.strip()} (“{said}”)", True
    context = focus_terms(previous) + [n for n in names_in(answer) if len(n) > 2][:4]
    if not context:
        return question, False
    return f"{question.strip()} ({', '.join(dict.fromkeys(context))})", True


QUOTED_REFERENT_WORDS = 12  # a quote this short is what "that" points back to; a longer one, the topic asked about
# "What do they say about returns?": the topic a follow-up's "that" points back to
_SAID_ABOUT = re.compile(
    r"\b(?:say|says|said|write|writes|think|thinks)\s+(?:about|on|regarding)\s+(?P<topic>[^?.!]{2,60})", re.IGNORECASE
)
# "what does that mean (in practice)?", "can you explain that?", "how so?": about what the last answer said
_MEANING = re.compile(
    r"\b(?:what does|what do|what would)\s+(?:that|this|it|those|these)\s+(?:mean|involve|look like|entail)\b|"
    r"\bexplain (?:that|this|it)\b|\belaborate\b|\bin practice\b|\bconcretely\b|^\W*how so\W*$",
    re.IGNORECASE,
)
_GENERIC_FOLLOWUP_STEMS = content_stems("statement document text say says leaders countries")
REFERENT_WORDS = 25  # the longest answer sentence a follow-up is resolved against


_VERDICT = re.compile(r"^\s*(?:yes|no)\b[:,.]?\s*", re.IGNORECASE)


def _first_sentence(answer: str) -> str | None:
    """The first sentence of a previous answer without its citation markers (its heading or opening words when
    long): what a follow-up points at."""
    first = re.split(r"(?<=[.!?])\s+", re.sub(r"\s*\[\d+\]", "", answer).strip())[0].rstrip(".")
    first = _VERDICT.sub("", first)  # "Yes: supporting the work ...": what was said, not the verdict on it
    if len(words(first)) > REFERENT_WORDS:  # a long one: its heading, or its opening words
        head = first.split(":")[0]
        first = head if len(words(head)) <= REFERENT_WORDS else " ".join(first.split()[:REFERENT_WORDS])
    return first or None


def _singular(noun: str) -> str:
    """'countries' -> 'country', 'themes' -> 'theme' (a noun already singular stays)."""
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _plural(noun: str) -> str:
    """'theme' -> 'themes', 'agency' -> 'agencies' (a noun already plural stays)."""
    if noun.endswith("s"):
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
