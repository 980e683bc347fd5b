"""The name-matching thresholds (agent/names.yaml), calibrated on the labelled sets by `contentgen.agent.calibrate`."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field

from contentgen.domain.common import Model
from contentgen.fileio import load_model

__all__ = ["THRESHOLDS_FILE", "NameThresholds", "PerScript", "thresholds"]

THRESHOLDS_FILE = Path(__file__).resolve().parent / "names.yaml"


class PerScript(Model):
    cjk: float = Field(ge=0)
    latin: float = Field(ge=0)

    def of(self, cjk: bool) -> float:
        return self.cjk if cjk else self.latin


class NameThresholds(Model):
    """agent/names.yaml: `share` for NameMatcher (weighted share of a name's tokens, 0–1) and `fuzzy` for
    FuzzyNames (rapidfuzz similarity, 0–100), each per script; `strong` for the top search hit that neither names
    (the weighted share of its name the message carries, 0–1)."""

    share: PerScript
    fuzzy: PerScript
    strong: PerScript = PerScript(cjk=0.34, latin=0.34)


@functools.lru_cache(maxsize=1)
def thresholds() -> NameThresholds:
    """The shipped, calibrated thresholds (read once)."""
    return load_model(NameThresholds, THRESHOLDS_FILE)
