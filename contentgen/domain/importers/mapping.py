"""`--mapping map.yaml`: which of an export's columns mean which of our product fields."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from contentgen.domain.common import Model, first_repeat
from contentgen.fileio import load_model

SKIP = "-"


class ColumnMapping(Model):
    """`{columns: {their column: our field}}`; map a column to "-" to ignore it."""

    columns: dict[str, str]

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        from contentgen.domain.product import Product

        fields = set(Product.model_fields)
        for column, field in columns.items():
            if field != SKIP and field not in fields:
                raise ValueError(
                    f"column '{column}' maps to unknown field '{field}'; fields: {', '.join(sorted(fields))}, "
                    f"or '{SKIP}' to ignore the column"
                )
        twice = first_repeat(f for f in columns.values() if f != SKIP)
        if twice is not None:
            raise ValueError(f"two columns map to '{twice}'")
        return columns


def load_mapping(path: Path) -> ColumnMapping:
    """The validated mapping file; a bad one is a one-line error naming file, line and field."""
    return load_model(ColumnMapping, path)
