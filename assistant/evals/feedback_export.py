"""Public feedback -> draft eval cases (dataset format) for staff to complete: thumbs-down first.

A draft keeps the question, its history and a note with what the assistant said and why the person rated it. It is
tagged "draft", so the loader refuses it until staff confirm `answerable`, fill `facts` and `quotes` and drop the tag.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from assistant.answer.question import detect_language
from assistant.evals.dataset import DRAFT_TAG, Case, CorpusDocuments, DatasetError, Problem, parse_case
from assistant.feedback import FeedbackRecord, FeedbackStore
from assistant.models import Document, fold_whitespace


def draft_case(records: Sequence[FeedbackRecord]) -> Case:
    """Every rating of one question (and history) as one draft case; the first record (the most telling: thumbs-down,
    newest) gives the id. The note keeps each rating with its reason and comment, and each distinct answer.

    `answerable` is a guess for staff to confirm: only refusals that were all rated thumbs-up suggest the question
    should be refused. The citations of thumbs-up answers are offered as supporting quotes (people found them right).
    """
    if not records:
        raise ValueError("a draft needs at least one rating")
    first = records[0]
    refusal_votes = [r.rating for r in records if r.refused]
    answerable = not (refusal_votes and all(vote == "up" for vote in refusal_votes))
    quotes = [str(c["quote"]) for r in records if r.rating == "up" for c in r.citations if c.get("quote")]
    return Case(
        id=f"fb-{first.id}",
        question=first.question,
        history=[(q, a) for q, a in first.history],
        answerable=answerable,
        facts=[],
        forbidden=[],
        quotes=list(dict.fromkeys(quotes)),
        tags=[DRAFT_TAG, "feedback", *dict.fromkeys(f"feedback-{r.rating}" for r in records)],
        lang=detect_language(first.question),
        note=draft_note(records),
    )


def draft_note(records: Sequence[FeedbackRecord]) -> str:
    """Each rating (its reason and comment) and each distinct thing the assistant said, for staff to read."""
    ratings = []
    for record in records:
        text = f"#{record.id} thumbs-{record.rating}" + (f" ({record.reason})" if record.reason else "")
        ratings.append(text + (f": {fold_whitespace(record.comment)}" if record.comment else ""))
    said: dict[tuple[bool, str], list[str]] = {}
    for record in records:
        said.setdefault((record.refused, fold_whitespace(record.answer)), []).append(f"#{record.id}")
    answers = [
        f"{'refused' if refused else 'answered'}" + (f" ({', '.join(ids)})" if len(said) > 1 else "") + f": {text}"
        for (refused, text), ids in said.items()
    ]
    count = f" [asked {len(records)} times]" if len(records) > 1 else ""
    return "; ".join(ratings) + count + ". The assistant " + " | ".join(answers)


def feedback_drafts(store: FeedbackStore) -> list[Case]:
    """Draft cases from every stored rating: thumbs-down first, newest first, one per distinct question and history
    (holding all its ratings)."""
    records = store.list(limit=max(1, store.count()))
    records.sort(key=lambda r: (r.rating != "down", -(r.id or 0)))
    groups: dict[str, list[FeedbackRecord]] = {}
    for record in records:
        groups.setdefault(conversation_key(record), []).append(record)
    return [draft_case(same) for same in groups.values()]


def conversation_key(record: FeedbackRecord) -> str:
    """Ratings with the same key are of the same question (any case and spacing) after the same history."""
    return json.dumps([fold_whitespace(record.question).casefold(), record.history], ensure_ascii=False)


def draft_for(store: FeedbackStore, feedback_id: int) -> Case | None:
    """The draft case of one rating, holding every rating of the same question (None: no such rating)."""
    records = store.list(limit=max(1, store.count()))
    chosen = next((r for r in records if r.id == feedback_id), None)
    if chosen is None:
        return None
    same = [r for r in records if conversation_key(r) == conversation_key(chosen)]
    same.sort(key=lambda r: (r.id != feedback_id, r.rating != "down", -(r.id or 0)))  # the chosen one gives the id
    return draft_case(same)


def append_draft(
    path: str | Path,
    text: str,
    documents: Mapping[str, Document] | None = None,
    corpora: CorpusDocuments | None = None,
) -> tuple[Case, list[Problem]]:
    """Check one case given as JSON text and append it as one line (the dataset format) to the drafts file.

    Raises DatasetError, appending nothing, for what makes it unusable (bad JSON, a wrong type, a quote not in the
    corpus, an id already in the file). Returns the case and what staff must still do before it can be scored."""
    target = Path(path)
    case, todo = parse_case(text, documents, corpora, where=target.name)
    if case.id in _ids(target):
        raise DatasetError([Problem(target.name, 0, "id", f"{case.id!r} is already in {target.name}")])
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(case.model_dump(), ensure_ascii=False) + "\n"
    with target.open("a", encoding="utf-8") as out:
        if target.stat().st_size and not target.read_bytes().endswith(b"\n"):
            out.write("\n")
        out.write(line)
    return case, todo


def _ids(path: Path) -> set[str]:
    """The ids of the cases in a JSON Lines file (lines that are not JSON objects are skipped)."""
    if not path.is_file():
        return set()
    ids = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ids.add(data["id"])
    return ids


def export_feedback(db: str | Path, out: str | Path) -> list[Case]:
    """Write the drafts as JSON Lines to `out`; returns them. `db`: an SQLite file or a database URL."""
    drafts = feedback_drafts(FeedbackStore.existing(db))
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(case.model_dump(), ensure_ascii=False) for case in drafts]
    target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return drafts
