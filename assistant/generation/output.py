"""What the model must write, and reading it as it streams: claims, each closed by its [n] markers.

The local model is held to the format by a llama.cpp grammar; a remote one is only asked for it, so the parser also
accepts a JSON wrapper ({"answer": "..."}) and markers like [3, 5] or 【3】, and treats text with no marker as an
unsupported claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic_core import from_json

_MARKER_GROUP = re.compile(r"(?:[\[【]\s*\d{1,4}(?:\s*[,;]\s*\d{1,4})*\s*[\]】]\s*)+")
_NUMBER = re.compile(r"\d{1,4}")
_PARTIAL_GROUP = re.compile(r"^\s*(?:[\[【]\s*\d{1,4}(?:\s*[,;]\s*\d{1,4})*\s*[\]】]\s*)*(?:[\[【][\d\s,;]*)?$")
_CLOSING = re.compile(r"^[.!?;:,]*")
_JSON_ANSWER = re.compile(r'"answer"\s*:\s*"')


def answer_grammar(count: int, max_claims: int = 4) -> str:
    """GBNF: 1..max_claims claims, each some text then one or more markers [n] with 1 <= n <= count."""
    ids = " | ".join(f'"{n}"' for n in range(count, 0, -1))  # longest first: "12" before "1"
    more = " ".join(['(" " claim)?'] * (max_claims - 1))
    return "\n".join(
        [
            f"root ::= claim {more}",
            "claim ::= text cite cite? cite? [.!?]?",
            "text ::= [^\\[\\]\\n\\r{}<> -] [^\\[\\]\\n\\r{}<>]*",  # prose, not a copied "- bullet"
            'cite ::= " [" id "]"',
            f"id ::= {ids}",
        ]
    )


@dataclass
class Claim:
    """Text the model wrote and the passage numbers it cited for it (empty: an uncited claim)."""

    text: str
    numbers: list[int] = field(default_factory=list)
    closing: str = ""


class ClaimReader:
    """Feed it the model's text deltas; it returns each claim as soon as its markers are complete."""

    def __init__(self) -> None:
        self._raw = ""
        self._mode: str | None = None  # "json" (the answer is a JSON string) or "plain"
        self._pos = 0  # how much was consumed: of self._raw (plain) or of the decoded answer string (json)
        self._text = ""  # decoded answer text not yet turned into claims

    def feed(self, delta: str) -> list[Claim]:
        self._raw += delta
        self._decode(final=False)
        return self._claims(final=False)

    def close(self) -> list[Claim]:
        self._decode(final=True)
        return self._claims(final=True)

    def pending_text(self) -> str:
        """Decoded text not yet in a claim (for live display)."""
        return self._text

    # --- decoding the answer text out of the raw output ---
    def _decode(self, final: bool) -> None:
        if self._mode is None:
            stripped = self._raw.lstrip()
            if not stripped:
                return
            if stripped.startswith("{") or stripped.startswith("```"):
                if _JSON_ANSWER.search(self._raw):
                    self._mode = "json"
                elif final:
                    self._mode = "plain"
                    self._raw = _strip_fences(self._raw)
                else:
                    return
            else:
                self._mode = "plain"
        if self._mode == "plain":
            self._text += self._raw[self._pos :]
            self._pos = len(self._raw)
            return
        # the answer string as far as it has come (an escape still being written waits), by pydantic-core's parser
        document = self._raw[self._raw.find("{") :]
        try:
            value = from_json(document, allow_partial="trailing-strings")
        except ValueError:
            return  # not JSON after all: nothing more is read from it
        answer = value.get("answer") if isinstance(value, dict) else None
        if isinstance(answer, str) and len(answer) > self._pos:
            self._text += answer[self._pos :]
            self._pos = len(answer)

    # --- splitting the text into claims at marker groups ---
    def _claims(self, final: bool) -> list[Claim]:
        claims = []
        while True:
            found = _first_group(self._text)
            if found is None:
                break
            start, end, numbers = found
            rest = self._text[end:]
            if not final and _PARTIAL_GROUP.match(rest):
                break  # another marker may follow: wait
            closing = _CLOSING.match(rest)
            cut = end + (closing.end() if closing else 0)
            if not final and cut == len(self._text):
                break  # punctuation may still follow
            claims.append(Claim(self._text[:start].strip(), numbers, self._text[end:cut]))
            self._text = self._text[cut:].lstrip()
        if final:
            tail = self._text.strip()
            if tail:
                claims.append(Claim(tail, []))
            self._text = ""
        return claims


def _first_group(text: str) -> tuple[int, int, list[int]] | None:
    for index, ch in enumerate(text):
        if ch in "[【":
            match = _MARKER_GROUP.match(text, index)
            if match is None:
                # a "[" opening something other than a marker; a bracket still being written is waited for
                if _PARTIAL_GROUP.match(text[index:]):
                    return None
                continue
            start = index
            while start > 0 and text[start - 1] == " ":
                start -= 1
            numbers = [int(n) for n in _NUMBER.findall(match.group(0))]
            return start, match.end(), list(dict.fromkeys(numbers))
    return None


def _strip_fences(text: str) -> str:
    return re.sub(r"^\s*```\w*\s*|\s*```\s*$", "", text)
