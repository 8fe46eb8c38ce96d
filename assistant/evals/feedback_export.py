"""Public feedback -> draft eval cases (dataset format) for staff to complete: thumbs-down first.

A draft keeps the question, its history and a note with what the assistant said and why the person rated it. It is
tagged "draft", so the loader refuses it until staff confirm `answerable`, fill `facts` and `quotes` and drop the tag.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.answer.question import detect_language
from assistant.evals.dataset import DRAFT_TAG, Case
from assistant.feedback import FeedbackRecord, FeedbackStore
from assistant.models import fold_whitespace


def draft_case(record: FeedbackRecord, ratings: int = 1) -> Case:
    """One feedback record as a draft case.

    `answerable` is a guess for staff to confirm: only a refusal rated thumbs-up suggests the question should be
    refused. A thumbs-up answer's citations are offered as its supporting quotes (the person found them right).
    """
    answerable = not (record.refused and record.rating == "up")
    quotes = [str(c["quote"]) for c in record.citations if c.get("quote")] if record.rating == "up" else []
    said = "refused" if record.refused else "answered"
    note = f"thumbs-{record.rating}" + (f" ({record.reason})" if record.reason else "")
    if record.comment:
        note += f": {fold_whitespace(record.comment)}"
    if ratings > 1:
        note += f" [asked {ratings} times]"
    note += f". The assistant {said}: {fold_whitespace(record.answer)}"
    return Case(
        id=f"fb-{record.id}",
        question=record.question,
        history=[(q, a) for q, a in record.history],
        answerable=answerable,
        facts=[],
        forbidden=[],
        quotes=list(dict.fromkeys(quotes)),
        tags=[DRAFT_TAG, "feedback", f"feedback-{record.rating}"],
        lang=detect_language(record.question),
        note=note,
    )


def feedback_drafts(store: FeedbackStore) -> list[Case]:
    """Draft cases from every stored rating: thumbs-down first, newest first, one per distinct question and history."""
    records = store.list(limit=max(1, store.count()))
    records.sort(key=lambda r: (r.rating != "down", -(r.id or 0)))
    groups: dict[str, list[FeedbackRecord]] = {}
    for record in records:
        groups.setdefault(_conversation_key(record), []).append(record)
    return [draft_case(same[0], len(same)) for same in groups.values()]


def _conversation_key(record: FeedbackRecord) -> str:
    return json.dumps([fold_whitespace(record.question).casefold(), record.history], ensure_ascii=False)


def export_feedback(db: str | Path, out: str | Path) -> list[Case]:
    """Write the drafts as JSON Lines to `out`; returns them. `db`: an SQLite file or a database URL."""
    drafts = feedback_drafts(FeedbackStore.existing(db))
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(case.model_dump(), ensure_ascii=False) for case in drafts]
    target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return drafts
