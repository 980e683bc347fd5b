"""Where the shipped data folders live: beside the package in a checkout, inside it once installed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

DataFolder = Literal["prompts", "brand_kits", "agents", "channels", "layouts", "campaigns", "journeys"]

_PACKAGE = Path(__file__).resolve().parent


def shipped(folder: DataFolder) -> Path:
    """The shipped copy of a data folder (the wheel puts them under contentgen/_data/)."""
    installed = _PACKAGE / "_data" / folder
    return installed if installed.is_dir() else _PACKAGE.parent / folder


def inside(root: Path, relative: str) -> Path | None:
    """`root/relative` if it stays inside `root`, else None (absolute paths and '..' escapes)."""
    if Path(relative).is_absolute() or relative.startswith(("/", "\\")):
        return None
    candidate = (root / relative).resolve()
    base = root.resolve()
    return candidate if candidate == base or base in candidate.parents else None
