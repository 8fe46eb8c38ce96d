"""Answers read off a document's outline: the title, the nth or last item, how many, is X among them, who is behind it.

Each function takes the analysed question, the outlines of the documents in play and a similarity function (to pick
the list a question is about), and returns a Draft or None when the outline does not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer import framing
from assistant.answer.base import Draft, Frame
from assistant.answer.lexicon import concept_of, english_country
from assistant.answer.outline import Enumeration, Outline, OutlineList
from assistant.answer.question import (
    AMONG_FOREIGN,
    BODY_CUE,
    ORDINAL_WORDS,
    PRESENT_FOREIGN,
    Kind,
    Question,
    plural_nouns,
    positions_of,
)
from assistant.answer.refusals import Refusal
from assistant.chunking import split_sentences
from assistant.models import Citation, Span, fold_whitespace
from assistant.text import NUMBER_WORDS, content_stems, number_in_words, words

Similarity = Callable[[str, str], float]
_LIST_WORDS = content_stems("main key list all statement document declaration name give five the its leaders what are")
_MEMBERSHIP_CUE = re.compile(
    r"\b(?:among|sign\w*|one of|part of|included|list|listed|in it|member|participat\w*|involved|present|join\w*|"
    r"endorse\w*|agree\w*|behind|leaders|countries|country)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sequence_:
    """A list or an enumeration, seen the same way: its items and what introduces it."""

    outline: Outline
    items: list[Span]
    bodies: list[Span]
    intro: Span | None
    noun: str | None
    description: str  # what the similarity function compares with the question


def _sequences(outlines: Sequence[Outline]) -> list[Sequence_]:
    found = []
    for outline in outlines:
        for lst in outline.lists:
            found.append(_of_list(outline, lst))
        for enumeration in outline.enumerations:
            found.append(_of_enumeration(outline, enumeration))
    return found


def _of_list(outline: Outline, lst: OutlineList) -> Sequence_:
    intro = fold_whitespace(lst.intro.text) if lst.intro else ""
    items = "; ".join(fold_whitespace(i.text) for i in lst.items[:3])
    return Sequence_(outline, lst.items, lst.bodies, lst.intro, lst.noun, f"{intro} {items}")


def _of_enumeration(outline: Outline, enumeration: Enumeration) -> Sequence_:
    return Sequence_(
        outline,
        enumeration.items,
        enumeration.items,
        enumeration.span,
        None,
        f"{enumeration.context} {fold_whitespace(enumeration.span.text)}",
    )


def _pick(question: Question, sequences: list[Sequence_], similarity: Similarity, noun: str | None) -> Sequence_ | None:
    """The list the question is about: one whose noun is the question's, else the most similar one."""
    if not sequences:
        return None
    asked = content_stems(noun) if noun else set()
    if asked:
        named = [s for s in sequences if s.noun and content_stems(s.noun) & asked]
        if named:
            return named[0]
    scored = sorted(sequences, key=lambda s: -similarity(question.standalone, s.description))
    return scored[0]


def _cite(marker: int, outline: Outline, span: Span) -> Citation:
    return Citation(
        marker=marker, quote=span.text, source=outline.document_id, title=outline.name, start=span.start, end=span.end
    )


def _singular(noun: str | None) -> str:
    if not noun:
        return "item"
    return noun[:-3] + "y" if noun.endswith("ies") else noun[:-1] if noun.endswith("s") else noun


def title_answer(outline: Outline) -> Draft | None:
    if outline.title is None:
        return None
    return Draft(
        f"The title is “{fold_whitespace(outline.title.text)}” [1].",
        False,
        [_cite(1, outline, outline.title)],
        frame=Frame(framing.TITLE),
    )


_NAMES_ASKED = re.compile(r"\b(?:country|countries|listed|leaders?|signator\w*|named)\b", re.IGNORECASE)


def ordinal_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'The third theme', 'the last one', 'which country is listed first'."""
    position = question.ordinal
    if position is None:
        return None
    sequences = _sequences(outlines)
    asked = content_stems(question.list_noun) if question.list_noun else set()
    named = [s for s in sequences if s.noun and content_stems(s.noun) & asked]
    if not named:  # a noun no list names: a class of names counts on enumerations, anything else on lists
        # "the third priority on the leaders' list" is a point of a list, whoever made it
        names_asked = _NAMES_ASKED.search(question.standalone)
        wanted_names = not asked & _STRUCTURAL_NOUNS and (bool(asked & _NAMED_CLASSES) or names_asked is not None)
        named = [s for s in sequences if (s.noun is None) == wanted_names] or sequences
    chosen = _pick(question, named, similarity, question.list_noun)
    if chosen is None:
        return None
    count = len(chosen.items)
    if position > count or position == 0:
        noun = chosen.noun or "items"
        cite = [_cite(1, chosen.outline, chosen.intro)] if chosen.intro else []
        marker = " [1]" if cite else ""
        return Draft(
            f"There is no such item: the list has only {number_in_words(count)} {noun}{marker}.",
            True,
            cite,
            reason=Refusal.OUT_OF_RANGE,
            frame=Frame(*framing.OUT_OF_RANGE, n=count),
        )
    index = count - 1 if position == -1 else position - 1
    item = chosen.items[index]
    word = _position_word(position)
    noun = _singular(chosen.noun)
    citations = [_cite(1, chosen.outline, item)]
    text = f"The {word} {noun} is “{fold_whitespace(item.text)}” [1]"
    body = chosen.bodies[index]
    detail = _detail(body, item) if (BODY_CUE.search(question.standalone) or BODY_CUE.search(question.text)) else None
    if detail is not None:
        citations.append(_cite(2, chosen.outline, detail))
        text += f": {fold_whitespace(detail.text)} [2]"
    frame = Frame(framing.LAST) if position == -1 else Frame(framing.ORDINAL, n=position)
    for other in positions_of(question.standalone, question.language)[1:]:  # "..., and which one last?"
        if other <= count and other != 0:
            other_item = chosen.items[count - 1 if other == -1 else other - 1]
            citations.append(_cite(len(citations) + 1, chosen.outline, other_item))
            text += f"; the {_position_word(other)} is “{fold_whitespace(other_item.text)}” [{len(citations)}]"
    return Draft(text + ".", False, citations, frame=frame)


def _position_word(position: int) -> str:
    """'last' for -1, else the English ordinal ('third'), or '#12' past the tenth."""
    return "last" if position == -1 else ORDINAL_WORDS[position] if position < len(ORDINAL_WORDS) else f"#{position}"


def _trim(text: str) -> tuple[int, str]:
    """(chars cut at the end, text without its leading ': ' and trailing spaces)."""
    stripped_end = text.rstrip()
    cut_end = len(text) - len(stripped_end)
    lead = len(stripped_end) - len(stripped_end.lstrip(" :;,\n\t"))
    return cut_end, stripped_end[lead:]


# What a counting question may count without naming a list's own noun: parts of a document's structure (counted
# on its lists) and classes of named things (counted on its enumerations of names). Anything else ("how many
# migrants") is a number the document would have to give.
_STRUCTURAL_NOUNS = content_stems(
    "themes points bullets items priorities commitments steps areas recommendations pillars sections actions goals "
    "objectives measures principles"
)
_NAMED_CLASSES = content_stems(
    "countries nations states governments leaders signatories members agencies organisations organizations bodies "
    "institutions conventions treaties laws instruments cities participants partners"
)


def count_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'How many themes / countries / agencies': the items counted, each cited."""
    nouns = [question.list_noun] if question.list_noun else plural_nouns(question.standalone)
    chosen = counted_sequence(question, nouns, outlines, similarity)
    return list_answer(chosen, counting=True) if chosen is not None else None


def counted_sequence(
    question: Question, nouns: Sequence[str], outlines: Sequence[Outline], similarity: Similarity
) -> Sequence_ | None:
    """The list or enumeration a question about `nouns` is about: a list whose noun is asked, else (for a structural
    noun) the list closest to the question, else (for a class of named things) the enumeration whose names fit the
    class best. None when no noun is one a document lists ("how many migrants" is a number it would have to give)."""
    sequences = _sequences(outlines)
    for noun in nouns:
        asked = content_stems(noun)
        named = next((s for s in sequences if s.noun and content_stems(s.noun) & asked), None)
        if named is not None:
            return named
    for noun in nouns:
        asked = content_stems(noun)
        if asked & _STRUCTURAL_NOUNS:
            lists = [s for s in sequences if s.noun is not None]
            if lists:
                return max(lists, key=lambda s: similarity(question.standalone, s.description))
        if asked & _PARTY_NOUNS:  # who is behind the document: its longest enumeration of names
            main = _main_enumeration(outlines)
            if main is not None:
                return _of_enumeration(*main)
        if asked & _NAMED_CLASSES:
            enumerations = [s for s in sequences if s.noun is None]
            if enumerations:
                best = max(enumerations, key=lambda s: _fit(noun, s, similarity))
                return None if _counted_elsewhere(question, noun, best) else best
    return None


# The words of counting and the light verbs any question may use ("put their names to", "take part"): no topic
_COUNTING_WORDS = content_stems(
    "many number count total altogether statement document declaration text put puts take takes took make makes made "
    "give gives gave get gets got set sets keep keeps go goes went come comes came which one ones name names named"
)


def _counted_elsewhere(question: Question, noun: str, sequence: Sequence_) -> bool:
    """Whether a count of named things is about something another passage says ("How many countries of origin will
    join the initiatives on education and jobs?"): the question holds words of the document that the sentence naming
    them does not. Then those names are not what is counted, and the document gives no number."""
    sentence = next((e.sentence for e in sequence.outline.enumerations if e.span == sequence.intro), None)
    if sentence is None or question.kind is not Kind.COUNT:
        return False
    if question.english:
        asked = set().union(*(content_stems(t) for t in question.focus)) if question.focus else set()
    else:  # the lexicon's checked words only, in the asker's own words (e5's glossary reads too freely for this)
        concepts = [concept_of(w, question.language) for w in words(question.text)]
        asked = content_stems(" ".join(c for c in concepts if c and c.islower()))
    others = asked - content_stems(noun) - content_stems(sentence.text) - _COUNTING_WORDS
    elsewhere = set().union(*(content_stems(p.text) for p in sequence.outline.paragraphs))
    return bool(others & elsewhere)


_PARTY_NOUNS = content_stems("signatories signers leaders participants parties")


def named_list_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'Welke landen worden genoemd?': the list or enumeration of the thing the question (in any language) names,
    when its analysis found that it asks for a listed thing and nothing else."""
    if question.list_noun is None:
        return None
    chosen = counted_sequence(question, [question.list_noun], outlines, similarity)
    return list_answer(chosen, counting=False) if chosen is not None else None


_STARTS_WITH = re.compile(
    r"\b(?:start|starts|starting|begin|begins|beginning|open|opens)\s+with\s+(?:(?:the|a|an)\s+)?"
    r"(?:(?P<unit>letter|word|name)\s+)?(?P<quote>['\"‘“]?)(?P<prefix>[^\W\d_][\w-]*)",
    re.IGNORECASE,
)


def initial_filter(text: str) -> tuple[str, bool] | None:
    """What a question filters a list by: ('B', True) for "start with the letter B", ('Take', False) for "begin
    with the word 'Take'"; None when it names no letter or word ("start with a verb")."""
    match = _STARTS_WITH.search(text)
    if match is None:
        return None
    prefix = match.group("prefix")
    if match.group("unit") == "letter" or len(prefix) == 1:
        return prefix[0], True
    if match.group("unit") in ("word", "name") or match.group("quote") or prefix[:1].isupper():
        return prefix, False
    return None


def _starts(item: str, prefix: str, letter: bool) -> bool:
    name = re.sub(r"^(?:the)\s+", "", item, flags=re.IGNORECASE)
    if letter:
        return name[:1].casefold() == prefix.casefold()
    first = re.split(r"[\s,:;]+", item.strip(), maxsplit=1)[0]
    return first.casefold() == prefix.casefold()


def filtered_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'How many of the countries start with B?', 'Which themes begin with the word "Take"?': the items of the list
    the question is about that start so, each cited, counted when it asks how many."""
    found = initial_filter(question.standalone)
    if found is None or question.kind not in (Kind.COUNT, Kind.LIST, Kind.FACT):
        return None
    prefix, letter = found
    nouns = [n for n in [question.list_noun, *plural_nouns(question.standalone), *question.focus] if n]
    chosen = counted_sequence(question, nouns, outlines, similarity)
    if chosen is None:
        return None
    counting = question.kind is Kind.COUNT
    kept = [item for item in chosen.items if _starts(fold_whitespace(item.text), prefix, letter)]
    if not kept:
        span = chosen.intro or chosen.items[0]
        total = number_in_words(len(chosen.items))
        return Draft(
            f"None: none of the {total} listed starts with “{prefix}” [1].",
            False,
            [_cite(1, chosen.outline, span)],
            frame=Frame(*framing.COUNT, n=0) if counting else Frame(framing.QUOTE),
        )
    citations = [_cite(n, chosen.outline, item) for n, item in enumerate(kept, start=1)]
    names = [f"{fold_whitespace(item.text)} [{n}]" for n, item in enumerate(kept, start=1)]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    head = f"{number_in_words(len(kept))}: " if counting else ""
    frame = Frame(*framing.COUNT, n=len(kept)) if counting else Frame(framing.LIST)
    return Draft(f"{head}{listed}.", False, citations, frame=frame)


_PARAGRAPH = re.compile(r"\b(?P<unit>paragraphs?|sentences?)\b", re.IGNORECASE)
_OPENING = re.compile(
    r"\bhow does (?:the|this|it)(?: \w+)? (?:open|begin|start)\b|"
    r"\bopening (?:paragraph|lines?|sentences?|words|part)\b|"
    r"\b(?:the|its) (?:introduction|intro|preamble)\b(?! (?:of|to)\b)|\bintroductory (?:paragraph|part|words)\b",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"\bhow does (?:the|this|it)(?: \w+)? (?:end|close|conclude|finish)\b|"
    r"\b(?:closing|concluding|final) (?:paragraph|lines?|sentences?|words|part)\b|\b(?:the|its) conclusion\b(?! of)",
    re.IGNORECASE,
)


def paragraph_answer(question: Question, outlines: Sequence[Outline]) -> Draft | None:
    """'What does the first paragraph say?', 'How does the statement open / end?', 'the third sentence', 'how many
    paragraphs': read off the document's paragraphs (a bullet is a paragraph) or their sentences, in order."""
    if not question.english or not outlines or not outlines[0].paragraphs:
        return None
    text = question.standalone
    unit = _PARAGRAPH.search(text)
    position = question.ordinal
    if _OPENING.search(text):
        position = 1
    elif _CLOSING.search(text):
        position = -1
    elif unit is None:
        return None
    outline = outlines[0]
    sentences = unit is not None and unit.group("unit").lower().startswith("sentence")
    parts = outline.paragraphs
    if sentences:
        parts = [s for p in outline.paragraphs for s in split_sentences_of(p)]
    noun = "sentence" if sentences else "paragraph"
    if question.kind is Kind.COUNT and unit is not None:
        n = len(parts)
        return Draft(
            f"{number_in_words(n)} {noun}s: the first is “{fold_whitespace(parts[0].text)}” [1].",
            False,
            [_cite(1, outline, parts[0])],
            frame=Frame(*framing.COUNT, n=n),
        )
    if position is None or position == 0:
        return None
    if position > len(parts):
        return Draft(
            f"There is no such {noun}: the document has only {number_in_words(len(parts))} {noun}s.",
            True,
            [],
            reason=Refusal.OUT_OF_RANGE,
            frame=Frame(*framing.OUT_OF_RANGE, n=len(parts)),
        )
    part = parts[-1] if position == -1 else parts[position - 1]
    word = _position_word(position)
    return Draft(
        f"The {word} {noun} says: “{fold_whitespace(part.text)}” [1].",
        False,
        [_cite(1, outline, part)],
        frame=Frame(framing.QUOTE),
    )


def split_sentences_of(paragraph: Span) -> list[Span]:
    """The sentences of a paragraph span, with offsets into the document."""
    return [
        Span(start=paragraph.start + s.start, end=paragraph.start + s.end, text=s.text)
        for s in split_sentences(paragraph.text, 0, len(paragraph.text))
    ]


def _fit(noun: str, sequence: Sequence_, similarity: Similarity) -> float:
    """How well a class noun fits an enumeration: its introduction or its names."""
    names = [fold_whitespace(i.text) for i in sequence.items[:6]]
    by_names = sum(similarity(noun, n) for n in names) / max(1, len(names))
    return max(similarity(noun, sequence.description), by_names)


# Words that ask whether a part mentions something, not what it is about
_MENTION_WORDS = content_stems(
    "mention mentions mentioned talk talks refer refers cover covers deal deals involve involves say says discuss "
    "discusses address addresses concern concerns come comes one ones"
)


def item_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'Which theme calls for pilots?', 'What does the theme about innovation say?': the list item (of a list whose
    noun the question names) that the rest of the question fits best, its heading and what it says. 'Which themes
    mention borders?': every item whose text holds all the asked words, each with the sentence that holds them."""
    several = items_mentioning(question, outlines)
    if several is not None:
        return several
    asked = set().union(*(content_stems(t) for t in question.focus)) if question.focus else set()
    for outline in outlines:
        for lst in outline.lists:
            noun = content_stems(lst.noun) if lst.noun else set()
            topic = asked - noun - _LIST_WORDS - _MENTION_WORDS
            if not noun & asked or not topic:
                continue
            holding = [i for i, b in enumerate(lst.bodies) if topic <= content_stems(b.text)]
            scores = [similarity(question.standalone, fold_whitespace(b.text)) for b in lst.bodies]
            index = max(holding or range(len(scores)), key=lambda i: scores[i])
            item, body = lst.items[index], lst.bodies[index]
            citations = [_cite(1, outline, item)]
            text = f"The {_singular(lst.noun)} “{fold_whitespace(item.text)}” [1]"
            detail = _detail(body, item)
            if detail is not None:
                citations.append(_cite(2, outline, detail))
                text += f": {fold_whitespace(detail.text).rstrip('.')} [2]"
            return Draft(text + ".", False, citations, frame=Frame(framing.QUOTE))
    return None


def items_mentioning(question: Question, outlines: Sequence[Outline]) -> Draft | None:
    """'Which themes mention borders?': every item of a list (whose noun the question names, in the plural) whose
    text holds all the asked words, when more than one does."""
    asked = set().union(*(content_stems(t) for t in question.focus)) if question.focus else set()
    for outline in outlines:
        for lst in outline.lists:
            noun = content_stems(lst.noun) if lst.noun else set()
            topic = asked - noun - _LIST_WORDS - _MENTION_WORDS - _ACROSS_WORDS
            if not noun & asked or not topic:
                continue
            holding = [i for i, b in enumerate(lst.bodies) if topic <= content_stems(b.text)]
            if len(holding) > 1 and _plural_asked(question, lst.noun):
                return _items_holding(outline, lst, holding, topic)
    return None


# "Do smuggling gangs come up in more than one of the themes?": a yes or no on whether several items hold it
_ACROSS = re.compile(r"\b(?:more than one|several|multiple|two or more|different|both|many)\b", re.IGNORECASE)
_ACROSS_WORDS = content_stems("more than several multiple two different both many")


def _plural_asked(question: Question, noun: str | None) -> bool:
    """Whether the question asks for the list's items in the plural ("which themes ..."), not for one."""
    singular = _singular(noun)
    return any(w.lower() != singular and content_stems(w) == content_stems(singular) for w in question.focus)


def _items_holding(outline: Outline, lst: OutlineList, indexes: list[int], topic: set[str]) -> Draft:
    """Each item named by its heading, with the sentence of its text that holds the asked words."""
    citations: list[Citation] = []
    parts = []
    for index in indexes:
        item, body = lst.items[index], lst.bodies[index]
        sentences = [
            Span(start=body.start + x.start, end=body.start + x.end, text=x.text)
            for x in split_sentences(body.text, 0, len(body.text))
        ]
        held = next((s for s in sentences if topic <= content_stems(s.text)), None)
        if held is not None and held.start < item.end:  # the sentence the heading opens: what follows the heading
            held = _detail(held, item) if held.end > item.end + 2 else None
        citations.append(_cite(len(citations) + 1, outline, item))
        part = f"“{fold_whitespace(item.text)}” [{len(citations)}]"
        if held is not None:
            citations.append(_cite(len(citations) + 1, outline, held))
            part += f": {fold_whitespace(held.text).rstrip('.')} [{len(citations)}]"
        parts.append(part)
    noun = lst.noun or "items"
    return Draft(f"{len(indexes)} {noun}: " + "; ".join(parts) + ".", False, citations, frame=Frame(framing.QUOTE))


def _detail(body: Span, item: Span) -> Span | None:
    """What a list item says after its heading (None when the heading is all there is)."""
    if body.end <= item.end + 2:
        return None
    cut_end, rest = _trim(body.text[item.end - body.start :])
    start = body.end - cut_end - len(rest)
    return Span(start=start, end=start + len(rest), text=rest) if rest else None


_RELATIVE = re.compile(
    r"\b(?P<rel>after|before|following|preceding|between)\s+(?:the\s+)?(?P<a>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
    r"(?:\s+and\s+(?:the\s+)?(?P<b>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*))?"
)


def neighbour_answer(question: Question, outlines: Sequence[Outline]) -> Draft | None:
    """'Which country comes after Italy?', 'Which is listed between Czechia and Germany?'."""
    match = _RELATIVE.search(question.standalone)
    if match is None:
        return None
    found = _find_item(match.group("a"), outlines)
    if found is None:
        return None
    outline, enumeration, item = found
    index = enumeration.items.index(item)
    step = -1 if match.group("rel") in ("before", "preceding") else 1
    target = index + step
    if not 0 <= target < len(enumeration.items):
        return None
    name = fold_whitespace(enumeration.items[target].text)
    where = "before" if step < 0 else "after"
    if match.group("rel") == "between":
        where = "between"
    text = (
        f"{name} [1]: the list names {_names(enumeration)}."
        if where == "between"
        else f"{name} comes {where} {fold_whitespace(item.text)} [1]: the list names {_names(enumeration)}."
    )
    return Draft(text, False, [_cite(1, outline, enumeration.span)], frame=Frame(framing.NEIGHBOUR))


# "Which theme comes right before the one on returns?", "what point follows the one about smugglers?"
_ITEM_RELATIVE = re.compile(
    r"\b(?P<rel>after|before|following|preceding|ahead of|follows?|precedes?)\s+(?:the\s+)?(?:one|theme|point|item|"
    r"priority|section)\s+(?:on|about|dealing with|covering|that (?:mentions|covers|is about|deals with))\s+"
    r"(?P<topic>[^?.!]+)",
    re.IGNORECASE,
)


_LIST_NOUN_BEFORE = re.compile(r"\b(?:themes?|points?|items?|priorit(?:y|ies)|sections?|one)\b", re.IGNORECASE)


def item_neighbour_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """The list item just before or after the one on a topic: the one whose heading holds the topic's words, else
    whose text does, else the closest."""
    match = _ITEM_RELATIVE.search(question.standalone)
    if match is None or not _LIST_NOUN_BEFORE.search(question.standalone[: match.start()]):
        return None  # not "what did they agree after the one on returns was discussed?"
    topic = content_stems(match.group("topic")) - _LIST_WORDS - _MENTION_WORDS
    lists = [(outline, lst) for outline in outlines for lst in outline.lists if len(lst.items) > 1]
    if not topic or not lists:
        return None

    def fit(pair: tuple[Outline, OutlineList], index: int) -> tuple[bool, bool, float]:
        lst = pair[1]
        heading, body = content_stems(lst.items[index].text), content_stems(lst.bodies[index].text)
        return (
            topic <= heading,
            topic <= body,
            similarity(match.group("topic"), fold_whitespace(lst.bodies[index].text)),
        )

    pair, index = max(((p, i) for p in lists for i in range(len(p[1].items))), key=lambda found: fit(*found))
    outline, lst = pair
    step = -1 if match.group("rel").lower() in ("before", "preceding", "ahead of", "precede", "precedes") else 1
    target = index + step
    noun = _singular(lst.noun)
    where = "before" if step < 0 else "after"
    given = fold_whitespace(lst.items[index].text)
    if not 0 <= target < len(lst.items):  # "the one after the last": there is none
        end = "first" if step < 0 else "last"
        text = f"“{given}” is the {end} {noun} [1]: no {noun} comes {where} it."
        return Draft(text, False, [_cite(1, outline, lst.items[index])], frame=Frame(framing.NEIGHBOUR))
    item = fold_whitespace(lst.items[target].text)
    text = f"The {noun} {where} “{given}” [1] is “{item}” [2]."
    citations = [_cite(1, outline, lst.items[index]), _cite(2, outline, lst.items[target])]
    return Draft(text, False, citations, frame=Frame(framing.NEIGHBOUR))


def list_answer(chosen: Sequence_, counting: bool) -> Draft:
    count = len(chosen.items)
    if chosen.noun is None:  # an enumeration inside a sentence: cite it whole
        names = [fold_whitespace(i.text) for i in chosen.items]
        head = f"{number_in_words(count)}: " if counting else ""
        span = chosen.intro or chosen.items[0]
        frame = Frame(*framing.COUNT, n=count) if counting else Frame(framing.LIST)
        return Draft(
            f"{head}{', '.join(names[:-1])} and {names[-1]} [1].", False, [_cite(1, chosen.outline, span)], frame=frame
        )
    citations = [_cite(1, chosen.outline, chosen.intro)] if chosen.intro else []
    lines = []
    for n, item in enumerate(chosen.items, start=len(citations) + 1):
        citations.append(_cite(n, chosen.outline, item))
        lines.append(f"- {fold_whitespace(item.text)} [{n}]")
    head = fold_whitespace(chosen.intro.text).rstrip(":") + " [1]" if chosen.intro else ""
    if counting:
        head = f"{number_in_words(count)} {chosen.noun}. {head}".strip()
    frame = Frame(*framing.COUNT, n=count) if counting else Frame(framing.LIST)
    return Draft(f"{head}:\n" + "\n".join(lines), False, citations, frame=frame)


def themes_answer(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'What are the key themes?': a list whose noun the question names, when that is what it asks for (not "which
    themes should the initiatives span?")."""
    asked = set().union(*(content_stems(t) for t in question.focus)) if question.focus else set()
    for outline in outlines:
        for lst in outline.lists:
            noun = content_stems(lst.noun) if lst.noun else set()
            intro = content_stems(lst.intro.text) if lst.intro else set()
            if noun & asked and not asked - noun - intro - _LIST_WORDS:
                return list_answer(_of_list(outline, lst), counting=False)
    return _structural_list(question, outlines, similarity)


def _structural_list(question: Question, outlines: Sequence[Outline], similarity: Similarity) -> Draft | None:
    """'What are the main priorities?', 'a rundown of the main areas they agreed to act on': a part of a document's
    structure in other words than its own, asked for whole: the list closest to the question, when no other word of
    the question is one of its items' (not "what are the steps on returns?", which asks what one item says)."""
    nouns = [t for t in question.focus if content_stems(t) & _STRUCTURAL_NOUNS]
    if not nouns:
        return None
    chosen = counted_sequence(question, nouns, outlines, similarity)
    if chosen is None or chosen.noun is None:
        return None
    asked = set().union(*(content_stems(t) for t in question.focus)) - set().union(*map(content_stems, nouns))
    held = content_stems(" ".join(item.text for item in chosen.items + chosen.bodies))
    return list_answer(chosen, counting=False) if not asked & held else None


def _aliases(item: str) -> set[str]:
    words = [w for w in re.findall(r"[^\W_]+", item) if w.lower() != "the"]
    names = {" ".join(words).lower()}
    if len(words) > 1:
        names.add("".join(w[0] for w in words).lower())  # "United Kingdom" -> "uk"
    return names


def _find_item(subject: str, outlines: Sequence[Outline]) -> tuple[Outline, Enumeration, Span] | None:
    wanted = _aliases(subject)
    for outline in outlines:
        for enumeration in outline.enumerations:
            for item in enumeration.items:
                if _aliases(item.text) & wanted:
                    return outline, enumeration, item
    return None


def _main_enumeration(outlines: Sequence[Outline]) -> tuple[Outline, Enumeration] | None:
    """The longest enumeration of names (the signatories of a statement, the members of a body)."""
    best = max(((o, e) for o in outlines for e in o.enumerations), key=lambda p: len(p[1].items), default=None)
    return best if best is not None and len(best[1].items) >= 3 else None


# Taking part in something or signing it, in the public's languages ("Var Norge med på erklæringen?", "War Polen
# beteiligt?")
_TAKING_PART_FOREIGN = re.compile(
    r"(?<!\w)(?:med på|med i|beteiligt|teilgenommen|fait partie|participé|participó|participou|partecipato|"
    r"deelgenomen|deltog|deltok|deltaget|osallistui|részt vett|uczestniczył\w*|účastnil\w*|zúčastnil\w*|"
    r"sudjelovao|sudjelovala|sodeloval\w*|a participat|συμμετείχε|участва\w*|брала участь|брав участь|osales|"
    r"piedalījās|dalyvavo|ħadet sehem|ghlac páirt|"
    # or signing it ("Har Norge skrevet under på ...?")
    r"skrevet under|skrev under|underskrevet|underskrev|undertecknat|skrivit under|unterschrieben|unterzeichnet|"
    r"signé|firmado|firmato|assinado|assinou|ondertekend|podpisał\w*|podepsal\w*|podpísal\w*|aláírta|semnat|"
    r"υπέγραψε|подписа\w*|підписал\w*|potpisal\w*|podpisal\w*|allekirjoitti\w*|allkirjast\w*|parakstīj\w*|"
    r"pasiraš\w*|iffirma\w*|shínigh|"
    # or standing behind it ("Hvem står bak erklæringen?")
    r"står bak\w*|stod bak\w*|stå bak|står bakom|stod bakom|steh\w* hinter|stand\w* hinter)(?!\w)",
    re.IGNORECASE,
)


def membership_answer(question: Question, outlines: Sequence[Outline]) -> Draft | None:
    """'Is Poland among the signatories?' -> Yes, cited; 'Did France sign?' -> No, citing the list it is not in."""
    subject = question.subject
    if not subject or (not subject[:1].isupper() and not _MEMBERSHIP_CUE.search(question.standalone)):
        return None
    if subject.lower() in ("it", "this", "that", "they", "there"):
        return None
    found = _find_item(subject, outlines)
    if found is not None:
        outline, enumeration, _item = found
        lead = _lead(enumeration)
        subject = subject if subject[:1].isupper() else fold_whitespace(_item.text)
        return Draft(
            f"Yes: {subject} is among {lead}{_names(enumeration)} [1].",
            False,
            [_cite(1, outline, enumeration.span)],
            frame=Frame(framing.MEMBER, subject=subject),
        )
    cue = _MEMBERSHIP_CUE.search(question.standalone) or PRESENT_FOREIGN.search(question.standalone)
    # in another language: taking part ("var norge med på ...?"), being among them ("fost"), or signing
    taking_part = not question.english and (
        AMONG_FOREIGN.search(question.standalone) or _TAKING_PART_FOREIGN.search(question.standalone)
    )
    if not cue and not taking_part and "signatories" not in question.gloss.values():
        return None
    if not subject[:1].isupper() and english_country(subject) is None:
        return None  # "Are sanctions part of that?": a topic the documents may hold, not one of the parties
    main = _main_enumeration(outlines)
    if main is None:
        return None
    outline, enumeration = main
    subject = subject[:1].upper() + subject[1:]
    text = f"No: {subject} is not among them. The statement names {_lead(enumeration)}{_names(enumeration)} [1]."
    citations = [_cite(1, outline, enumeration.span)]
    present = _attendance(enumeration)
    if present is not None and _names_subject(present.text, subject):  # "Is the Commission's President one of them?"
        text = text[:-1] + f", {fold_whitespace(present.text)} [2]."
        citations.append(_cite(2, outline, present))
    return Draft(text, False, citations, frame=Frame(framing.NOT_MEMBER, subject=subject))


# Who else a sentence listing the participants says was there ("..., in the presence of the President of ...")
_ATTENDANCE = re.compile(
    r"\b(?:in the presence of|joined by|together with|alongside|with the participation of|as well as)\s+[^,;.]+"
)


def _attendance(enumeration: Enumeration) -> Span | None:
    """The phrase after an enumeration of participants that names who else was there, as a span of the document."""
    after = enumeration.span.end - enumeration.sentence.start
    match = _ATTENDANCE.search(enumeration.sentence.text, after)
    if match is None or match.start() - after > 40:
        return None
    start = enumeration.sentence.start + match.start()
    return Span(start=start, end=start + len(match.group(0)), text=match.group(0))


def _names_subject(text: str, subject: str) -> bool:
    wanted = {w.lower() for w in re.findall(r"[A-Z][\w'’-]+", subject)} - {"the", "is", "was"}
    return bool(wanted) and wanted <= {w.lower() for w in re.findall(r"[\w'’-]+", text)}


def _lead(enumeration: Enumeration) -> str:
    words = enumeration.context.split()[-3:]
    return (" ".join(words) + " ") if words else ""


def _names(enumeration: Enumeration) -> str:
    names = [fold_whitespace(i.text) for i in enumeration.items]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def authors_answer(outlines: Sequence[Outline]) -> Draft | None:
    """'Who signed it?': the longest enumeration of names, with what introduces it ('the leaders of ...')."""
    main = _main_enumeration(outlines)
    if main is None:
        return None
    outline, enumeration = main
    count = NUMBER_WORDS[len(enumeration.items)] if len(enumeration.items) < len(NUMBER_WORDS) else ""
    head = _lead(enumeration).strip()
    counted = f"{len(enumeration.items)}, {count}" if count else str(len(enumeration.items))
    text = f"{head[:1].upper() + head[1:]} {_names(enumeration)} [1] ({counted})."
    citations = [_cite(1, outline, enumeration.span)]
    present = _attendance(enumeration)
    if present is not None:  # "..., in the presence of the President of the European Commission"
        text = text[:-1] + f"; {fold_whitespace(present.text)} [2]."
        citations.append(_cite(2, outline, present))
    return Draft(text.strip(), False, citations, frame=Frame(*framing.AUTHORS, n=len(enumeration.items)))


def summary_answer(outlines: Sequence[Outline], first_paragraphs: dict[str, Span]) -> Draft | None:
    """'What is this about?': the title, the opening sentence and the list of themes."""
    citations: list[Citation] = []
    parts: list[str] = []
    for outline in outlines[:1]:
        if outline.title is not None:
            citations.append(_cite(len(citations) + 1, outline, outline.title))
            parts.append(f"“{fold_whitespace(outline.title.text)}” [{len(citations)}]")
        opening = first_paragraphs.get(outline.document_id)
        if opening is not None:
            citations.append(_cite(len(citations) + 1, outline, opening))
            parts.append(f"{fold_whitespace(opening.text).rstrip('.')} [{len(citations)}].")
        if outline.lists:
            lst = outline.lists[0]
            lead = f"Its {lst.noun or 'points'}:"
            intro = lst.intro
            if intro is not None and (opening is None or intro.start >= opening.end):
                # what introduces the list says what it is ("They committed to support one another ... themes:")
                citations.append(_cite(len(citations) + 1, outline, intro))
                lead = f"{fold_whitespace(intro.text).rstrip(':. ')} [{len(citations)}]:"
            items = []
            for item in lst.items:
                citations.append(_cite(len(citations) + 1, outline, item))
                items.append(f"- {fold_whitespace(item.text)} [{len(citations)}]")
            parts.append(f"{lead}\n" + "\n".join(items))
    if not citations:
        return None
    text = ": ".join(parts[:2]) + ("\n" + "\n".join(parts[2:]) if parts[2:] else "")
    return Draft(text, False, citations, frame=Frame(framing.SUMMARY))


def structural_answer(
    question: Question,
    outlines: Sequence[Outline],
    similarity: Similarity,
    first_paragraphs: dict[str, Span],
) -> Draft | None:
    """The outline's answer to a structural question, or None (then the quotes are scored as usual)."""
    if question.kind is Kind.TITLE and outlines:
        return title_answer(outlines[0])
    by_paragraph = paragraph_answer(question, outlines)
    if by_paragraph is not None:
        return by_paragraph
    filtered = filtered_answer(question, outlines, similarity) if question.english else None
    if filtered is not None:
        return filtered
    if question.kind is Kind.LIST and not question.english:
        listed = named_list_answer(question, outlines, similarity)
        if listed is not None:
            return listed
    neighbour = neighbour_answer(question, outlines) if question.english else None
    if neighbour is not None:
        return neighbour
    beside = item_neighbour_answer(question, outlines, similarity) if question.english else None
    if beside is not None:
        return beside
    if question.kind is Kind.ORDINAL:
        return ordinal_answer(question, outlines, similarity)
    if question.kind is Kind.COUNT:
        return count_answer(question, outlines, similarity)
    if question.kind is Kind.YES_NO:
        across = items_mentioning(question, outlines) if _ACROSS.search(question.standalone) else None
        if across is not None:  # "Do smuggling gangs come up in more than one of the themes?": yes, in these
            return Draft(f"Yes: {across.text}", False, across.citations, frame=Frame(framing.YES_QUOTE))
        return membership_answer(question, outlines)
    if question.kind is Kind.AUTHORS:
        return authors_answer(outlines)
    if question.kind is Kind.SUMMARY:
        return summary_answer(outlines, first_paragraphs)
    if question.kind is Kind.LIST:
        listed = themes_answer(question, outlines, similarity)
        if listed is not None:
            return listed
    if question.kind in (Kind.LIST, Kind.FACT, Kind.WHY_HOW) and question.expects is None:
        return item_answer(question, outlines, similarity)  # a typed detail ("what budget ...") is checked instead
    return None
