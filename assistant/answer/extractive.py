"""The extractive answerer: no LLM; the answer is read off the outline or built from the best quotes, each cited.

It takes the analysed question and the evidence (plain data) and yields the answer; it never calls the retriever.
Refusals follow the rules in answer/refusals.py.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer import framing
from assistant.answer.base import Draft, Found, Frame
from assistant.answer.framing import localise
from assistant.answer.lexicon import TOPIC_CONCEPTS, concept_of, country_names_english
from assistant.answer.outline import Outline
from assistant.answer.question import COMPARING, INSTRUCTION_CUES, TOPIC_FOREIGN, Expects, Kind, Question
from assistant.answer.quotes import CHOICE_MARGIN, OVERLAP_WEIGHT, Window, candidate_windows, with_dependents, with_head
from assistant.answer.refusals import (
    ASKED_SYNONYM,
    Refusal,
    absent_asked,
    absent_offered,
    absent_topic,
    absent_topic_foreign,
    acronym_asked,
    expected_matches,
    is_command,
    mixed_documents,
    other_occasion,
    refusal_text,
    spells_out,
    turning_away,
    unknown_names,
    unsaid_detail,
)
from assistant.answer.structure import structural_answer
from assistant.embeddings import Embedder
from assistant.models import Chunk, Citation, Evidence, Span, Translations, fold_whitespace
from assistant.multilingual import MultilingualEncoder
from assistant.text import content_stems, european_script, words

if TYPE_CHECKING:
    from assistant.deadline import Deadline

# Words every question about these documents may use without them being what it is about
_GENERIC_STEMS = content_stems(
    "statement document text declaration leaders say says mention mentions talk write written according "
    "agenda migration shared joint paper notice note anything something regarding concerning"
)
# The words that frame a question rather than say what it is about ("what is it ultimately meant to achieve?", "in
# what contexts does the word come up?"): no passage need hold them
_FRAME_STEMS = content_stems(
    "ultimately really actually basically exactly meant mean means supposed achieve happen happens happened warn warns "
    "word words term terms phrase contexts context come comes came appear appears"
)
# "Across the whole statement, what ways of ... come up?", "everywhere it mentions ...": every place, not the best one
_THROUGHOUT = re.compile(
    r"\b(?:across|throughout|all (?:over|through)) (?:the |this |its )?(?:whole |entire )?(?:statement|document|text|"
    r"declaration)\b|\beverywhere\b|\bwherever\b|\ball the (?:places|ways|times|parts)\b|"
    r"\bin (?:every|each) (?:part|section|theme|point)\b|"
    # "what kinds of partnerships come up across the different themes?", "returns come up more than once: what's
    # said about them each time?", "is innovation only in the last point, or elsewhere too?"
    r"\bacross (?:the |its )?(?:different |various |several |all (?:the |its )?)?(?:themes|points|sections|parts)\b|"
    r"\b(?:each|every) time\b|\bmore than once\b|\belsewhere\b|\banywhere else\b|"
    r"\b(?:everything|all)\s+(?:that\s+)?(?:it|the (?:statement|document|text|declaration)|they)\s+"
    r"(?:says?|said|has to say|mentions?|writes?)\s+(?:about|on|regarding)\s+(?!(?:it|that|this|them|those)\b)",
    re.IGNORECASE,
)


def _throughout_asked(question: Question) -> bool:
    return question.english and _THROUGHOUT.search(question.standalone) is not None


_ALL_OF_IT = content_stems(
    "ways way means methods kinds things places times parts different various every across whole entire throughout "
    "time once elsewhere else anywhere only first last theme themes point points section sections everything pull "
    "together gather collect compile"
)
# "Does it give an example?", "for instance?": the clause that gives one ("such as ...", "like ...") ranks higher
_EXAMPLE_ASKED = re.compile(r"\bexamples?\b|\bfor instance\b|\bsuch as what\b", re.IGNORECASE)
_EXAMPLE_GIVEN = re.compile(r"\b(?:such as|like|including|for example|for instance|e\.g\.)\s", re.IGNORECASE)
EXAMPLE_WEIGHT = 0.1
_STRUCTURE = ("title", "heading")  # answered from the outline, not quoted as content
MIN_FOCUS_COVERAGE = 0.34  # below this share of the focus words in the quote's chunk, a weak match is refused
TOPIC_MARGIN = 0.16  # a topic question ("what does it say about returns?") quotes more of what is close
_TOPIC = re.compile(
    r"\b(?:say|says|said|tell me|write|writes|position|stance|view|views) (?:about|on|regarding)\b|\bwhat about\b|"
    r"\babout\s+\S+\s*\??$|^\W*\w+\W*$|\bwhat else\b|\banything (?:else|more)\b|"
    # "what do they say?" closing a question ("external borders management, what do they say?")
    r"\bwhat (?:do|does|did) (?:they|it|the \w+) (?:say|write|state)\W*$|"
    # an overview ("their big-picture strategy", "their overall approach"): what they say on it, not one clause
    r"\b(?:big[- ]picture|overall|overarching|in general|broadly speaking)\b",
    re.IGNORECASE,
)
TYPED_REACH = 0.3  # how far below the best a window sharing a focus word may be, for a typed question
TYPED_SLACK_MULTILINGUAL = 0.04  # e5: a quote holding the asked type may sit a little under the relevance line
# e5: a quote whose passage holds the topic the lexicon found in the question ("palautuksista" -> "returns") may sit
# this far under the relevance line
TOPIC_SLACK_MULTILINGUAL = 0.045
# A typed answer's sentence must hold this share of the question's other words, or this many of them
TYPED_FOCUS_COVERAGE = 0.5
TYPED_FOCUS_WORDS = 2
MEANT_WEIGHT = 0.3  # share of the lexicon's words for the question's everyday ones found in a window
MEANT_SLACK = 0.05
STRONG_COSINE = 0.5  # a quote this close to the question is relevant whatever its words
SYNONYM_SIMILARITY = 0.5  # MiniLM cosine of two words that count as saying the same thing
# Types whose things are named ("which treaties?"): any relevant quote naming them answers, not only the closest
_NAMED_TYPES = frozenset({Expects.LAW, Expects.ORGANISATION, Expects.COUNTRY})
# Offices a "who is the ...?" question may ask the holder of, when a document names them beside a person
_OFFICES = frozenset(
    "spokesperson spokesman spokeswoman president chair chairman chairwoman commissioner minister chancellor "
    "secretary director rapporteur ambassador envoy mayor governor".split()
)
_NAMING = re.compile(r"\b(?:mention\w*|nam(?:e|ed|es)|list\w*|cit(?:e|ed|es)|refer\w*|appear\w*)\b", re.I)


@dataclass(frozen=True)
class Scored:
    rank: float  # what orders candidates
    cosine: float  # what the relevance rule looks at
    window: Window


class ExtractiveAnswerer:
    """Scores clause windows of the evidence against the question and composes a cited answer."""

    name = "extractive"
    uses_model = False

    def __init__(
        self,
        embedder: Embedder,
        min_relevance: float = 0.30,
        max_citations: int = 3,
        multilingual: MultilingualEncoder | None = None,
        min_relevance_multilingual: float = 0.765,
        cache_size: int = 50_000,
    ) -> None:
        self.embedder = embedder
        self.multilingual = multilingual
        self.min_relevance = min_relevance
        self.min_relevance_multilingual = min_relevance_multilingual
        self.max_citations = max_citations
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._outlines: dict[str, Outline] = {}
        self._vocabulary: frozenset[str] = frozenset()
        self._openings: dict[str, Span] = {}
        self._document_vocabularies: dict[str, frozenset[str]] = {}
        self._stems: set[str] = set()
        self._topics: set[str] = set()
        self._vocabulary_words: list[str] = []
        self._texts: list[str] = []

    # --- the Answerer contract ---
    def prepare(self, chunks: list[Chunk], outlines: Mapping[str, Outline], warm: bool = True) -> None:
        """Keep the outlines and the corpus words; embed every candidate quote ahead of the first question."""
        self._outlines = dict(outlines)
        self._vocabulary = frozenset(w.lower() for c in chunks for w in words(c.embedding_text))
        self._stems = content_stems(" ".join(self._vocabulary))
        # the lexicon's topics the documents hold, in their own words or the everyday ones it maps ("workforce")
        self._topics = {c for c in (concept_of(w, "en") for w in self._vocabulary) if c is not None}
        self._vocabulary_words = sorted(w for w in self._vocabulary if len(w) > 3 and content_stems(w))
        self._texts = [chunk.text for chunk in chunks]
        self._document_vocabularies = {}
        for chunk in chunks:
            known = self._document_vocabularies.get(chunk.document_id, frozenset())
            self._document_vocabularies[chunk.document_id] = known | {w.lower() for w in words(chunk.embedding_text)}
        self._openings = {}
        for chunk in chunks:
            if chunk.kind == "paragraph" and chunk.document_id not in self._openings and chunk.sentences:
                self._openings[chunk.document_id] = chunk.sentences[0]
        if warm:
            texts = [fold_whitespace(w.span.text) for c in chunks for w in candidate_windows(c)]
            for i in range(0, len(texts), 512):
                self._encode(texts[i : i + 512])
            if self.multilingual is not None and texts:
                self.multilingual.passages(texts)

    def translate(self, question: str, deadline: Deadline | None = None) -> str | None:
        return None  # no model to translate with: non-English questions are scored with multilingual-e5

    def translate_quotes(
        self, citations: Sequence[Citation], language: str, deadline: Deadline | None = None
    ) -> Translations | None:
        return None  # no model: the quotes stay English, framed as such in the asker's language

    def stream(
        self, question: Question, evidence: list[Evidence], deadline: Deadline | None = None
    ) -> Iterator[Found | str | Draft]:
        """The answer at once (no model: far inside any deadline): its quotes, its text, its Draft."""
        draft = self.find(question, evidence)
        yield Found(draft.citations, draft.refused)
        yield from self.write(question, evidence, draft, deadline)

    def find(self, question: Question, evidence: list[Evidence]) -> Draft:
        """The answer itself: the extractive stage is the whole of this answerer."""
        return self.answer(question, evidence)

    def write(
        self, question: Question, evidence: list[Evidence], found: Draft, deadline: Deadline | None = None
    ) -> Iterator[str | Draft]:
        """The answer found, in word pieces, then its Draft."""
        yield from word_pieces(found.text)
        yield found

    # --- embeddings of candidate windows, cached by text ---
    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            vectors = self.embedder.encode(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._vectors[text] = vector
                while len(self._vectors) > self._cache_size:
                    self._vectors.popitem(last=False)
        with self._lock:
            found = [self._vectors.get(t) for t in texts]
        return np.stack(
            [v if v is not None else self.embedder.encode([t])[0] for t, v in zip(texts, found, strict=True)]
        )

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two texts (English model; e5 when `a` is not English)."""
        if self.multilingual is not None and not _latin_english(a):
            return float(self.multilingual.query(a) @ self.multilingual.passages([b])[0])
        return float(self.embedder.encode_query(a) @ self._encode([b])[0])

    # --- scoring ---
    def score(self, question: Question, evidence: list[Evidence]) -> tuple[list[Scored], bool]:
        """Every window of the evidence scored against the question (and its rewrite), best first; and whether it
        was scored cross-lingually. Each window keeps its best score over the question's forms."""
        windows = [w for e in evidence if e.chunk.kind not in _STRUCTURE for w in candidate_windows(e.chunk)]
        if question.said_before:  # "what else ...?", "what are they meant to do?": not what the last answer quoted
            given = _bare(question.said_before)
            windows = [w for w in windows if _bare(w.span.text) not in given] or windows
        if not windows:
            return [], False
        texts = [fold_whitespace(w.span.text) for w in windows]
        forms = list(dict.fromkeys([question.reworded or question.standalone, question.text]))
        if question.reworded and question.text == question.standalone:
            forms = [question.reworded]  # in the documents' words: the everyday word only adds noise
        cross_lingual = self.multilingual is not None and not question.english
        if cross_lingual:
            assert self.multilingual is not None
            queries = np.stack([self.multilingual.query(q) for q in forms])
            cosines = (self.multilingual.passages(texts) @ queries.T).max(axis=1)
        else:
            queries = np.stack([self.embedder.encode_query(q) for q in forms])
            cosines = (self._encode(texts) @ queries.T).max(axis=1)
        asked = _asked_stems(question, forms, cross_lingual)
        asked = (asked - _GENERIC_STEMS) or asked  # "the leaders" is who says everything, not what was asked
        # the documents' words the lexicon put in for everyday ones ("deporting" -> "returns") name the topic
        meant = _meant(question)
        example = question.english and _EXAMPLE_ASKED.search(question.text) is not None
        scored = []
        for window, cosine in zip(windows, cosines, strict=True):
            held = content_stems(window.span.text)
            overlap = len(asked & held) / max(1, len(asked))
            topic = len(meant & held) / len(meant) if meant else 0.0
            rank = float(cosine) + OVERLAP_WEIGHT * overlap + MEANT_WEIGHT * topic
            if example and _EXAMPLE_GIVEN.search(window.span.text):
                rank += EXAMPLE_WEIGHT  # "does it give a concrete example?": "such as the use of sanctions regimes"
            scored.append(Scored(rank, float(cosine), window))
        scored.sort(key=lambda item: (-item.rank, item.window.span.start))
        return scored, cross_lingual

    # --- answering ---
    def answer(self, question: Question, evidence: list[Evidence]) -> Draft:
        """The answer to `question` from the evidence (a refusal when the evidence does not hold it), in the
        asker's language: its framing from the message catalogs, its quotes verbatim."""
        return localise(self._answer(question, evidence), question)

    def _answer(self, question: Question, evidence: list[Evidence]) -> Draft:
        corpus = _corpus_name(evidence, self._outlines, question)
        if is_command(question):
            return self._refuse(Refusal.COMMAND, evidence, corpus)
        unknown = unknown_names(question, self._vocabulary)
        named = ", ".join(_echoable(unknown, question)) or None
        if unknown and question.kind is not Kind.YES_NO:  # "is France among them?" is answered: no
            return self._refuse(Refusal.UNKNOWN_NAME, evidence, corpus, subject=named)
        acronym = acronym_asked(question)
        if acronym and not any(spells_out(acronym, text) for text in self._texts):
            # "what does IOM stand for?": the documents use it, never spell it out
            near = self.score(question, evidence)[0] if evidence else []
            if not near:
                return self._refuse(Refusal.NOT_MENTIONED, evidence, corpus, subject=acronym)
            long_form = f"what {acronym} stands for"
            return self._detail_absent(question, near[0], evidence, corpus, near[0].cosine, asked=long_form)
        occasion = other_occasion(question, evidence)  # "what was agreed at the previous summit?": not this one
        if occasion:
            return self._refuse(Refusal.NOT_MENTIONED, evidence, corpus, subject=occasion)
        lacking = absent_topic(question, self._holds_topic, self._says)
        if lacking:  # "Does the statement set refugee quotas?", "Nämns EU:s asylpakt i uttalandet?"
            return self._refuse(Refusal.NOT_MENTIONED, evidence, corpus, subject=lacking)
        partners = self._partners(question, evidence) if _asks_partners(question) else []
        if partners:  # "Con qué países quieren colaborar?": the countries they mean to work with, as described
            return self._quoting(question, partners)
        away = turning_away(question, self._holds_all, self._says)
        away_scored = self.score(question, evidence)[0] if away else []
        if away and away_scored:  # "Why have they agreed to leave the ECHR?": named, never left
            best = away_scored[0]
            return self._detail_absent(question, best, evidence, corpus, best.cosine, asked=f"that they {away}")
        outlines = self._outlines_for(question, evidence)
        everywhere = _throughout_asked(question) and question.kind is not Kind.COUNT  # not "the last point" alone
        structural = None if everywhere else structural_answer(question, outlines, self.similarity, self._openings)
        if structural is not None:
            return structural
        if unknown:
            return self._refuse(Refusal.UNKNOWN_NAME, evidence, corpus, subject=named)
        mixed = mixed_documents(question, self._document_vocabularies)
        if mixed:
            return self._refuse(Refusal.MIXED_DOCUMENTS, evidence, corpus, subject=mixed)
        absent = self._absent_subject(question)
        if absent:
            return self._refuse(Refusal.NOT_MENTIONED, evidence, corpus, subject=absent)
        if not european_script(question.text):
            return self._refuse(Refusal.OTHER_SCRIPT, evidence, corpus)
        scored, cross_lingual = self.score(question, evidence)
        threshold = self.min_relevance_multilingual if cross_lingual else self.min_relevance
        best_cosine = max((s.cosine for s in scored), default=0.0)
        expects = question.expects or (Expects.NUMBER if question.kind is Kind.COUNT else None)
        # in another language a typed question ("where ...?") may sit a little under e5's line: its type decides
        if cross_lingual and scored and _topic_held(question, scored[0].window):
            threshold -= TOPIC_SLACK_MULTILINGUAL  # the lexicon says what it is about, and the passage holds it
        elif question.english and scored and _meant_held(question, scored[0].window):
            threshold -= MEANT_SLACK  # in everyday words MiniLM sits lower; the lexicon's word for them is there
        verbatim = question.english and bool(scored) and _named_verbatim(question, scored[0].window)
        if verbatim:
            threshold = min(threshold, scored[0].cosine)  # "enablers??", "in what contexts does 'X' come up?": it does
        floor = threshold - (TYPED_SLACK_MULTILINGUAL if cross_lingual and expects is not None else 0.0)
        if not scored or best_cosine < floor or not (verbatim or self._on_topic(question, scored[0], cross_lingual)):
            return self._refuse(Refusal.NOT_RELEVANT, evidence, corpus, best=best_cosine)
        offered = absent_offered(question, self._holds)
        if offered:  # "...: housing, public services, something else?" and it names none of them
            return self._refuse(Refusal.NOT_MENTIONED, evidence, corpus, subject=" or ".join(offered))
        foreign = absent_topic_foreign(question, self._holds)
        if foreign:  # "Vad säger uttalandet om arbetskraftsinvandring?": a word no document has
            return self._refuse(Refusal.NOT_MENTIONED, evidence, corpus, subject=foreign)
        unsaid = unsaid_detail(question)
        if unsaid and not any(unsaid[1] & content_stems(item.window.chunk.embedding_text) for item in scored[:5]):
            # "How will they check whether any of this is working?": nothing near it says how
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=unsaid[0])
        missing = absent_asked(question, self._holds)
        if missing:
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=" or ".join(missing))
        quoted = _QUOTED_TERM.findall(question.standalone) if question.english else []
        quoted_stems = content_stems(" ".join(quoted)) - _GENERIC_STEMS
        if expects is not None:
            typed = self._typed(scored, threshold, expects, question, cross_lingual)
            naming = bool(_NAMING.search(question.text))  # "which agency is named?" asks for what is named
            if typed is not None and not cross_lingual and not naming and not self._typed_on_topic(question, typed):
                typed = None  # it holds a thing of the type, but not on what was asked ("which agency ... borders")
            named_type = expects in _NAMED_TYPES or expects in (Expects.PERSON, Expects.NAME)  # not "in which city"
            if (
                typed is not None
                and cross_lingual
                and named_type
                and not naming
                and not _glossed_on_topic(question, typed)
            ):
                typed = None  # "Welches Land führt im Kampf gegen Schleuser?": not the sentence naming the countries
            if typed is None:
                return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, expects=expects)
            chosen = [typed]
        elif quoted_stems and (held := self._holding(scored, quoted_stems)):
            chosen = held  # "in what contexts does 'capabilities' come up?": every sentence that uses it
        elif _throughout_asked(question) and len(held := self._throughout(question, scored)) > 1:
            chosen = held  # "Across the whole statement, what ways of tackling smuggling gangs come up?": each place
        elif len({e.chunk.document_id for e in evidence}) > 1 and COMPARING.search(question.standalone):
            chosen = self._per_document(scored, threshold)
        else:
            topic = question.kind is Kind.WHY_HOW or bool(
                _TOPIC.search(question.standalone) or (not question.english and TOPIC_FOREIGN.search(question.text))
            )
            chosen = self._choose(scored, threshold, TOPIC_MARGIN if topic else CHOICE_MARGIN)
            if topic and chosen:
                chosen = self._whole_passage(scored, chosen, threshold)
        if not chosen:
            return self._refuse(Refusal.NOT_RELEVANT, evidence, corpus, best=best_cosine)
        if question.english and _EXAMPLE_ASKED.search(question.text):
            # "Does it give a concrete example?": the example the best passage gives, if it gives one
            given = [
                item.window
                for item in scored
                if item.window.chunk.id == scored[0].window.chunk.id and _EXAMPLE_GIVEN.search(item.window.span.text)
            ]
            chosen = given[:1] or chosen
        if expects is None and question.kind is not Kind.YES_NO:
            asked = _asked_stems(question, [question.reworded or question.standalone, question.text], cross_lingual)
            chosen = [_to_sentence_end(w) if _echoes(w, asked) else with_dependents(w) for w in chosen]
            if question.kind is Kind.WHY_HOW:  # "how?": what is done, not only what it is for
                chosen = [with_head(w) for w in chosen]
        elif expects is None:  # yes/no: the clause with what it includes and is for ("..., including with third
            chosen = [with_dependents(w) for w in chosen]  # countries, to accelerate processing ...")
        kinds = _KINDS_OF.search(question.standalone) if question.english else None
        if kinds and not any(_describes(w.sentence.text, kinds.group("noun"), question.standalone) for w in chosen):
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=kinds.group(0))
        apart = _APART_FROM.search(question.standalone) if question.english else None
        if apart and not any(_names_besides(w.span.text, apart.group("given")) for w in chosen):
            # "Apart from diplomatic and visa leverage, which other tools?": it names those, no others
            other = f"other {apart.group('kind')}"
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=other)
        responsible = (_RESPONSIBLE if question.english else _RESPONSIBLE_FOREIGN).search(question.standalone)
        responsible = responsible if question.kind is not Kind.YES_NO else None
        if responsible and not any(self._names_agent(w.span.text, question) for w in chosen):
            # "who decides whether a pilot counts as fair?": a quote that names no one does not say who
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, expects=Expects.ORGANISATION)
        specifics = _SPECIFICS.search(question.standalone) if question.english else None
        if specifics and not any(_spells_out(w.sentence.text, specifics.group("thing")) for w in chosen):
            thing = specifics.group("thing")  # "what exactly are the common principles?": named, never spelled out
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=thing)
        examples_of = _EXAMPLES_OF.search(question.standalone) if question.english else None
        if examples_of and not any(_exemplified(w.sentence.text, examples_of.group("thing")) for w in chosen):
            # "What examples of the ever-evolving challenges does it give?": it names them, gives none
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked="examples")
        exact = _exactly_asked(question)
        if exact and not any(_spells_out(w.sentence.text, thing) for w in chosen for thing in exact):
            # "Which smuggling gangs will actually be put under sanctions?", "Aké konkrétne sankcie ...?": which ones,
            # by name or description, not only that there are some
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=exact[0])
        one = _WHICH_ONE.search(question.text) or _WHICH_OF_OFFERED.search(question.text)
        one = one if question.english and expects is None else None
        if (
            one
            and question.kind in (Kind.FACT, Kind.LIST)
            and not any(
                _names_instances(w.sentence.text, one.group("noun")) or _refers_back(w.sentence.text, one.group("noun"))
                for w in chosen
            )
        ):  # "Which sanctions regime, though?": the statement speaks of sanctions regimes, never of which one
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=one.group("phrase"))
        singled = _SINGLED_OUT.search(question.standalone) if question.english and expects is None else None
        if singled and not any(_names_instances(w.sentence.text, singled.group("noun")) for w in chosen):
            return self._detail_absent(question, scored[0], evidence, corpus, best_cosine, asked=singled.group("noun"))
        yes = question.kind is Kind.YES_NO and self._all_focus_in(question, chosen, cross_lingual)
        return self._quoting(question, chosen, best_cosine, yes=yes)

    def _quoting(self, question: Question, chosen: list[Window], best: float = 0.0, yes: bool = False) -> Draft:
        """An answer quoting the windows, each cited (with several documents, an answer says which one it quotes
        unless the question named it); "Yes: " before them for a yes."""
        citations = []
        parts = []
        several = len({w.chunk.document_id for w in chosen}) > 1 or (len(self._outlines) > 1 and not question.document)
        for marker, window in enumerate(chosen, start=1):
            citations.append(Citation.of(marker, window.chunk, window.span))
            source = f"“{window.chunk.title}”: " if several else ""
            parts.append(f"{source}{_phrase(window)} [{marker}]")
        text = f"Yes: {_join_sentences(parts)}" if yes else _join_sentences(parts)
        lead = framing.YES_QUOTE if yes else framing.QUOTE
        return Draft(text, False, citations, best, frame=Frame(lead, by_document=several))

    def _partners(self, question: Question, evidence: list[Evidence]) -> list[Window]:
        """The quotes that describe the countries the documents mean to work with ("third countries", "countries at
        source and on transit routes"), each carried on through what completes it, in the documents' order."""
        best: dict[Span, Window] = {}
        for item in evidence:
            if item.chunk.kind in _STRUCTURE:
                continue
            for window in candidate_windows(item.chunk):
                if window.short or not _PARTNER_COUNTRIES.search(window.span.text):
                    continue
                kept = best.get(window.sentence)
                if kept is None or len(window.span.text) < len(kept.span.text):
                    best[window.sentence] = window
        chosen = [with_dependents(w) for w in best.values()]
        return sorted(chosen, key=lambda w: (w.chunk.document_id, w.span.start))[: self.max_citations]

    @staticmethod
    def _names_agent(text: str, question: Question) -> bool:
        """Whether a quote names someone who could be in charge: a name past its first word (English), a body or a
        person (another language, whose quotes are longer: "the European Convention" is no one)."""
        if question.english:
            return _NAMED_AGENT.search(text) is not None
        asked = question.standalone
        return bool(
            expected_matches(Expects.ORGANISATION, text, asked) or expected_matches(Expects.PERSON, text, asked)
        )

    def _detail_absent(
        self,
        question: Question,
        best: Scored,
        evidence: list[Evidence],
        corpus: str,
        best_cosine: float,
        expects: Expects | None = None,
        asked: str | None = None,
    ) -> Draft:
        """The topic is there, the asked detail is not: say so and cite the closest quote, when it holds the
        question's other words (else there is no topic to point at)."""
        nearby = best.window
        if asked and not self._shares_focus(question, nearby, set(question.asked)):
            return self._refuse(Refusal.NOT_RELEVANT, evidence, corpus, best=best_cosine)
        citation = Citation.of(1, nearby.chunk, nearby.span)
        text = refusal_text(
            Refusal.DETAIL_ABSENT,
            evidence,
            expects=expects,
            asked=asked,
            nearby=f"{_phrase(nearby).rstrip('.;:, ')} [1].",
            corpus_name=corpus,
        )
        frame = framing.refusal_frame(Refusal.DETAIL_ABSENT, evidence, expects=expects)
        return Draft(text, True, [citation], best_cosine, reason=Refusal.DETAIL_ABSENT, frame=frame)

    def _shares_focus(self, question: Question, window: Window, leave_out: set[str]) -> bool:
        """Whether the window's passage holds one of the question's content words besides `leave_out`."""
        focus = [t for t in question.focus if t not in leave_out]
        asked = set().union(*(content_stems(t) for t in focus)) - _GENERIC_STEMS if focus else set()
        return bool(asked & content_stems(window.chunk.embedding_text))

    def _holds(self, noun: str) -> bool:
        """Whether any document has the noun, or a word close in meaning ("nations" ~ "countries")."""
        if content_stems(noun) <= self._stems:
            return True
        if not self._vocabulary_words:
            return False
        vectors = self._encode(self._vocabulary_words)
        return float((vectors @ self._encode([noun])[0]).max()) >= ASKED_SYNONYM

    def _says(self, word: str) -> bool:
        """Whether the documents use a word as it is (by stem)."""
        return bool(content_stems(word) & self._stems)

    def _holds_topic(self, concept: str) -> bool:
        """Whether a document holds a topic of the lexicon: its word, or a word the lexicon reads as it."""
        return concept in self._topics or content_stems(concept) <= self._stems

    def _holds_all(self, phrase: str) -> bool:
        """Whether the documents hold every content word of a phrase (by stem or a close word)."""
        held = [w for w in words(phrase) if content_stems(w) - _GENERIC_STEMS]
        return bool(held) and all(self._holds(w) for w in held)

    def _refuse(
        self, reason: Refusal, evidence: list[Evidence], corpus: str, subject: str | None = None, best: float = 0.0
    ) -> Draft:
        text = refusal_text(reason, evidence, subject=subject, corpus_name=corpus)
        frame = framing.refusal_frame(reason, evidence, subject=subject)
        return Draft(text, True, [], best, reason=reason, frame=frame)

    def _outlines_for(self, question: Question, evidence: list[Evidence]) -> list[Outline]:
        if question.document is not None and question.document in self._outlines:
            return [self._outlines[question.document]]
        order = list(dict.fromkeys(e.chunk.document_id for e in evidence))
        return [self._outlines[d] for d in order if d in self._outlines] or list(self._outlines.values())

    def _absent_subject(self, question: Question) -> str | None:
        """The name a yes/no question asks about when no document mentions it ('Does it mention Frontex?')."""
        if question.kind is not Kind.YES_NO or not question.english or not question.subject:
            return None
        subject = question.subject
        if not subject[:1].isupper() or len(subject) < 3:
            return None
        # its capitalised words are the name ("the UN migration body": "UN"); the rest only describes it
        parts = [w.lower() for w in words(subject) if w[:1].isupper() and w.lower() not in ("the", "of", "and")]
        # a word the lexicon reads as a document's ("UN" ~ its agencies) names nothing new
        known = [_stem_in(p, self._vocabulary) or concept_of(p, "en") is not None for p in parts]
        return None if all(known) else subject

    def _on_topic(self, question: Question, best: Scored, cross_lingual: bool) -> bool:
        """A weak match must hold the question's focus words, or words close in meaning ("people traffickers" ~
        "smugglers"), in its chunk (English; e5 has its own threshold)."""
        if cross_lingual or best.cosine >= STRONG_COSINE:
            return True
        if question.reworded and (_topic_held(question, best.window) or _meant_held(question, best.window)):
            return True  # the lexicon read an everyday word as this passage's ("trial schemes" -> "pilots")
        framing = _GENERIC_STEMS | _FRAME_STEMS | (_ALL_OF_IT if _throughout_asked(question) else set())
        focus = [t for t in question.focus if content_stems(t) and not content_stems(t) <= framing]
        if len(focus) < 2:
            return True
        covered = self._covered(focus, best.window.chunk.embedding_text)
        return covered >= 1 if len(focus) <= 3 else covered / len(focus) >= MIN_FOCUS_COVERAGE

    def _typed_on_topic(self, question: Question, window: Window) -> bool:
        """Whether the sentence of a typed answer holds half of what the question is about besides the type it asks
        for, or two of its words (or words close in meaning): "Which agency will manage the external borders?" is
        not answered by "the President of the European Commission"."""
        leave_out = set().union(*(content_stems(n) for n in question.asked)) | _GENERIC_STEMS
        leave_out |= _qualifiers(question.standalone, question.asked)  # "which EU agency": the type asked for
        focus = [t for t in question.focus if content_stems(t) and not content_stems(t) <= leave_out]
        if len(focus) < 2:
            return True
        covered = self._covered(focus, window.sentence.text)
        return covered >= TYPED_FOCUS_WORDS or covered / len(focus) >= TYPED_FOCUS_COVERAGE

    def _covered(self, terms: list[str], text: str) -> int:
        """How many of the terms a text holds: by stem, or as a word of it close in meaning (MiniLM)."""
        held = content_stems(text)
        candidates = [w for w in dict.fromkeys(words(text)) if len(w) > 3]
        vectors = self._encode(candidates) if candidates else None
        return sum(
            1
            for term in terms
            if content_stems(term) & held
            or (vectors is not None and float((vectors @ self._encode([term])[0]).max()) >= SYNONYM_SIMILARITY)
        )

    def _all_focus_in(self, question: Question, chosen: list[Window], cross_lingual: bool = False) -> bool:
        """Whether the quotes' passages hold every word the question asks with (in another language: every word the
        glossary and the lexicon read in it): then a yes/no question is answered yes."""
        held = set().union(*(content_stems(w.chunk.embedding_text) for w in chosen))
        if cross_lingual:  # the glossary may read one word wrong: all but one of three or more will do
            asked = content_stems(" ".join(w for w in question.gloss.values() if w.islower())) - _GENERIC_STEMS
            return bool(asked) and len(asked - held) <= (1 if len(asked) >= 3 else 0)
        asked = set().union(*(content_stems(t) for t in question.focus)) if question.focus else set()
        asked -= _GENERIC_STEMS
        return bool(asked) and asked <= held

    def _typed(
        self, scored: list[Scored], threshold: float, expects: Expects, question: Question, cross_lingual: bool
    ) -> Window | None:
        """The best window that holds a thing of the expected type, cut to the clause holding it. Windows a little
        further down count too when they share a focus word (the spokesperson's name sits in another sentence)."""
        best = scored[0].rank
        asked = set().union(*(content_stems(t) for t in question.focus)) - _GENERIC_STEMS if question.focus else set()
        single: Window | None = None
        floor = threshold - (TYPED_SLACK_MULTILINGUAL if cross_lingual else 0.0)
        role = content_stems(" ".join(w for w in words(question.standalone) if w.lower() in _OFFICES))
        for item in scored[:30]:
            others = asked - role  # and its passage must be on something else the question names
            held = content_stems(item.window.chunk.embedding_text)
            if expects is Expects.PERSON and role and role <= held and (not others or others & held):
                found = expected_matches(expects, item.window.span.text, question.standalone + " " + question.text)
                if found:  # "Who is the spokesperson quoted on returns?": the passage on returns naming someone so
                    return _tighten(item.window, found[0])
            if item.cosine < floor:
                continue
            near = cross_lingual or item.rank >= best - 2 * CHOICE_MARGIN  # e5's cosines are too close to rank by
            related = item.rank >= best - TYPED_REACH and bool(asked & content_stems(item.window.sentence.text))
            if not (near or related):
                continue
            found = expected_matches(expects, item.window.span.text, question.standalone + " " + question.text)
            if found and question.kind is not Kind.LIST:
                return _tighten(item.window, found[0])
            if len(found) >= 2:
                return item.window
            if found and single is None:
                single = _tighten(item.window, found[0])
        naming = question.kind is Kind.LIST and bool(_NAMING.search(question.text))
        if single is None and expects in _NAMED_TYPES and naming:  # "which treaties are named?": wherever they are
            for item in scored[:10]:
                found = expected_matches(expects, item.window.span.text, question.standalone + " " + question.text)
                if found:  # the retrieved evidence, best first: the type is what decides
                    return item.window if len(found) >= 2 else _tighten(item.window, found[0])
        return single  # a list question ("which organisations") prefers a quote that names several

    def _whole_passage(self, scored: list[Scored], chosen: list[Window], threshold: float) -> list[Window]:
        """A topic question gets every sentence of the best passage (its best clause each), not just the closest one:
        "what does it say about smugglers?" is answered by the whole bullet on smugglers."""
        best_chunk = next(item.window.chunk for item in scored if item.window in chosen)
        if best_chunk.kind == "bullet":  # a chosen clause of the item keeps the rest of its sentence ("such as ...")
            chosen = [Window(w.chunk, w.sentence, w.sentence) if w.chunk.id == best_chunk.id else w for w in chosen]
        # elsewhere a clause of a sentence short enough to read whole is read whole ("the need for a 'whole-of-route
        # approach', and for innovative solutions ...")
        chosen = [Window(w.chunk, w.sentence, w.sentence) if _readable(w.sentence) else w for w in chosen]
        taken = {w.sentence for w in chosen}
        for item in scored:
            window = item.window
            same = window.chunk.id == best_chunk.id and window.sentence not in taken and not window.short
            whole_item = best_chunk.kind == "bullet"  # a list item is one point: all of it is what it says
            if same and whole_item:
                chosen.append(Window(window.chunk, window.sentence, window.sentence))  # the whole sentence
                taken.add(window.sentence)
            elif same and item.cosine >= threshold - TOPIC_MARGIN:
                chosen.append(window)
                taken.add(window.sentence)
        return sorted(chosen, key=lambda w: (w.chunk.document_id, w.span.start))[: self.max_citations + 1]

    def _holding(self, scored: list[Scored], stems: set[str]) -> list[Window]:
        """The best window of each sentence that holds all the stems (a term the question quotes), in order."""
        best: dict[Span, Window] = {}
        for item in scored:
            window = item.window
            if window.sentence not in best and not window.short and stems <= content_stems(window.span.text):
                best[window.sentence] = window
        return sorted(best.values(), key=lambda w: (w.chunk.document_id, w.span.start))[: self.max_citations]

    def _throughout(self, question: Question, scored: list[Scored]) -> list[Window]:
        """Every sentence that holds the words the best quote shares with the question, besides those that only ask
        for all of it ("ways", "across the whole statement")."""
        asked = _asked_stems(question, [question.reworded or question.standalone], False)
        asked = asked - _GENERIC_STEMS - _FRAME_STEMS - _ALL_OF_IT
        shared = (content_stems(item.window.span.text) & asked for item in scored[:5])
        stems = next((found for found in shared if found), set())  # the best quote that shares a word asked
        return self._holding(scored, stems) if stems else []

    def _per_document(self, scored: list[Scored], threshold: float) -> list[Window]:
        """The best quote of each document (a question that compares what the documents say)."""
        best: dict[str, Window] = {}
        for item in scored:
            document = item.window.chunk.document_id
            if document not in best and item.cosine >= threshold and not item.window.short:
                best[document] = item.window
        return sorted(best.values(), key=lambda w: (w.chunk.document_id, w.span.start))[: self.max_citations]

    def _choose(self, scored: list[Scored], threshold: float, margin: float) -> list[Window]:
        """The best windows within `margin` of the best, one per sentence (a topic question takes a wider margin:
        it asks for what the documents say, not for one fact). Short sentences are left to typed questions."""
        quotable = [item for item in scored if item.cosine >= threshold and not item.window.short]
        if not quotable:
            return []
        best = quotable[0].rank
        chosen: list[Window] = []
        for item in quotable:
            if len(chosen) == self.max_citations or item.rank < best - margin:
                break
            if any(w.sentence == item.window.sentence for w in chosen):
                continue  # one quote per sentence
            chosen.append(item.window)
        return sorted(chosen, key=lambda w: (w.chunk.document_id, w.span.start))


# "what kind of migration reform": the head noun is the phrase's last word ("reform"), the first only qualifies it
_KINDS_OF = re.compile(
    r"\b(?:kinds?|types?|sorts?|forms?)\s+of\s+(?:[a-z][\w-]+\s+(?!(?:are|is|do|does|did|will|would|should|can|could|"
    r"have|has|the|they|we|it|in|on|for|of|to|that|which|and|or|come|comes|came|appear|appears|feature|features|"
    r"show|shows|exist|exists|get|gets|crop|pop|turn)\b))?(?P<noun>[a-z][\w-]+)",
    re.IGNORECASE,
)
_DESCRIBING_AFTER = re.compile(r"^\s*(?:such as|like|including|that|which|:|\()", re.IGNORECASE)
# "the tools available including ...", "international frameworks, including the ...": what they are, listed
_LISTED_AFTER = re.compile(
    r"^(?:\s+[a-z]+)?,?\s+(?:such as|like|including|namely)\s+(?:the\s+)?[A-Z]|^\s+[a-z]+\s+including\b"
)
_NOT_DESCRIBING = frozenset("the a an of and or to for with its their our this these those all any some".split())


# "Which routes does the statement single out?": which ones, by name, not that there are some
_SINGLED_OUT = re.compile(
    r"^\W*which\s+(?:\w+\s+)?(?P<noun>[a-z][\w-]+s)\s+(?:does|do|did)\s+(?:the|this|it)\b.{0,40}?\b"
    r"(?:single\w* out|list\w*|name\w*|identif\w*|specif\w*|mention\w*|cite\w*)\b",
    re.IGNORECASE,
)
_INSTANCES_AFTER = re.compile(
    r"^\W*(?:\w+\W+)?(?:such as|like|including|namely|:)\s+(?!\w+ing\b)", re.IGNORECASE
)  # "tools available including diplomatic ...", not "routes, including supporting ..."


def _names_instances(sentence: str, noun: str) -> bool:
    """Whether a sentence names which of `noun` it means: a name, a quoted term or a list after the noun ("agencies
    like the IOM and UNHCR", "frameworks, including the European Convention ..."), not only a kind ("transit
    routes", "modern challenges")."""
    for before, after in _around(sentence, noun):
        if re.search(r"['‘“\"][^'’”\"]{2,60}['’”\"]\s*$", before) or _INSTANCES_AFTER.match(after):
            return True
        if re.match(r"\W*(?:[A-Z][\w-]+\s*){1,4}", after) and not after.lstrip().startswith(("The ", "And ")):
            return True
        if re.search(r"(?:^|[^.]\s)(?:[A-Z][\w-]+\s+){1,3}$", before) and not before.rstrip().endswith("."):
            return True
    return False


# "Which sanctions regime, though? The EU's, the UK's, or a new one?": one of a kind, named, asked for by itself
_WHICH_ONE = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?which\s+(?P<phrase>(?:(?!(?:one|ones|is|are|of|the|theme|point|country|"
    r"countries)\b)[a-z][\w-]+\s+)?(?P<noun>(?!(?:one|ones|is|are|of|the|theme|point|country|though|then|exactly|"
    r"precisely|specifically)\b)[a-z][\w-]*[^s\W]))\s*"
    r"(?:,\s*)?(?:though|then|exactly|precisely|specifically|do they mean|are they talking about|is meant)?\s*\?",
    re.IGNORECASE,
)


def _refers_back(sentence: str, noun: str) -> bool:
    """Whether the sentence points back at the thing ("to target this threat"): which one it is, is said before."""
    return any(
        re.search(r"\b(?:this|that|these|those|such)\s+$", before, re.IGNORECASE)
        for before, _ in _around(sentence, noun)
    )


# "Which sanctions regimes will be used - EU, UN or national ones?": which ones, the asker offering some
_WHICH_OF_OFFERED = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?which\s+(?P<phrase>(?:[a-z][\w-]+\s+){0,2}?(?P<noun>[a-z][\w-]+))\s+"
    r"(?:will|would|are|is|do|does|did|should|can|could|were|was)\b[^?]*?(?:\s[-–—]\s|[:?]\s*)[^?]*\bor\b[^?]*\?\s*$",
    re.IGNORECASE,
)
# "What exactly are the 'enablers' ...?", "Who precisely are the partners?": the asker wants them spelled out
_SPECIFICS = re.compile(
    r"^\W*(?:what|who|which)\s+(?:exactly|precisely|specifically)\s+(?:are|is|were|was)\s+"
    r"(?:the\s+|these\s+|those\s+|its\s+|their\s+)?['‘“\"]?(?P<thing>[a-z][\w -]{2,40}?)['’”\"]?"
    r"(?=\s+(?:of|on|in|for|that|which|the|they|to|mentioned|referred|named)\b|\s*[?.,])",
    re.IGNORECASE,
)


# Working with other countries, in the public's languages: "who will they work with?", "Con qué países quieren
# colaborar?", "Which parts involve working with countries outside Europe?"
_PARTNERING = re.compile(
    r"\b(?:work(?:ing|s)?|co-?operat\w*|collaborat\w*|partner(?:s|ing|ships?)?|team(?:ing)?\s+up|engag\w*)\s+"
    r"(?:\w+\s+)?(?:with|w)\b|(?<!\w)(?:zusammenarbeit\w*|zusammenzuarbeiten|kooperier\w*|"
    r"travailler avec|coopérer|collaborer|colaborar|cooperar|trabajar con|trabalhar com|collaborare|cooperare|"
    r"lavorare con|samenwerk\w*|samen te werken|samarbejd\w*|samarbeid\w*|samarbet\w*|współprac\w*|spolupr\w*|"
    r"spoluprac\w*|sodelova\w*|sodeloval\w*|surađiva\w*|sarađiva\w*|együttműköd\w*|coopera\w*|colabora\w*|"
    r"yhteistyö\w*|koostöö\w*|sadarb\w*|bendradarb\w*|συνεργ\w*|сътруднич\w*|співпрац\w*|сотрудничать)(?!\w)",
    re.IGNORECASE,
)
# ... and asked with whom: who, which countries or parts, or (another language) the glossary's countries
_WITH_WHOM = re.compile(
    r"\bwho\b|\bwhom\b|\bw who\b|\b(?:which|what)\s+(?:other\s+)?(?:countries|states|nations|partners|parts?)\b|"
    r"(?<!\w)(?:hvem|wer|mit wem|qui|avec qui|quién|con quién|chi|con chi|quem|com quem|kto|z kim|kdo|s kým|kim|"
    r"kuka|kenen|kes|kellega|kivel|cine|cu cine|ποιος|ποιους|με ποιους|кой|с кого|хто|з ким|tko|s kim|vem|"
    r"med vem)(?!\w)",
    re.IGNORECASE,
)
# ... or which, before the word for countries ("Con qué países ...?", "In s katerimi državami ...?")
_WHICH_FOREIGN = re.compile(
    r"(?<!\w)(?:welche[nmrs]?|quels?|quelles?|qué|cuáles|quali|quais|welke|hvilke|vilka|którymi|których|kterými|"
    r"kterých|ktorými|ktorých|katerimi|katerih|kojim\w*|kojih|melyik|mely|căror|ποιες|ποιων|кои|които|якими|яких|"
    r"mitkä|minkä|kuriais|kurių|kurām|hvaða)(?!\w)",
    re.IGNORECASE,
)
# ... not which ones did something already, nor which by name ("Nämns några länder vid namn?")
_NOT_PARTNERING = re.compile(
    r"\b(?:agreed|signed|accepted|named|by name)\b|(?<!\w)(?:vid namn|ved navn|med navn|beim namen|namentlich|"
    r"par leur nom|por su nombre|per nome|pelo nome|bij naam|z nazwy|z imienia|jménem|menovite|po imenu|név szerint|"
    r"nimeltä|nimel|pe nume|ονομαστικά|по име|поименно|nämn\w*|nævn\w*|nevn\w*|genannt)(?!\w)",
    re.IGNORECASE,
)
# Countries described by their part in migration, not named: the partners a migration document means
_PARTNER_COUNTRIES = re.compile(
    r"\bthird[- \n]+countr\w*|\bcountr\w*\s+(?:of|at|in)\s+(?:origin|source|transit|destination)\b|"
    r"\b(?:origin|source|transit|destination|partner|neighbou?ring)\s+countr\w*",
    re.IGNORECASE,
)


def _asks_partners(question: Question) -> bool:
    """Whether a question asks which countries (or who) the documents mean to work with, not which ones did
    something already ("Which countries outside Europe have agreed to take people back?") nor exactly which."""
    text = question.text  # the asker's own words: "¿y cuánto dinero piensan darles?" after "¿Con quién ...?" is not
    if question.kind not in (Kind.FACT, Kind.LIST, Kind.AUTHORS) or not _PARTNERING.search(text):
        return False
    if question.expects not in (None, Expects.COUNTRY, Expects.PERSON, Expects.ORGANISATION, Expects.PLACE):
        return False  # "Who will pay for cooperation with third countries?" asks for an amount
    if _NOT_PARTNERING.search(text) or _EXACTLY.search(text) or _EXACTLY_ENGLISH.search(text):
        return False
    countries = not question.english and "countries" in question.gloss.values() and _WHICH_FOREIGN.search(text)
    return bool(_WITH_WHOM.search(text) or countries)


# "examples of the ever-evolving challenges": what the examples would have to be of (its last word the noun)
_EXAMPLES_OF = re.compile(
    r"\bexamples?\s+of\s+(?:the\s+|these\s+|those\s+|its\s+|their\s+)?(?P<thing>[a-z][\w' -]{2,40}?)"
    r"(?=\s*[?.,!]|\s+(?:does|do|did|is|are|was|were|will|would|can|in|from)\b|$)",
    re.IGNORECASE,
)


# "which X ... exactly / actually / concretely" in the public's languages: the X themselves are asked for
_EXACTLY_ENGLISH = re.compile(r"\b(?:exactly|precisely|specifically|concretely|actually|in particular)\b", re.I)
_EXACTLY = re.compile(
    r"(?<!\w)(?:genau|konkret\w*|exactement|"
    r"précisément|concrètement|exactamente|concretamente|precisamente|esattamente|precies|concreet|"
    r"precis|eksakt|dokładnie|konkretnie|přesně|konkrétn\w*|presne|pontosan|exact|concrèt\w*|ακριβώς|"
    r"συγκεκριμέν\w*|точно|конкретн\w*|natančno|tačno|točno|täpselt|konkreetse\w*|tieši|konkrēt\w*|tiksliai|"
    r"konkreči\w*|tarkalleen|tarkkaan|täsmälleen)(?!\w)",
    re.IGNORECASE,
)


def _exactly_asked(question: Question) -> list[str]:
    """What a question asks for exactly ("which gangs exactly", "Aké konkrétne sankcie"): in English the noun it asks
    for, in another language the document words the glossary and lexicon read in it (one of them must be spelled
    out). Empty when it asks nothing exactly, or for a count, a yes or no, or a part of the document's structure."""
    match = (_EXACTLY_ENGLISH if question.english else _EXACTLY).search(question.standalone)
    if question.kind not in (Kind.FACT, Kind.LIST) or match is None:
        return []
    if question.english:
        return [n for n in question.asked if not content_stems(n) <= _GENERIC_STEMS]
    # the word it qualifies, right before or after it ("konkrétne sankcie", "Organisationen genau"), not a verb's
    # manner ("Qu'est-ce qu'ils prévoient concrètement pour la police ?")
    before = words(question.standalone[: match.start()])[-1:]
    after = words(question.standalone[match.end() :])[:1]
    glossed = [question.gloss.get(w, "") for w in before + after]
    return [w for w in glossed if w.islower() and not content_stems(w) <= _GENERIC_STEMS]


# "Apart from X, which other Y ...?": Y besides the X the asker already has
_APART_FROM = re.compile(
    r"^\W*(?:apart from|besides|other than|aside from|except(?: for)?|beyond)\s+(?P<given>[^,?]{3,80}),\s*"
    r"(?:what|which)\s+other\s+(?P<kind>[a-z][\w-]+)",
    re.IGNORECASE,
)


def _names_besides(text: str, given: str) -> bool:
    """Whether a quote names something besides `given` ("agencies like the IOM and UNHCR" besides "the IOM"); a quote
    without it is about something else, so it counts."""
    at = text.lower().find(given.lower().strip())
    if at < 0:
        return True
    rest = text[:at] + " " + text[at + len(given.strip()) :]
    return _NAMED_AGENT.search(rest) is not None


# "Who decides ...?", "Who will draw up ...?", "Who is responsible for ...?": the party in charge, by name
_RESPONSIBLE = re.compile(
    r"^\W*(?:and\s+)?who(?:'s|’s|\s+)\s*(?:(?:will|would|should|must|shall|can|is going to|are going to|is|are)\s+)?"
    r"(?:be\s+)?"
    r"(?:actually\s+|really\s+|exactly\s+|then\s+)?"
    r"(?:decides?|determines?|draws? up|drafts?|leads?|oversees?|monitors?|supervises?|enforces?|implements?|"
    r"approves?|funds?|funding|finances?|financing|pays?|paying|foot(?:s|ing)? the bill|pick(?:s|ing)? up the "
    r"(?:bill|tab)|cover(?:s|ing)? the costs?|coordinates?|chairs?|responsible|in charge|imposes?|carr(?:y|ies) out|"
    r"administers?|handles?|runs?|sets? up|takes? the lead)\b",
    re.IGNORECASE,
)
# "responsible / in charge" in the public's other languages ("Kas bus atsakingas už ...?", "Wer ist zuständig ...?")
_RESPONSIBLE_FOREIGN = re.compile(
    r"(?<!\w)(?:verantwortlich\w*|zuständig\w*|responsables?|responsabil[ei]\w*|verantwoordelijk\w*|"
    r"odpowiedzialn\w*|odpovědn\w*|zodpovedn\w*|felelős\w*|υπεύθυν\w*|отговорн\w*|відповідальн\w*|"
    r"ответственн\w*|odgovor(?:an|na|no|ni|nost)\w*|vastutav\w*|atbildīg\w*|atsaking\w*|ansvarig\w*|ansvarlig\w*|"
    r"vastuussa|ábyrg\w*|freagrach)(?!\w)",
    re.IGNORECASE,
)
_NAMED_AGENT = re.compile(r"(?<=\w[\s,])\s*(?:the\s+)?(?:[A-Z][a-z]+|[A-Z]{2,})\b")  # a name past the first word


EXAMPLE_REACH = 50  # characters after a word of the thing in which its example may begin


def _exemplified(sentence: str, thing: str) -> bool:
    """Whether a sentence gives an example of `thing` ("new ways to target smuggling gangs, such as ..."): an example
    marker shortly after one of its words."""
    return any(
        _EXAMPLE_GIVEN.search(after[:EXAMPLE_REACH])
        for word in content_stems(thing)
        for _, after in _around(sentence, word)
    )


def _spells_out(sentence: str, thing: str) -> bool:
    """Whether a sentence says what `thing` is: a list or description right after it ("agencies like the IOM",
    "themes: ..."), not only its name ("common principles using all the tools")."""
    head = thing.split()[-1]
    return any(_DESCRIBING_AFTER.match(after) or _LISTED_AFTER.match(after) for _, after in _around(sentence, head))


def _describes(sentence: str, noun: str, question: str) -> bool:
    """Whether a sentence says what kind of `noun` it is about: a word before it that the question does not already
    use ("innovative partnerships", "a 'whole-of-route approach'") or a description after it ("pilots that are
    fair", "agencies like the IOM"). "the powers, data and capabilities" says nothing of which data."""
    asked = {w.lower() for w in words(question)}
    for before, after in _around(sentence, noun):
        before = re.sub(r"[\s'‘’\"“”]+$", "", before)
        modifier = re.findall(r"[\w-]+$", before) if before and not before.endswith((",", ";", ":", ".")) else []
        if modifier and modifier[0].lower() not in _NOT_DESCRIBING and modifier[0].lower() not in asked:
            return True
        if _DESCRIBING_AFTER.match(after):
            return True
    return False


def _around(sentence: str, noun: str) -> Iterator[tuple[str, str]]:
    """The text before and after each word of the sentence that is `noun` (by its stem's first five letters)."""
    stem = next(iter(content_stems(noun)), noun.lower())
    for match in re.finditer(rf"\b{re.escape(stem[:5])}\w*", sentence, re.IGNORECASE):
        yield sentence[: match.start()], sentence[match.end() :]


def _topic_held(question: Question, window: Window) -> bool:
    """Whether the window's passage holds the topics the lexicon found in the question (its checked topic words:
    returns, smugglers, borders, ... and the countries named in another language, and the public's words for the
    documents' in English; not the e5 glossary's guesses)."""
    topics = {concept for word, concept in question.gloss.items() if concept_of(word, question.language) == concept}
    if not question.english:  # and the countries CLDR names ("Какво казва декларацията за Дания?")
        topics = (topics & TOPIC_CONCEPTS) | (set(question.gloss.values()) & country_names_english())
    stems = set().union(*(content_stems(t) for t in topics)) if topics else set()
    return bool(stems) and stems <= content_stems(window.chunk.embedding_text)


def _qualifiers(text: str, asked: list[str]) -> set[str]:
    """The stems of the words between "which"/"what" and the noun asked for ("Which EU agency ...", "what national
    laws ..."): they narrow the type asked for, they are not what the answer must be about."""
    stems: set[str] = set()
    for noun in asked:
        match = re.search(rf"\b(?:which|what)\s+((?:[\w'’-]+\s+){{1,3}}){re.escape(noun)}\b", text, re.IGNORECASE)
        if match:
            stems |= content_stems(match.group(1))
    return stems


def _meant(question: Question) -> set[str]:
    """The documents' words the lexicon put in for the question's everyday ones ("deporting" -> "returns", "send them
    back" -> "return"): they name what it is about."""
    if not question.reworded:
        return set()
    return content_stems(question.reworded) - content_stems(question.text)


def _meant_held(question: Question, window: Window) -> bool:
    """Whether the window's passage holds every word the lexicon put in for the question's everyday ones."""
    meant = _meant(question)
    return bool(meant) and meant <= content_stems(window.chunk.embedding_text)


_QUOTED_TERM = re.compile(r"(?<!\w)['‘“\"]([^'’”\"]{3,60})['’”\"](?!\w)")
_MENTIONED = re.compile(
    r"\b(?:mentions?|mentioned|brings? up|talks? about|refers? to|says? anything about|covers?|discuss(?:es)?|"
    r"address(?:es)?)\s+(?P<topic>[^?.!]{3,80})",
    re.IGNORECASE,
)
_ANYWHERE = re.compile(r"\b(?:at all|anywhere|somewhere|in (?:the|this|its) (?:statement|document|text))\b", re.I)
VERBATIM_MAX_WORDS = 4  # a question this short is its own topic ("enablers??", "visa leverage?")


# The words for the types of thing a question asks for: what a typed answer holds, not what it is about; and "new",
# which says nothing of a topic ("naujų pilotų": the pilots)
_TYPE_STEMS = content_stems(
    "country countries nation nations state states agency agencies organisation organisations organization "
    "organizations body bodies institution institutions date dates day days year years time person people name names "
    "place places city cities new"
)


def _glossed_on_topic(question: Question, window: Window) -> bool:
    """Whether a typed answer to a question in another language holds something of what it is about, besides the
    type asked for: a word the glossary read in the question ("Schleuserbanden" -> "smugglers")."""
    topics = [w for w in question.gloss.values() if w.islower()]  # a name ("Europa" -> "European") is no topic
    about = content_stems(" ".join(topics)) - _GENERIC_STEMS - _TYPE_STEMS
    return not about or bool(about & content_stems(window.chunk.embedding_text))


def _named_verbatim(question: Question, window: Window) -> bool:
    """Whether the question names its topic in the document's own words and the best sentence holds them all: the
    words it quotes, or, in a question of a few words, all of its content words (what MiniLM scores low alone)."""
    quoted = _QUOTED_TERM.findall(question.standalone)
    mentioned = _MENTIONED.search(question.standalone) if question.kind is Kind.YES_NO else None
    if quoted:
        terms = " ".join(quoted)
    elif mentioned:  # "Does the statement bring up education at all?": it does, in those words
        terms = _ANYWHERE.sub(" ", mentioned.group("topic"))
    elif len(words(question.standalone)) <= VERBATIM_MAX_WORDS:
        terms = question.standalone
    else:
        return False
    asked = content_stems(terms) - _GENERIC_STEMS
    return bool(asked) and asked <= content_stems(window.sentence.text)


def _bare(text: str) -> str:
    """Text as words only: lowercase, no punctuation or quotation marks, single spaces (how a quote is recognised in
    an answer that quoted it with other marks)."""
    return " ".join(re.sub(r"[^\w\s-]", " ", text.lower()).split())


def _echoable(names: list[str], question: Question) -> list[str]:
    """The unknown names a refusal may repeat: none from a question that tries to steer the assistant, and no
    all-capitals word (a planted token such as "PWNED" looks like an acronym)."""
    if INSTRUCTION_CUES.search(question.text):
        return []
    return [n for n in names if not n.replace(" ", "").isupper()]


def _stem_in(stem: str, vocabulary: frozenset[str]) -> bool:
    return (
        any(v.startswith(stem[: max(4, len(stem) - 1)]) for v in vocabulary) if len(stem) >= 4 else stem in vocabulary
    )


def _latin_english(text: str) -> bool:
    return all(ord(ch) <= 0x7F for ch in text)


def _corpus_name(evidence: list[Evidence], outlines: Mapping[str, Outline], question: Question) -> str:
    """How a refusal names what it looked in: the statement, the named document, or the documents."""
    if len(outlines) <= 1:
        return "The statement"
    if question.document is not None and question.document in outlines:
        return f"“{outlines[question.document].name}”"
    return "The documents"


def _asked_stems(question: Question, forms: list[str], cross_lingual: bool) -> set[str]:
    """The content stems the question asks with: of its forms, or (asked in another language) of the words the
    glossary mapped them onto."""
    if cross_lingual:
        return content_stems(" ".join(question.gloss.values()))
    return set().union(*(content_stems(q) for q in forms))


ECHO_NEW_WORDS = 1  # a clause adding at most this many content words to the question's only repeats it


def _echoes(window: Window, asked: set[str]) -> bool:
    """A clause that only repeats the question's words ("forge new and innovative partnerships" for "what are the new
    partnerships meant to achieve?") answers nothing by itself: the rest of its sentence says what was asked."""
    if window.span.end >= window.sentence.end - 1:
        return False
    return len(content_stems(window.span.text) - asked) <= ECHO_NEW_WORDS


_SEGMENT = re.compile(r",\s+|;\s+|\s+[—–]\s+")


def _tighten(window: Window, found: tuple[int, int]) -> Window:
    """The comma-separated segment of the window that holds the found thing (if it has a few words)."""
    text = window.span.text
    cuts = [0, *(m.end() for m in _SEGMENT.finditer(text)), len(text) + 2]
    for left, right in pairwise(cuts):
        if left <= found[0] and found[1] <= right:
            start, end = left, min(right, len(text))
            segment = text[start:end].rstrip(" ,;—–")
            if len(segment.split()) < 4:
                return window
            s = window.span.start + start
            span = Span(start=s, end=s + len(segment), text=segment)
            return Window(window.chunk, span, window.sentence)
    return window


def _to_sentence_end(window: Window) -> Window:
    """The window extended to the end of its sentence."""
    end = window.sentence.end
    text = window.sentence.text[window.span.start - window.sentence.start :].rstrip()
    span = Span(start=window.span.start, end=window.span.start + len(text), text=text)
    return Window(window.chunk, span, window.sentence) if span.end <= end else window


READABLE_WORDS = 40  # a sentence this short is quoted whole for a topic question


def _readable(sentence: Span) -> bool:
    return len(sentence.text.split()) <= READABLE_WORDS


def _phrase(window: Window) -> str:
    """The window as a readable clause, framed by its bullet heading when it does not start the bullet."""
    text = fold_whitespace(window.span.text)
    heading = window.chunk.path[-1] if window.chunk.kind == "bullet" and len(window.chunk.path) > 1 else None
    if heading and not text.startswith(heading):
        return f"Under “{heading}”: {text}"
    return text[0].upper() + text[1:]


def _join_sentences(parts: list[str]) -> str:
    out = []
    for part in parts:
        body, marker = part.rsplit(" [", 1)
        body = body.rstrip(".;:, ")
        out.append(f"{body} [{marker}.")
    return " ".join(out)


def word_pieces(text: str) -> Iterator[str]:
    """A text in word-sized pieces (for streaming an answer that is ready at once)."""
    start = 0
    for i, ch in enumerate(text):
        if ch == " " and i > start:
            yield text[start : i + 1]
            start = i + 1
    if start < len(text):
        yield text[start:]
