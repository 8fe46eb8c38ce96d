"""The document view: the full statement as text, with the quotes cited by one answer marked at their offsets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from assistant.models import Citation, Document
from assistant.web import safe_html

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


def describe(document: Document) -> str:
    """'Joint statement · European Political Community Summit · Copenhagen · 2 October 2025' from the metadata."""
    meta = document.metadata
    parts = [str(meta["kind"]).capitalize()] if meta.get("kind") else []
    parts += [str(meta[key]) for key in ("event", "place") if meta.get(key)]
    if meta.get("date"):
        parts.append(long_date(str(meta["date"])))
    return " · ".join(parts)


def long_date(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def document_html(
    documents: Sequence[Document], citations: Sequence[Citation] = (), turn: int | None = None, note: str = ""
) -> str:
    """The documents (those cited, else the first), each with its cited spans in <mark>, all text escaped."""
    cited = [d for d in documents if any(c.source == d.id for c in citations)] or list(documents[:1])
    legend = f'<p class="doc-legend">{safe_html.text(note)}</p>' if note else ""
    sections = []
    for document in cited:
        spans = [(c.start, c.end, c.marker) for c in citations if c.source == document.id and c.start < c.end]
        meta = describe(document)
        sections.append(
            f'<section class="doc" aria-label="{safe_html.text(document.title)}">'
            f'<h2 class="doc-title">{safe_html.text(document.title)}</h2>'
            + (f'<p class="doc-meta">{safe_html.text(meta)}</p>' if meta else "")
            + legend
            + f'<div class="doc-text" tabindex="0" role="region" aria-label="Text of the statement">'
            f"{highlighted(document.text, spans, turn if turn is not None else 0)}</div></section>"
        )
    return "".join(sections)


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
