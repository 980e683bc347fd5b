"""The claim vocabulary is data (rules/claims.<locale>.yaml): loaded, validated and merged, with one-line errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from contentgen.compliance.grounding import extract_claims
from contentgen.compliance.grounding.vocabulary import (
    LOCALES,
    PATTERNS,
    RULES_DIR,
    UNITS,
    claim_vocabulary,
    load_claim_file,
    merge,
)
from contentgen.errors import DataError


def _copy(tmp_path: Path) -> Path:
    for locale in LOCALES:
        shutil.copy(RULES_DIR / f"claims.{locale}.yaml", tmp_path / f"claims.{locale}.yaml")
    return tmp_path


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_shipped_files_give_every_unit_and_pattern() -> None:
    vocabulary = claim_vocabulary()
    assert list(vocabulary.units) == list(UNITS)
    assert list(vocabulary.patterns) == list(PATTERNS)
    assert vocabulary.sources == tuple(RULES_DIR / f"claims.{locale}.yaml" for locale in LOCALES)
    # zh-CN alternatives come first, then en-US
    assert vocabulary.units["ml"][0] == "毫升"
    assert vocabulary.units["ml"][1].startswith("(?:ml")
    assert "approx" in vocabulary.qualifiers and "约" in vocabulary.qualifiers["approx"]
    assert vocabulary.currencies["元"] == "CNY" and vocabulary.currencies["$"] == "USD"
    assert vocabulary.months["dec"] == 12


def test_a_copied_folder_loads_the_same(tmp_path: Path) -> None:
    assert claim_vocabulary(_copy(tmp_path)).patterns == claim_vocabulary().patterns


def test_a_malformed_pattern_is_one_line_naming_file_line_and_field(tmp_path: Path) -> None:
    path = _copy(tmp_path) / "claims.en-US.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'(?i:birthday)'", "'(?i:birthday'"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_claim_file(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{_line_of(path, 'condition.birthday:')}: patterns.condition.birthday[0]: ")
    assert "invalid regular expression" in message


def test_an_unknown_pattern_name_suggests_the_known_one(tmp_path: Path) -> None:
    path = _copy(tmp_path) / "claims.zh-CN.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stock.sold_out:", "stock.sold_uot:"), encoding="utf-8")
    with pytest.raises(DataError, match=r"patterns\.stock\.sold_uot: unknown pattern; did you mean 'stock\.sold_out'"):
        load_claim_file(path)


def test_an_unknown_unit_and_an_unknown_placeholder_are_errors(tmp_path: Path) -> None:
    path = _copy(tmp_path) / "claims.en-US.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  pack:", "  pak:"), encoding="utf-8")
    with pytest.raises(DataError, match=rf"^{re.escape(str(path))}:\d+: units\.pak: unknown unit; did you mean 'pack'"):
        load_claim_file(path)
    path.write_text(text.replace("{money:t}", "{mony:t}"), encoding="utf-8")
    with pytest.raises(DataError, match=r"promise\.free_shipping_over\[0\]: unknown placeholder \{mony\}"):
        load_claim_file(path)


def test_a_file_for_another_locale_and_a_missing_pattern_are_errors(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    with pytest.raises(DataError, match=r"locale: claims are for en-US, not zh-CN"):
        load_claim_file(folder / "claims.en-US.yaml", "zh-CN")
    zh = folder / "claims.zh-CN.yaml"
    zh.write_text(zh.read_text(encoding="utf-8").replace("  topic.quality: ['质量问题']\n", ""), encoding="utf-8")
    files = {path: load_claim_file(path) for path in (zh, folder / "claims.en-US.yaml")}
    with pytest.raises(DataError, match=r"patterns\.topic\.quality: no claim file gives the pattern 'topic\.quality'"):
        merge(files)


def test_extraction_uses_both_languages_words() -> None:
    kinds = {
        (claim.kind, claim.topic) for claim in extract_claims("满199包邮，free shipping on orders over $50", "zh-CN")
    }
    assert ("promise", "free_shipping") in kinds
    units = {claim.unit for claim in extract_claims("净含量 250毫升, 8 fl oz", "zh-CN")}
    assert {"ml", "fl_oz"} <= units
