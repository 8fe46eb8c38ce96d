"""The document view: a document's text (without its Markdown front matter), the quotes cited by one answer marked at
their offsets, and, when there are several documents, buttons to switch between them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from assistant.models import Citation, Document
from assistant.web import safe_html
from assistant.web.texts import long_date, tr, trn

# Whitespace holding a line break: a blank line ends a paragraph, "- " starts a list item, anything else is the
# source's hard wrap and reads as a space.
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")

# Runs in the page (gr.HTML js_on_load): whenever the view changes, scroll it (not the page) to the first quote, or
# to the quote whose [n] was just clicked in the chat, which also takes focus for keyboard and screen-reader users.
SCROLL_JS = """
const jump = (wanted) => {
  const box = element.querySelector('.doc-text');
  if (!box) return false;
  const target = wanted ? element.querySelector('[id="' + wanted + '"]') : box.querySelector('mark');
  if (!target) { if (!wanted) box.scrollTop = 0; return false; }
  box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - 24;
  if (wanted) {
    target.scrollIntoView({block: 'nearest'});
    target.focus({preventScroll: true});
  }
  return true;
};
document.addEventListener('click', (event) => {
  const link = event.target.closest && event.target.closest('a.cite');
  if (!link) return;
  event.preventDefault();  // the chat's select event loads this answer's highlights; no change of location
  window.agendaWanted = (link.getAttribute('href') || '').slice(1);
  if (jump(window.agendaWanted)) window.agendaWanted = null;
}, true);
// the document buttons (several documents): show that document, with this answer's quotes in it
element.addEventListener('click', (event) => {
  const pick = event.target.closest && event.target.closest('button.doc-pick');
  if (!pick) return;
  const turn = pick.dataset.turn === '' ? null : Number(pick.dataset.turn);
  trigger('select', {index: turn, value: pick.dataset.doc, selected: true});
});
watch('value', () => {
  const wanted = window.agendaWanted;
  if (wanted && jump(wanted)) { window.agendaWanted = null; return; }
  jump(null);
});
jump(null);
"""


def mark_id(turn: int, marker: int) -> str:
    """The element id of quote [marker] of answer `turn` (0-based); chat links point at it."""
    return f"cite-{turn}-{marker}"


def describe(document: Document, lang: str = "en") -> str:
    """'Joint statement · European Political Community Summit · Copenhagen · 2 October 2025' from the metadata (the
    date in the page language; the rest is the document's own words)."""
    meta = document.metadata
    parts = [str(meta["kind"]).capitalize()] if meta.get("kind") else []
    parts += [str(meta[key]) for key in ("event", "place") if meta.get(key)]
    if meta.get("date"):
        parts.append(long_date(str(meta["date"]), lang))
    return " · ".join(parts)


def body(document: Document) -> tuple[str, int]:
    """The text a reader sees, without Markdown front matter (`--- yaml ---`), and where it starts in document.text
    (citation offsets count from the start of document.text)."""
    start = int(document.metadata.get("body_start", 0) or 0)
    start = start if 0 <= start <= len(document.text) else 0
    return document.text[start:], start


def language_of(document: Document) -> str:
    """The language a document is written in: its `language` metadata, else English (the corpus's language)."""
    return str(document.metadata.get("language") or "en")


def shown_documents(
    documents: Sequence[Document], citations: Sequence[Citation] = (), shown: str | None = None
) -> list[Document]:
    """The documents the view shows: the one picked, else those the answer cites, else the first."""
    picked = [d for d in documents if d.id == shown]
    if picked:
        return picked
    return [d for d in documents if any(c.source == d.id for c in citations)] or list(documents[:1])


def document_html(
    documents: Sequence[Document],
    citations: Sequence[Citation] = (),
    turn: int | None = None,
    note: str = "",
    lang: str = "en",
    shown: str | None = None,
) -> str:
    """The documents shown (see shown_documents), each with its cited spans in <mark>, all text escaped; with several
    documents, first a row of buttons naming each (pressed: shown), which switch the view."""
    visible = shown_documents(documents, citations, shown)
    legend = f'<p class="doc-legend" data-turn="{"" if turn is None else turn + 1}">{safe_html.text(note)}</p>'
    sections = []
    for position, document in enumerate(visible):
        text, offset = body(document)
        spans = [
            (c.start - offset, c.end - offset, c.marker)
            for c in citations
            if c.source == document.id and c.start < c.end and c.end > offset
        ]
        meta = describe(document, lang)
        own = language_of(document)
        # TRANSLATORS: the name of the scrollable region holding a document's text
        region = safe_html.text(tr(lang, "Text of “{title}”", title=document.title))
        sections.append(
            f'<section class="doc" aria-label="{safe_html.text(document.title)}">'
            f'<h2 class="doc-title" lang="{own}">{safe_html.text(document.title)}</h2>'
            + (f'<p class="doc-meta" lang="{own}">{safe_html.text(meta)}</p>' if meta else "")
            + (legend if note and position == 0 else "")
            + '<div class="doc-text" tabindex="0" role="region" '
            f'aria-label="{region}" lang="{own}">'
            f"{highlighted(text, spans, turn if turn is not None else 0)}</div></section>"
        )
    return document_picker(documents, citations, visible, turn, lang) + "".join(sections)


def document_picker(
    documents: Sequence[Document],
    citations: Sequence[Citation],
    visible: Sequence[Document],
    turn: int | None,
    lang: str = "en",
) -> str:
    """With several documents: one button per document (its title, and how many quotes of this answer it holds)."""
    if len(documents) < 2:
        return ""
    on_view = {d.id for d in visible}
    buttons = []
    for document in documents:
        quotes = sum(c.source == document.id for c in citations)
        # TRANSLATORS: after a document's title on its button: how many quotes of the answer shown it holds
        count = " (" + trn(lang, "{n} quote", "{n} quotes", quotes) + ")" if quotes else ""
        pressed = "true" if document.id in on_view else "false"
        buttons.append(
            f'<li><button type="button" class="doc-pick" data-doc="{safe_html.text(document.id)}" '
            f'data-turn="{"" if turn is None else turn}" aria-pressed="{pressed}">'
            f'<span lang="{language_of(document)}">{safe_html.text(document.title)}</span>{safe_html.text(count)}'
            "</button></li>"
        )
    label = safe_html.text(tr(lang, "Documents"))
    return f'<nav class="doc-picker" aria-label="{label}"><ul>{"".join(buttons)}</ul></nav>'


def highlighted(text: str, spans: Sequence[tuple[int, int, int]], turn: int) -> str:
    """`text` as HTML with each (start, end, marker) span in a <mark>; overlapping spans share one mark."""
    breaks = {m.start(): m for m in _LINE_BREAK.finditer(text)}
    cuts = {0, len(text)}
    for start, end, _ in spans:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    for m in breaks.values():
        cuts.update((m.start(), m.end()))
    pieces: list[tuple[tuple[int, ...], str]] = []
    inside_break = None
    for a, b in pairwise(sorted(cuts)):
        if a in breaks:
            inside_break = breaks[a]
            html = _break_html(text, inside_break)
        elif inside_break is not None and a < inside_break.end():
            html = ""
        else:
            html = safe_html.text(text[a:b])
        markers = tuple(sorted(marker for start, end, marker in spans if start <= a and b <= end))
        pieces.append((markers, html))
    out: list[str] = []
    labelled: set[int] = set()
    run_markers: tuple[int, ...] = ()
    for markers, html in pieces:
        if markers != run_markers:
            if run_markers:
                out.append("</mark>")
            if markers:
                new = [m for m in markers if m not in labelled]
                labelled.update(new)
                label = "".join(
                    f'<span class="quote-no" id="{mark_id(turn, m)}" tabindex="-1">[{m}]</span>' for m in new
                )
                out.append(f'<mark class="quote">{label}')
            run_markers = markers
        out.append(html)
    if run_markers:
        out.append("</mark>")
    return "".join(out)


def _break_html(text: str, match: re.Match[str]) -> str:
    if match.group().count("\n") >= 2:
        return "<br><br>"
    if text.startswith(("- ", "* ", "• "), match.end()):
        return "<br>"
    return " "
