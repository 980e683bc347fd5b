"""What goes into Chroma for a product or a policy passage: the embedded text, the keyword text, metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from contentgen.domain.product import Product

__all__ = [
    "PolicyChunk",
    "chunk_policy",
    "content_hash",
    "digest",
    "keyword_fields",
    "product_document",
    "product_metadata",
    "same_text",
]

MAX_CHUNK = 800  # characters; a longer section is cut at paragraph breaks


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def content_hash(record: str, document: str) -> str:
    """'<record digest>.<text digest>': when only the first part changes, the vector stays (a metadata update)."""
    return f"{digest(record)}.{digest(document)}"


def same_text(old_hash: str | None, new_hash: str) -> bool:
    return old_hash is not None and old_hash.rpartition(".")[2] == new_hash.rpartition(".")[2]


def keyword_fields(product: Product) -> list[str]:
    """The fields the keyword leg searches: name, category, tags, attributes, selling points."""
    attributes = [f"{k} {v}" for k, v in product.attributes.items()]
    return [product.name, product.category, *product.tags, *attributes, *product.selling_points]


def product_document(product: Product) -> str:
    """The text embedded for a product: its keyword fields plus the description (not price or stock)."""
    return "\n".join([*keyword_fields(product), *([product.description] if product.description else [])])


def product_metadata(product: Product, document: str) -> dict[str, Any]:
    """Chroma metadata: the fields filters use, the full record as JSON, and the content hash for upserts.

    Kept to five keys and no Chroma document: on the embedded store every metadata key is a row in SQLite
    and a document is full-text indexed, which together cost more than the vector itself.
    """
    record = product.model_dump_json()
    return {
        "price": float(product.price),
        "stock": product.stock,
        "category": product.category,
        "record": record,
        "hash": content_hash(record, document),
    }


@dataclass(frozen=True)
class PolicyChunk:
    id: str
    policy: str
    heading: str
    text: str
    """The exact slice of the policy file: the chunks of one policy joined give the file back."""

    @property
    def document(self) -> str:
        """What is embedded and keyword-indexed: the heading path gives a short passage its topic."""
        return f"{self.heading}\n{self.text}" if self.heading and self.heading not in self.text else self.text


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def chunk_policy(name: str, text: str) -> list[PolicyChunk]:
    """Cut a policy's Markdown at headings, and long sections at blank lines; ids are `name#n`."""
    cuts = [m.start() for m in _HEADING.finditer(text)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    sections = [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]
    title = ""
    pieces: list[tuple[str, str]] = []
    for section in sections:
        match = _HEADING.match(section)
        heading = match.group(2) if match else ""
        if match and len(match.group(1)) == 1:
            title = heading
        path = " / ".join(h for h in (title, heading) if h) if heading != title else title
        for piece in _split_long(section):
            pieces.append((path, piece))
    # A bare heading (a title straight before its first section) joins the next piece, so no chunk is empty.
    chunks: list[PolicyChunk] = []
    carry = ""
    for path, piece in pieces:
        if not _HEADING.sub("", piece).strip():
            carry += piece
            continue
        chunks.append(PolicyChunk(f"{name}#{len(chunks)}", name, path, carry + piece))
        carry = ""
    if carry and chunks:
        last = chunks[-1]
        chunks[-1] = PolicyChunk(last.id, name, last.heading, last.text + carry)
    elif carry:
        chunks.append(PolicyChunk(f"{name}#0", name, title, carry))
    return chunks


def _split_long(section: str) -> list[str]:
    if len(section) <= MAX_CHUNK:
        return [section]
    parts = re.split(r"(?<=\n\n)", section)
    out: list[str] = []
    for part in parts:
        if out and len(out[-1]) + len(part) <= MAX_CHUNK:
            out[-1] += part
        else:
            out.append(part)
    return out
