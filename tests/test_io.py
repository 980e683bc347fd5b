from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import DataError
from contentgen.fileio import atomic_path, parse_yaml, read_text, write_text_atomic

TEXT = "sku,name\nQH-1,积雪草舒缓精华（敏感肌适用）\nQH-2,“玻尿酸”补水面膜—囍\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_read_text_detects_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert read_text(path) == TEXT


def test_read_text_gbk(tmp_path: Path) -> None:
    text = "商品名称,价格\n" + "\n".join(f"温和洁面乳{i}号,59" for i in range(20)) + "\n"
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk"))
    assert read_text(path) == text


def test_read_text_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        read_text(tmp_path / "nope.csv")


def test_yaml_line_map_points_at_keys(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb:\n  c: 2\n  d:\n    - x\n    - y\n", encoding="utf-8")
    data, lines = parse_yaml(path)
    assert data == {"a": 1, "b": {"c": 2, "d": ["x", "y"]}}
    assert lines[("b", "c")] == 3 and lines[("b", "d", 1)] == 6


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half-written", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
