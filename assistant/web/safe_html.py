"""Text from a person, a document or a model as inert HTML: every character that could start markup is an entity."""

from __future__ import annotations

import re

# Beyond html.escape: characters Markdown, KaTeX or a JS template could read as syntax. Entities render identically.
_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "&<>\"'`$\\{}[]()*_~|#!"}
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def text(value: str) -> str:
    """`value` as HTML that shows exactly these characters and can hold no tag, link, image or script."""
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group()], value)


def lines(value: str) -> str:
    """Like text(), keeping line breaks."""
    return "<br>".join(text(line) for line in value.split("\n"))
