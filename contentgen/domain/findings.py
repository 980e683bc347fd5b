"""Typed findings shared by every check (ad law, brand kit, claim grounding, legibility)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    BLOCK = "block"  # the item must not be marked ready
    WARN = "warn"  # a reviewer should look
    INFO = "info"


class Finding(BaseModel):
    """One problem in one text: where it is, which rule, how bad, and how to fix it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    message: str
    text: str = ""
    span: tuple[int, int] | None = None
    field: str | None = None
    suggestion: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCK
