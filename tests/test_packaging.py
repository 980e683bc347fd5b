"""The built wheel carries the data folders, and an installed copy works outside the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.slow
def test_wheel_ships_data_and_works_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("contentgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "contentgen/_data/brand_kits/qinghe/kit.yaml",
        "contentgen/_data/brand_kits/morrow/catalog.csv",
        "contentgen/_data/brand_kits/segments.yaml",
        "contentgen/_data/channels/douyin.yaml",
        "contentgen/_data/prompts/copy/zh-CN/xiaohongshu.yaml",
        "contentgen/_data/agents/README.md",
        "contentgen/compliance/rules/zh-CN.yaml",
        "contentgen/compliance/rules/claims.zh-CN.yaml",
        "contentgen/compliance/rules/claims.en-US.yaml",
    ):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "contentgen/_data/outputs")) for n in names)
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import contentgen, json; from contentgen.domain import validate_kit; "
        "print(json.dumps([contentgen.__file__, validate_kit('qinghe').summary['products']]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    where, products = json.loads(proc.stdout)
    assert where.startswith(str(target)) and products >= 60
