"""Every data file that names things by id rejects an id given twice, naming the id (one helper: first_repeat)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from contentgen.compliance.adlaw import RuleFile
from contentgen.customers.tiers import TiersFile
from contentgen.domain.common import first_repeat
from contentgen.domain.importers.mapping import ColumnMapping
from contentgen.domain.segment import SegmentsFile

ROOT = Path(__file__).resolve().parents[1]


def test_first_repeat_finds_the_first_value_seen_twice() -> None:
    assert first_repeat(["a", "b", "c", "b", "a"]) == "b"
    assert first_repeat(iter([1, 2, 3])) is None
    assert first_repeat([]) is None


def _doubled(path: Path, key: str) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[key] = [*data[key], data[key][0]]
    return data  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("model", "path", "key", "message"),
    [
        (SegmentsFile, ROOT / "brand_kits/segments.yaml", "segments", "segment id '{id}' appears twice"),
        (TiersFile, ROOT / "contentgen/customers/tiers.yaml", "tiers", "tier '{tier}' appears twice"),
        (RuleFile, ROOT / "contentgen/compliance/rules/zh-CN.yaml", "rules", "rule id '{id}' appears twice"),
    ],
)
def test_a_shipped_file_with_its_first_entry_twice_is_rejected(
    model: type[BaseModel], path: Path, key: str, message: str
) -> None:
    data = _doubled(path, key)
    model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))  # the file itself is valid
    with pytest.raises(ValidationError, match=message.format(**data[key][0])):
        model.model_validate(data)


def test_two_columns_mapped_to_one_field_are_rejected() -> None:
    assert ColumnMapping(columns={"Title": "name", "Cost": "price"}).columns["Cost"] == "price"
    with pytest.raises(ValidationError, match="two columns map to 'price'"):
        ColumnMapping(columns={"Title": "name", "Cost": "price", "Retail": "price", "Notes": "-", "Misc": "-"})
