"""verify_citations: every citation shown must be verbatim text of its document at its offsets."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.models import Citation, Document


def is_verbatim(citation: Citation, documents: Mapping[str, Document]) -> bool:
    document = documents.get(citation.source)
    return (
        document is not None
        and bool(citation.quote.strip())
        and 0 <= citation.start < citation.end <= len(document.text)
        and document.text[citation.start : citation.end] == citation.quote
    )


def verify_citations(
    text: str, citations: list[Citation], documents: Mapping[str, Document]
) -> tuple[str, list[Citation]]:
    """Drop every citation that is not verbatim at its offsets, and its [n] marker from the text."""
    kept = [c for c in citations if is_verbatim(c, documents)]
    dropped = {c.marker for c in citations} - {c.marker for c in kept}
    for marker in dropped:
        text = re.sub(rf"\s?\[{marker}\]", "", text)
    return text, kept
