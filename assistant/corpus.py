"""Load the corpus folder: every readable file becomes a Document; an unreadable one becomes a DocumentError."""

from __future__ import annotations

import codecs
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import DocumentError
from assistant.models import Document

MANIFEST = "manifest.toml"
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)

    def get(self, document_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == document_id), None)


def document_id(relative: Path) -> str:
    """A stable id from the file's path inside the corpus folder: 'reports/2025 plan.md' -> 'reports/2025-plan'."""
    stem = relative.with_suffix("").as_posix()
    return re.sub(r"[^A-Za-z0-9/._-]+", "-", stem).strip("-") or "document"


def decode_text(raw: bytes, path: str) -> str:
    """Bytes to text as stored: UTF-8 (BOM allowed) or UTF-16 with a BOM. Anything else is a clear error."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError(path, f"broken UTF-16 text ({exc.reason} at byte {exc.start})") from exc
    if b"\x00" in raw[:8192]:
        raise DocumentError(path, "looks like a binary file (NUL bytes), not text; convert it to .txt, .md or .pdf")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            path,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start}); re-save the file as UTF-8",
        ) from exc


def _read_html(raw: bytes, path: str) -> str:
    """The page's main text: trafilatura leaves out navigation, cookie banners, share blocks and footers. The
    headline (<h1>) comes first, as the title; the article's date (its first <time>), which trafilatura keeps only
    as metadata, follows it. Pages with no main text to find fall back to all visible text."""
    import trafilatura
    from bs4 import BeautifulSoup

    html = decode_text(raw, path)
    soup = BeautifulSoup(html, "html.parser")
    main = trafilatura.extract(html, include_comments=False, include_tables=True)
    if not main or not main.strip():
        for tag in soup(["script", "style", "noscript", "template", "nav", "footer"]):
            tag.decompose()
        main = soup.get_text("\n")
    lines = [line.strip() for line in main.splitlines() if line.strip()]
    container = soup.find("article") or soup.find("main")
    time = container.find("time") if container is not None else None
    heading = container.find("h1") if container is not None else soup.find("h1")
    headline = " ".join(heading.get_text().split()) if heading is not None else ""
    if headline in lines:  # the headline first: it is the document's title
        lines.remove(headline)
        lines.insert(0, headline)
    stamp = " ".join(time.get_text().split()) if time is not None else ""
    if stamp and stamp not in main:
        lines.insert(1 if headline in lines else 0, stamp)
    if not lines and soup.title:
        lines = [" ".join(soup.title.get_text().split())]
    return "\n\n".join(lines)


def _read_pdf(raw: bytes, path: str) -> str:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise DocumentError(path, f"cannot read this PDF ({exc})") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback


def read_document(path: Path, root: Path, manifest: dict[str, dict[str, Any]] | None = None) -> Document:
    """Read one file into a Document, or raise DocumentError naming the file and what to do."""
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    shown = relative.as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(shown, f"unsupported file type {suffix or '(none)'}; use {sorted(SUPPORTED_SUFFIXES)}")
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(shown, f"too large ({size} bytes; the limit is {MAX_DOCUMENT_BYTES}); split it")
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(shown, "disappeared while reading (renamed or deleted?)") from exc
    except OSError as exc:
        raise DocumentError(shown, f"cannot be read ({exc.strerror})") from exc
    if suffix in PDF_SUFFIXES:
        text = _read_pdf(raw, shown)
    elif suffix in HTML_SUFFIXES:
        text = _read_html(raw, shown)
    else:
        text = decode_text(raw, shown)
    metadata: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text) if suffix in {".md", ".markdown"} else None
    if match:
        try:
            front = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise DocumentError(shown, f"bad front matter ({exc})") from exc
        if isinstance(front, dict):
            metadata.update({str(k): v for k, v in front.items()})
    metadata.update((manifest or {}).get(shown, {}))
    body = text[match.end() :] if match else text
    if not body.strip():
        raise DocumentError(shown, "is empty (no text to index)")
    return Document(
        id=document_id(relative),
        title=str(metadata.get("title") or _first_line_title(body, relative.stem)),
        text=text,
        path=shown,
        sha256=hashlib.sha256(raw).hexdigest(),
        metadata={k: v for k, v in metadata.items() if k != "title"} | {"body_start": match.end() if match else 0},
    )


def check_new_document(source: Path, corpus_dir: Path) -> Document:
    """A file about to be added to the corpus, read and checked (no models needed): DocumentError saying why not."""
    if not source.exists():
        raise DocumentError(str(source), "no such file")
    if not source.is_file():
        raise DocumentError(str(source), "not a file (give the documents themselves, not a folder)")
    document = read_document(source, source.parent)  # the type, size, encoding and text
    target = corpus_dir / source.name
    if target.exists() and target.read_bytes() != source.read_bytes():
        raise DocumentError(str(source), f"{target.name} already exists in the corpus with other content")
    return document


def read_manifest(root: Path) -> dict[str, dict[str, Any]]:
    path = root / MANIFEST
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(MANIFEST, f"invalid TOML ({exc})") from exc
    return {name: value for name, value in data.items() if isinstance(value, dict)}


def corpus_files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or path.name == MANIFEST or not path.is_file():
            continue
        yield path


def load_corpus(root: Path) -> Corpus:
    """Every file under root, in a stable order. Unreadable files and exact duplicates are reported, not fatal."""
    corpus = Corpus()
    if not root.is_dir():
        corpus.errors.append(DocumentError(str(root), "corpus folder does not exist"))
        return corpus
    try:
        manifest = read_manifest(root)
    except DocumentError as error:
        corpus.errors.append(error)
        manifest = {}
    seen: dict[str, str] = {}
    for path in corpus_files(root):
        try:
            document = read_document(path, root, manifest)
        except DocumentError as error:
            corpus.errors.append(error)
            continue
        if document.sha256 in seen:
            corpus.errors.append(DocumentError(document.path, f"duplicate of {seen[document.sha256]}, skipped"))
            continue
        seen[document.sha256] = document.path
        corpus.documents.append(document)
    return corpus
