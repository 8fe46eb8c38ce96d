"""Eval cases as JSON Lines: load, validate (every error names the file, line and field) and locate quotes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from assistant.errors import AssistantError
from assistant.models import Document, fold_whitespace

DRAFT_TAG = "draft"


class Case(BaseModel):
    """One line of a dataset: a question and what a right answer contains (see evals/README.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[\w][\w.:-]*$")
    question: str = Field(min_length=1)
    history: list[tuple[str, str]] = Field(default_factory=list, description="Earlier turns, [question, answer]")
    answerable: StrictBool = Field(description="true or false; never a string or a number ('no', 0)")
    facts: list[list[str]] = Field(default_factory=list, description="Each fact as alternative phrasings")
    forbidden: list[str] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list, description="Verbatim (whitespace-folded) spans of a document")
    tags: list[str] = Field(default_factory=list)
    lang: str = Field("en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
    note: str | None = Field(None, description="Free text for staff (e.g. the feedback a draft came from)")
    corpus: str | None = Field(
        None,
        pattern=r"^[\w][\w.-]*$",
        description="Another corpus to ask this case on: the folder corpora/<name> beside the dataset file",
    )


@dataclass(frozen=True)
class Problem:
    """One reason a dataset cannot be used, pointing at its line and field."""

    path: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DatasetError(AssistantError, ValueError):
    """The dataset has problems; `problems` lists each with its line and field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Location:
    """Where a quote sits: document.text[start:end]."""

    document_id: str
    start: int
    end: int


class QuoteFinder:
    """Finds quotes in the corpus ignoring how the source is wrapped, and returns their offsets in the original text."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._folded = {doc_id: _fold_with_offsets(doc.text) for doc_id, doc in documents.items()}

    def locate(self, quote: str) -> list[Location]:
        """Every occurrence of the quote (whitespace-folded, case-sensitive) in every document."""
        needle = fold_whitespace(quote)
        found: list[Location] = []
        if not needle:
            return found
        for doc_id, (folded, origin) in self._folded.items():
            at = folded.find(needle)
            while at >= 0:
                last = at + len(needle) - 1
                found.append(Location(doc_id, origin[at], origin[last] + 1))
                at = folded.find(needle, at + 1)
        return found


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """fold_whitespace(text) and, for each of its characters, the index in `text` it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    for match in re.finditer(r"\S+|\s+", text):
        if match.group().isspace():
            if chars:  # leading whitespace is dropped; trailing is trimmed below
                chars.append(" ")
                origin.append(match.start())
        else:
            chars.extend(match.group())
            origin.extend(range(match.start(), match.end()))
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return "".join(chars), origin


@dataclass
class Dataset:
    """The validated cases of one file, with the line each came from."""

    path: Path
    cases: list[Case]
    lines: dict[str, int]

    def on_corpus(self, name: str | None = None) -> Dataset:
        """The cases asked on one corpus (None: the configured one)."""
        return self.subset(lambda case: case.corpus == name)

    def subset(self, keep: Callable[[Case], bool]) -> Dataset:
        """The cases `keep` accepts (e.g. those asked on one corpus)."""
        return Dataset(self.path, [c for c in self.cases if keep(c)], self.lines)

    def check_quotes(self, documents: Mapping[str, Document]) -> dict[str, list[list[Location]]]:
        """Each case's quote locations (per quote, every occurrence); DatasetError if a quote is not in the corpus."""
        finder = QuoteFinder(documents)
        problems: list[Problem] = []
        located: dict[str, list[list[Location]]] = {}
        for case in self.cases:
            located[case.id] = []
            for n, quote in enumerate(case.quotes):
                places = finder.locate(quote)
                if not places:
                    problems.append(
                        Problem(
                            str(self.path), self.lines[case.id], f"quotes[{n}]", f"not found in the corpus: {quote!r}"
                        )
                    )
                located[case.id].append(places)
        if problems:
            raise DatasetError(problems)
        return located


CorpusDocuments = Callable[[str], Mapping[str, Document] | None]


def load_dataset(
    path: str | Path,
    documents: Mapping[str, Document] | None = None,
    corpora: CorpusDocuments | None = None,
) -> Dataset:
    """Parse and validate a JSON Lines dataset; with `documents`, also check every quote is in the corpus.

    `corpora` gives the documents of a case's named `corpus` (None: no such corpus). Every problem of every line is
    collected first (format, types, rules, duplicates, quotes), then raised together as one DatasetError listing each
    as `file:line: field: message`.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError([Problem(str(path), 0, None, f"cannot read the dataset: {error}")]) from error
    problems: list[Problem] = []
    cases: list[Case] = []
    lines: dict[str, int] = {}
    quoted: list[tuple[int, str | None, list[tuple[int, str]]]] = []  # (line, corpus, quotes) of every line
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        case, case_id, found = _parse_line(str(path), number, line, quoted)
        problems.extend(found)
        if case_id is not None and case_id in lines:
            problems.append(
                Problem(str(path), number, "id", f"duplicate id {case_id!r} (first on line {lines[case_id]})")
            )
            continue
        if case_id is not None:
            lines[case_id] = number
        if case is not None and not found:
            cases.append(case)
    if not lines and not problems:
        problems.append(Problem(str(path), 0, None, "the dataset has no cases"))
    if documents is not None or corpora is not None:
        problems.extend(_quote_problems(str(path), quoted, documents, corpora))
    dataset = Dataset(path, cases, lines)
    if problems:
        raise DatasetError(sorted(problems, key=lambda p: p.line))
    return dataset


def parse_case(
    text: str,
    documents: Mapping[str, Document] | None = None,
    corpora: CorpusDocuments | None = None,
    where: str = "case",
) -> tuple[Case, list[Problem]]:
    """One case given as JSON text (e.g. edited in the staff view): the Case and the rules it does not meet yet (a
    draft tag, missing facts or quotes, blank strings). DatasetError lists what makes it no usable case at all: bad
    JSON, a wrong type or unknown field, a quote not in its corpus."""
    quoted: list[tuple[int, str | None, list[tuple[int, str]]]] = []
    case, _, found = _parse_line(where, 0, text.strip(), quoted)
    missing = _quote_problems(where, quoted, documents, corpora) if documents is not None or corpora else []
    if case is None or missing:
        raise DatasetError([*(found if case is None else []), *missing])
    return case, found


def _parse_line(
    path: str, number: int, line: str, quoted: list[tuple[int, str | None, list[tuple[int, str]]]]
) -> tuple[Case | None, str | None, list[Problem]]:
    """The case on one line (None when it has a format problem), its id when it has one, and every problem found.
    The line's quotes are added to `quoted` (even when other fields are wrong) to be looked up in the corpus."""
    repeated: list[str] = []
    try:
        data = json.loads(line, object_pairs_hook=lambda pairs: _object(pairs, repeated))
    except json.JSONDecodeError as error:
        return None, None, [Problem(path, number, None, f"not valid JSON: {error.msg} (column {error.colno})")]
    if not isinstance(data, dict):
        return None, None, [Problem(path, number, None, f"a case must be a JSON object, not {type(data).__name__}")]
    case_id = data.get("id") if isinstance(data.get("id"), str) else None
    corpus = data.get("corpus")
    if corpus is None or isinstance(corpus, str):
        quoted.append((number, corpus, [(n, q) for n, q in _strings(data.get("quotes")) if q.strip()]))
    found = [Problem(path, number, name, "given more than once (JSON keeps only the last)") for name in repeated]
    case = None
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        found += [Problem(path, number, _field_name(e["loc"]), _message(e)) for e in error.errors()]
    found += [Problem(path, number, field, message) for field, message in _check_case(data)]
    return case, case_id, found


def _quote_problems(
    path: str,
    quoted: list[tuple[int, str | None, list[tuple[int, str]]]],
    documents: Mapping[str, Document] | None,
    corpora: CorpusDocuments | None,
) -> list[Problem]:
    """Every quote not found in the corpus its line is asked on, and every line naming a corpus that does not exist."""
    finders: dict[str | None, QuoteFinder | None] = {None: QuoteFinder(documents) if documents is not None else None}
    problems: list[Problem] = []
    for number, corpus, quotes in quoted:
        if corpus not in finders:
            found = corpora(corpus) if corpora is not None and corpus is not None else None
            finders[corpus] = QuoteFinder(found) if found is not None else None
        finder = finders[corpus]
        if finder is None:
            if corpus is not None and corpora is not None:
                problems.append(Problem(path, number, "corpus", f"no folder corpora/{corpus} beside the dataset"))
            continue
        problems += [
            Problem(path, number, f"quotes[{n}]", f"not found in the corpus: {quote!r}")
            for n, quote in quotes
            if not finder.locate(quote)
        ]
    return problems


def _object(pairs: list[tuple[str, Any]], repeated: list[str]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated.extend(key for n, key in enumerate(keys) if key in keys[:n])
    return dict(pairs)


def _strings(value: object) -> list[tuple[int, str]]:
    """The (index, text) of the strings in a list; nothing when it is not a list (pydantic reports that)."""
    return [(n, item) for n, item in enumerate(value) if isinstance(item, str)] if isinstance(value, list) else []


def _check_case(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What pydantic cannot say about one case: rules across fields and blank strings. Works on the raw JSON, so a
    line with a type error still gets these checks in the same run (each on the fields that have the right type)."""
    found: list[tuple[str, str]] = []
    question = data.get("question")
    if isinstance(question, str) and question and not question.strip():
        found.append(("question", "the question is blank"))
    if DRAFT_TAG in [tag for _, tag in _strings(data.get("tags"))]:
        found.append(("tags", "still a draft: confirm 'answerable', fill 'facts' and 'quotes', then remove the tag"))
    facts = data.get("facts", [])
    for n, fact in enumerate(facts if isinstance(facts, list) else []):
        if fact == []:
            found.append((f"facts[{n}]", "a fact needs at least one phrasing"))
        found.extend((f"facts[{n}][{i}]", "a phrasing is blank") for i, alt in _strings(fact) if not alt.strip())
    found.extend((f"quotes[{n}]", "a quote is blank") for n, quote in _strings(data.get("quotes")) if not quote.strip())
    found.extend((f"forbidden[{n}]", "blank") for n, text in _strings(data.get("forbidden")) if not text.strip())
    answerable = data.get("answerable")
    if answerable is True:
        if data.get("facts", []) == []:
            found.append(("facts", "an answerable case needs at least one expected fact"))
        if data.get("quotes", []) == []:
            found.append(("quotes", "an answerable case needs at least one supporting quote"))
    elif answerable is False and isinstance(facts, list) and facts:
        found.append(("facts", "an unanswerable case expects a refusal: leave facts empty"))
    return found


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(case)"


def _message(error: object) -> str:
    assert isinstance(error, dict)
    if error.get("type") == "missing":
        return "required field is missing"
    if error.get("type") == "extra_forbidden":
        return "unknown field (see evals/README.md for the format)"
    return str(error.get("msg", "invalid"))
