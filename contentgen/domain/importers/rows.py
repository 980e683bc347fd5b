"""What every importer shares: the row and record shapes and two cell helpers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Row = tuple[int, dict[str, str]]
"""(line in the file, {column: stripped cell}) for one data row."""
Records = Iterator[tuple[int, dict[str, Any]]]


def split_list(value: str, separators: str = ",") -> list[str]:
    """Non-empty, stripped items of a cell separated by any of `separators`."""
    for sep in separators[1:]:
        value = value.replace(sep, separators[0])
    return [item.strip() for item in value.split(separators[0]) if item.strip()]


def put(record: dict[str, Any], field: str, value: Any) -> None:
    """Set `field` unless the value is empty, so that a missing value is the model's 'required' error."""
    if value not in ("", None, []):
        record[field] = value
