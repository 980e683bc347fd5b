from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.errors import DataError
from contentgen.fileio import atomic_path, json_row, parse_yaml, read_jsonl, read_rows, read_text, write_text_atomic

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


def test_rows_read_the_same_from_csv_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("customer_id,segment\n c1 ,gen-z\nc2,\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text(
        '{"customer_id": " c1 ", "segment": "gen-z"}\n\n{"customer_id": "c2", "segment": null}\n', encoding="utf-8"
    )
    expected = [(2, {"customer_id": "c1", "segment": "gen-z"}), (3, {"customer_id": "c2", "segment": ""})]
    assert list(read_rows(tmp_path / "c.csv")) == expected
    assert [row for _, row in read_rows(tmp_path / "c.jsonl")] == [row for _, row in expected]
    assert [line for line, _ in read_rows(tmp_path / "c.jsonl")] == [1, 3]
    # a single line keeps its values as written (the journeys' streaming reader strips fields itself)
    assert json_row("c.jsonl", 1, '{"n": 2, "id": " c1 "}') == {"n": "2", "id": " c1 "}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"customer_id": "c2"', r"c\.jsonl:2: invalid JSON: Expecting ',' delimiter at column 21"),
        ('["c2"]', r"c\.jsonl:2: each line must be a JSON object"),
        ("c2", r"c\.jsonl:2: invalid JSON: Expecting value at column 1"),
    ],
)
def test_a_bad_jsonl_line_is_one_line_naming_file_line_and_fix(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(f'{{"customer_id": "c1"}}\n{line}\n', encoding="utf-8")
    for read in (read_rows, read_jsonl):
        with pytest.raises(DataError, match=message) as caught:
            list(read(path))
        assert "\n" not in str(caught.value) and 'one JSON object a line, {"column": "value", ...}' in str(caught.value)


def test_csv_lines_count_blank_lines_and_cells_over_two_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('a,b\n1,2\n\n3,4\n"x\ny",5\n6,7\n\n\n8,\n', encoding="utf-8")
    assert [line for line, _ in read_rows(path)] == [2, 4, 5, 7, 10]
    path.write_text("a,b\n1,2\n\n3,4,5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"c\.csv:4: row has 3 cells but the header has 2"):
        list(read_rows(path))
