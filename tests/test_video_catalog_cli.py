"""`contentgen video --catalog FILE [--mapping map.yaml]`: a video of a shop export's product, with its own image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli
from test_poster_catalog_cli import shop_export

import contentgen.render.product as product_module


def test_cli_video_from_a_shop_export_uses_its_product_and_image(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = shop_export(tmp_path / "shop")
    drawn: list[tuple[str, tuple[str, ...], Path | None]] = []
    original = product_module.product_visual

    def spy(product: Any, brand: Any, size: Any, **kw: Any) -> Any:
        drawn.append((product.sku, tuple(product.images), kw.get("images_root")))
        return original(product, brand, size, **kw)

    monkeypatch.setattr(product_module, "product_visual", spy)
    result = cli(
        "video", "--kit", "qinghe", "--segment", "gen-z", "--sku", "EXT-1", "--catalog", str(export),
        "--resolution", "360", "--out", str(tmp_path / "out"), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert Path(data["video"]).exists() and data["size"] == [360, 640]
    board = json.loads(Path(data["storyboard"]).read_text(encoding="utf-8"))
    assert board["skus"] == ["EXT-1"]
    # every scene with a product shows the export's own packshot, found beside the export
    assert drawn and set(drawn) == {("EXT-1", ("pics/jar.png",), export.parent)}
    assert "is a URL and is not fetched" in result.stderr  # the other product's image URL, as for posters


def test_cli_video_catalog_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    base = ("video", "--kit", "qinghe", "--segment", "gen-z", "--out", str(tmp_path))
    missing = cli(*base, "--catalog", str(tmp_path / "nope.csv"))
    unknown = cli(*base, "--catalog", str(shop_export(tmp_path / "shop")), "--sku", "QH-TNR-001")
    orphan = cli(*base, "--mapping", str(tmp_path / "map.yaml"))
    for outcome, expected in ((missing, "nope.csv"), (unknown, "QH-TNR-001"), (orphan, "--mapping goes with")):
        assert outcome.exit_code == 1, outcome.output
        assert expected in outcome.output and "Traceback" not in outcome.output
        errors = [line for line in outcome.output.splitlines() if not line.startswith("Warning: ")]
        assert len(errors) == 1 and errors[0].startswith("Error: "), outcome.output  # warnings: the image URL


def test_cli_video_catalog_with_a_mapping(cli: Cli, tmp_path: Path) -> None:
    data = Path(__file__).parent / "data" / "importers"
    result = cli(
        "video", "--kit", "morrow", "--segment", "gen-z", "--sku", "C-100",
        "--catalog", str(data / "custom_export.csv"), "--mapping", str(data / "custom_mapping.yaml"),
        "--resolution", "180", "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    board = json.loads(Path(json.loads(result.stdout)["storyboard"]).read_text(encoding="utf-8"))
    assert board["skus"] == ["C-100"]
