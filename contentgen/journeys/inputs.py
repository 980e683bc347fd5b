"""Customer and event files, read as streams and checked row by row.

Customers (CSV or JSONL): customer_id, time_zone (IANA), consents (channel ids separated by ';', plus 'name' where
the customer agreed to be addressed by name), locale, tier, name, birthday (YYYY-MM-DD or MM-DD), recommendations
(on/off). Events (CSV or JSONL): customer_id, event, sku, time (ISO 8601; without an offset it is UTC), order_id.

Errors (the run stops with one line naming file, line and field): a duplicate customer id, a customer id with a
control character (a tab or line break: the ledger is tab-separated, one line a message), an unknown time zone,
locale, tier or consent value, a malformed birthday; an unknown event name or a malformed event time.
Counted skips (the row is left out and counted in the summary): an event for a customer not in the customer file,
an event naming a SKU the catalog does not have, an event after --as-of (exports often run ahead of the run).
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contentgen.errors import DataError
from contentgen.fileio import JSONL_SUFFIXES, json_row
from contentgen.journeys.model import EVENTS, OTHER_EVENTS, TIERS

BUCKETS = 16
KNOWN_EVENTS = frozenset(EVENTS + OTHER_EVENTS)
NAME_CONSENT = "name"
CUSTOMER_FIELDS = ("customer_id", "time_zone", "consents", "locale", "tier", "name", "birthday", "recommendations")
EVENT_FIELDS = ("customer_id", "event", "sku", "time", "order_id")


def bucket_of(customer_id: str) -> int:
    return zlib.crc32(customer_id.encode()) % BUCKETS


def not_utf8(path: Path) -> DataError:
    """The error for an input that is not UTF-8 (an Excel or GBK export), naming its first line that is not.

    Journey inputs are streamed and split in byte ranges, so they are read as UTF-8 only (no whole-file encoding
    detection as `contentgen.fileio.read_text` does for small files)."""
    hint = "save the file as UTF-8, in Excel as 'CSV UTF-8'; GBK and other encodings are not read"
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as err:
                where = f"byte 0x{raw[err.start]:02x} at column {err.start + 1}"
                return DataError(path, f"not UTF-8 text ({where})", line=number, hint=hint)
    return DataError(path, "not UTF-8 text", hint=hint)


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) from a CSV (header row) or JSONL file, streamed; a file that is not UTF-8 raises naming its line."""
    try:
        yield from _iter_rows(path)
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def _iter_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise DataError(path, "file not found")
    if path.suffix.lower() in JSONL_SUFFIXES:
        with path.open(encoding="utf-8-sig") as fh:
            for number, text in enumerate(fh, start=1):
                if text.strip():
                    yield number, json_row(path, number, text)
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise DataError(path, "CSV has no header row")
        header = [h.strip() for h in header]
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise DataError(
                    path, f"row has {len(row)} cells but the header has {len(header)}", line=reader.line_num
                )
            yield reader.line_num, dict(zip(header, row, strict=True))


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 time as an aware UTC datetime (no offset means UTC), or None."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@dataclass(slots=True)
class Customer:
    id: str
    tz: str
    consents: frozenset[str]
    locale: str
    tier: str | None
    name: str | None
    birthday: tuple[int, int] | None
    recommendations: bool
    events: list[tuple[dt.datetime, str, str, str]] = field(default_factory=list)  # time, event, sku, order id

    @property
    def zoneinfo(self) -> ZoneInfo:
        found = zone(self.tz)
        assert found is not None  # checked when the row was read
        return found


def parse_customer(path: str, line: int, row: dict[str, str], default_locale: str) -> Customer:
    def fail(column: str, message: str, hint: str | None = None) -> DataError:
        return DataError(path, message, line=line, field=column, hint=hint)

    cid = row.get("customer_id", "").strip()
    if not cid:
        raise fail("customer_id", "required field is missing")
    bad = next((c for c in cid if unicodedata.category(c) in {"Cc", "Zl", "Zp"}), None)
    if bad is not None:  # the run's ledger is one tab-separated line per message: such an id is not an id
        raise fail("customer_id", f"{cid!r} holds the control character {bad!r}", "ids without tabs or line breaks")
    tz = row.get("time_zone", "").strip()
    if not tz:
        raise fail("time_zone", "required field is missing", "an IANA zone such as Asia/Shanghai")
    if zone(tz) is None:
        raise fail("time_zone", f"unknown time zone '{tz}'", "an IANA zone such as Asia/Shanghai or America/New_York")
    consents = frozenset(c.strip() for c in row.get("consents", "").replace(",", ";").split(";") if c.strip())
    locale = row.get("locale", "").strip() or default_locale
    if locale not in {"zh-CN", "en-US"}:
        raise fail("locale", f"unknown locale '{locale}'", "zh-CN or en-US")
    tier = row.get("tier", "").strip() or None
    if tier is not None and tier not in TIERS:
        raise fail("tier", f"unknown tier '{tier}'", f"one of {', '.join(TIERS)}, or leave it empty to derive it")
    birthday = None
    text = row.get("birthday", "").strip()
    if text:
        parts = text.split("-")
        try:
            month, day = (int(parts[-2]), int(parts[-1])) if len(parts) in {2, 3} else (0, 0)
            dt.date(2000, month, day)  # a leap year, so 02-29 is a birthday
        except ValueError:
            raise fail("birthday", f"'{text}' is not a date", "YYYY-MM-DD or MM-DD") from None
        birthday = (month, day)
    recs = row.get("recommendations", "").strip().lower()
    if recs not in {"", "on", "off", "true", "false", "1", "0", "yes", "no"}:
        raise fail("recommendations", f"'{recs}' is not on or off")
    return Customer(
        id=cid,
        tz=tz,
        consents=consents,
        locale=locale,
        tier=tier,
        name=row.get("name", "").strip() or None,
        birthday=birthday,
        recommendations=recs not in {"off", "false", "0", "no"},
    )


def parse_event(
    path: str, line: int, row: dict[str, str], skus: frozenset[str], as_of: dt.datetime
) -> tuple[str, tuple[dt.datetime, str, str, str]] | str:
    """(customer id, event) or the reason the row is skipped; malformed rows raise."""
    event = row.get("event", "").strip()
    if event not in KNOWN_EVENTS:
        raise DataError(
            path, f"unknown event '{event}'", line=line, field="event", hint=", ".join(sorted(KNOWN_EVENTS))
        )
    when = parse_time(row.get("time", ""))
    if when is None:
        raise DataError(path, f"'{row.get('time', '')}' is not a time", line=line, field="time", hint="ISO 8601")
    if when > as_of:
        return "event after --as-of"
    sku = row.get("sku", "").strip()
    if sku and sku not in skus:
        return "event with an unknown SKU"
    return row.get("customer_id", "").strip(), (when, event, sku, row.get("order_id", "").strip())
