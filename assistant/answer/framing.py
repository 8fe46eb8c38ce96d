"""An answer in the asker's language: its fixed framing from the "answers" message catalogs, the quotes verbatim.

An answerer writes its English text and tags the Draft with a `Frame`: which catalog message leads the answer and
the values it takes (a count, a position, the name asked about). To a question in another language, `localise`
rewrites the text as that message in the asker's language followed by the cited quotes, verbatim in the documents'
language and inside the language's own quotation marks, each with its [n] marker. The citations do not change, so
the offsets and the highlight stay on the original.

The msgids below are the catalog's source: `make messages` extracts them (keywords `N_` and `NP_`) into
`assistant/locales/answers.pot`.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.answer.base import Draft, Frame
from assistant.answer.question import Expects, Question
from assistant.answer.refusals import Refusal, nearby_topics
from assistant.i18n import SOURCE_LANGUAGE, gettext, ngettext, supported, translations
from assistant.models import Citation, Evidence, fold_whitespace

DOMAIN = "answers"


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated when an answer is localised."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a msgid with its plural form for extraction."""
    return singular, plural


# --- what leads an answer (the quotes follow); a lead says the quotes are the document's English, and is long
# enough for a reader (and a language detector) to tell its language ---
QUOTE = N_("The statement says this, quoted in English:")
QUOTE_FROM = N_("{title} says this, quoted in English:")
YES_QUOTE = N_("Yes. The statement says this, quoted in English:")
MEMBER = N_("Yes: {subject} is among them.")
NOT_MEMBER = N_("No: {subject} is not among them. The statement names:")
TITLE = N_("The title of the document is:")
ORDINAL = N_("Item {n} of the list is:")
LAST = N_("The last item of the list is:")
NEIGHBOUR = N_("This is where it stands in the list, quoted in English:")
LIST = N_("The statement lists these, quoted in English:")
SUMMARY = N_("What the document is about, quoted in English:")
COUNT = NP_("The statement names {n} item:", "The statement names {n} items:")
AUTHORS = NP_("It names {n} signatory:", "It names {n} signatories:")
OUT_OF_RANGE = NP_(
    "There is no such item: the list has only {n} item.", "There is no such item: the list has only {n} items."
)
# Translators: a quotation in the language's own quotation marks („…“ in German, «…» in French).
QUOTED = N_("“{quote}”")
# --- refusals ---
NOT_SAID = N_("The statement doesn't say.")
NOT_MENTIONED = N_("The statement doesn't mention {subject}.")
DETAIL = N_("The statement doesn't give this detail.")
MIXED = N_("No single document says that.")
COMMAND = N_("I can only answer questions about what the statement says.")
OTHER_SCRIPT = N_("I can answer questions in European languages only.")
NEARBY_QUOTE = N_("On this topic it says:")
NEARBY_TOPICS = N_("Nearby, it covers:")
NO_DATE = N_("The statement gives no date for this.")
NO_AMOUNT = N_("The statement gives no amount for this.")
NO_PERCENT = N_("The statement gives no percentage for this.")
NO_NUMBER = N_("The statement gives no number for this.")
NO_PERSON = N_("The statement names no person for this.")
NO_PLACE = N_("The statement names no place for this.")
NO_ORGANISATION = N_("The statement names no organisation for this.")
NO_LAW = N_("The statement names no law or article for this.")
NO_COUNTRY = N_("The statement names no country for this.")
NO_NAME = N_("The statement gives no name for this.")
NO_QUOTE = N_("The statement quotes no one's own words.")

ABSENT_DETAIL: dict[Expects, str] = {
    Expects.DATE: NO_DATE,
    Expects.AMOUNT: NO_AMOUNT,
    Expects.PERCENT: NO_PERCENT,
    Expects.NUMBER: NO_NUMBER,
    Expects.PERSON: NO_PERSON,
    Expects.PLACE: NO_PLACE,
    Expects.ORGANISATION: NO_ORGANISATION,
    Expects.LAW: NO_LAW,
    Expects.COUNTRY: NO_COUNTRY,
    Expects.NAME: NO_NAME,
    Expects.QUOTE: NO_QUOTE,
}

# Lists this long are shown one quote per line
_LINES_FROM = 3


def framed(language: str) -> bool:
    """Whether answers to questions in this language are framed from its catalog (English needs no framing)."""
    code = supported(language)
    if code is None or code == SOURCE_LANGUAGE:
        return False
    return bool(translations(DOMAIN, code).gettext(QUOTE) != QUOTE)


def localise(draft: Draft, question: Question) -> Draft:
    """The draft in the asker's language, when it is framed and the language has a catalog; else unchanged."""
    if draft.frame is None or question.english or not framed(question.language):
        return draft
    return replace(draft, text=framed_text(draft.frame, draft.citations, draft.refused, question.language))


def framed_text(frame: Frame, citations: list[Citation], refused: bool, language: str) -> str:
    """The lead message in the language, then the quotes (a refusal says what is nearby)."""
    lead = message(frame, language)
    if refused and citations:
        lead = f"{lead} {gettext(DOMAIN, language, NEARBY_QUOTE)}"
    elif refused and frame.topics:
        topics = "; ".join(quoted(t, language) for t in frame.topics)
        return f"{lead} {gettext(DOMAIN, language, NEARBY_TOPICS)} {topics}."
    if not citations:
        return lead
    return f"{lead}{quotes(citations, language, by_document=frame.by_document)}"


def message(frame: Frame, language: str) -> str:
    """The frame's lead in the language, its values filled in."""
    params: dict[str, object] = {}
    if frame.subject is not None:
        params["subject"] = frame.subject
    if frame.plural is not None:
        return ngettext(DOMAIN, language, frame.lead, frame.plural, frame.n or 0, **params)
    if frame.n is not None:
        params["n"] = frame.n
    return gettext(DOMAIN, language, frame.lead, **params)


def quotes(citations: list[Citation], language: str, by_document: bool = False) -> str:
    """The cited quotes, verbatim, in the language's quotation marks, each with its marker (one per line when
    there are many). With `by_document`, each says which document it is from."""
    parts = []
    for citation in sorted(citations, key=lambda c: c.marker):
        source = f"{gettext(DOMAIN, language, QUOTE_FROM, title=citation.title)} " if by_document else ""
        parts.append(f"{source}{quoted(citation.quote, language)} [{citation.marker}]")
    if len(parts) >= _LINES_FROM:
        return "\n" + "\n".join(f"- {p}" for p in parts)
    return " " + "; ".join(parts) + "."


def quoted(text: str, language: str) -> str:
    """Text of a document, verbatim, inside the language's own quotation marks (from its catalog); its closing
    punctuation gives way to the sentence's."""
    return gettext(DOMAIN, language, QUOTED, quote=fold_whitespace(text).rstrip(".;:, "))


def refusal_frame(
    reason: str,
    evidence: list[Evidence],
    subject: str | None = None,
    expects: Expects | None = None,
) -> Frame:
    """The frame of a refusal: why (a rule of answer/refusals.py), and the topics covered nearby."""
    topics = nearby_topics(evidence)
    if reason == Refusal.DETAIL_ABSENT:
        lead = ABSENT_DETAIL[expects] if expects is not None else DETAIL
    elif reason in (Refusal.UNKNOWN_NAME, Refusal.NOT_MENTIONED) and subject:
        lead = NOT_MENTIONED
    elif reason == Refusal.MIXED_DOCUMENTS:
        lead, subject = MIXED, None
    elif reason == Refusal.COMMAND:
        lead, topics = COMMAND, ()
    elif reason == Refusal.OTHER_SCRIPT:
        lead = OTHER_SCRIPT
    else:
        lead, subject = NOT_SAID, None
    return Frame(lead, subject=subject if lead == NOT_MENTIONED else None, topics=topics)
