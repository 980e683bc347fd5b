"""Tracking codes: one short, stable code per (artifact, arm), carried by every exported item and journey message.

The code is the join key when outcomes come back (`results import`). It is derived, never stored state, so the same
artifact and arm give the same code on every run and machine. Version 1 of the scheme, fixed by test vectors:

    digest = blake2b(f"cg1|{artifact_id}|{arm}".encode(), digest_size=5)
    code   = "CG" + base32-Crockford(digest)            # 2 + 8 characters, e.g. CG7K2M9QXA

Crockford's alphabet has no I, L, O or U, so a code read off a phone screen or typed into an SMS reply survives.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEME = "cg1"
PREFIX = "CG"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"I": 1, "L": 1, "O": 0}
NO_ARM = ""


@dataclass(frozen=True)
class TrackingCode:
    code: str
    artifact_id: str
    arm: str


def _base32(data: bytes) -> str:
    value = int.from_bytes(data, "big")
    width = len(data) * 8 // 5
    return "".join(_ALPHABET[(value >> (5 * (width - 1 - i))) & 31] for i in range(width))


def tracking_code(artifact_id: str, arm: str | None = None) -> str:
    """The short code for one artifact (or journey content cell) in one experiment arm; arm None means no experiment."""
    if not artifact_id:
        raise ValueError("artifact_id must not be empty")
    digest = hashlib.blake2b(f"{SCHEME}|{artifact_id}|{arm or NO_ARM}".encode(), digest_size=5).digest()
    return PREFIX + _base32(digest)


def normalise_code(text: str) -> str | None:
    """A code as typed or exported (lower case, spaces, I/L/O for 1/1/0) in canonical form, or None if it is not one."""
    cleaned = "".join(ch for ch in text.strip().upper() if ch not in " -_")
    if len(cleaned) != len(PREFIX) + 8 or not cleaned.startswith(PREFIX):
        return None
    body = cleaned[len(PREFIX) :]
    if any(ch not in _DECODE for ch in body):
        return None
    return PREFIX + "".join(_ALPHABET[_DECODE[ch]] for ch in body)


def parse_tracking_code(text: str, known: dict[str, TrackingCode]) -> TrackingCode | None:
    """Look a code up among the codes a run issued (the hash cannot be reversed, so the run's index is the source)."""
    code = normalise_code(text)
    return known.get(code) if code else None


def utm_content(artifact_id: str, arm: str | None = None) -> str:
    """utm_content: the artifact id, plus the arm after a dot when there is one."""
    return f"{artifact_id}.{arm}" if arm else artifact_id


def utm_params(*, channel: str, campaign: str, artifact_id: str, arm: str | None = None) -> dict[str, str]:
    """UTM parameters for a link in one artifact: source = channel, campaign = campaign or journey id."""
    return {
        "utm_source": channel,
        "utm_medium": "contentgen",
        "utm_campaign": campaign,
        "utm_content": utm_content(artifact_id, arm),
        "cg": tracking_code(artifact_id, arm),
    }


def tag_url(url: str, *, channel: str, campaign: str, artifact_id: str, arm: str | None = None) -> str:
    """The URL with UTM parameters and the tracking code added; existing query parameters other than utm_* are kept."""
    parts = urlsplit(url)
    kept = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in kept if not k.startswith("utm_") and k != "cg"]
    query += list(utm_params(channel=channel, campaign=campaign, artifact_id=artifact_id, arm=arm).items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def arm_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the arm names of a cell's variants in rank order."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def item_arms(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(artifact id, item key) pairs in review order → item key → arm letter within its artifact (A = first/best)."""
    counts: dict[str, int] = {}
    arms: dict[str, str] = {}
    for artifact_id, key in items:
        if key in arms:
            continue
        arms[key] = arm_letter(counts.get(artifact_id, 0))
        counts[artifact_id] = counts.get(artifact_id, 0) + 1
    return arms


_URL = re.compile(r"https?://[^\s<>\"'）)】」]+")


def tracking_link(texts: Mapping[str, str], *, channel: str, campaign: str, artifact_id: str, arm: str | None) -> str:
    """The item's first link with UTM tags, or (no link in its text) the UTM query string to append to one."""
    for value in texts.values():
        found = _URL.search(value)
        if found:
            return tag_url(found.group(0), channel=channel, campaign=campaign, artifact_id=artifact_id, arm=arm)
    return "?" + urlencode(utm_params(channel=channel, campaign=campaign, artifact_id=artifact_id, arm=arm))
