"""Every failure a user can cause is a ContentgenError with a one-line message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class ContentgenError(Exception):
    """Base of all user-facing errors; ``str(err)`` is the one line the CLI prints."""


class DataError(ContentgenError):
    """A data file (kit, catalog, segments, channel, prompt) is malformed."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.line, self.field, self.hint = str(file), line, field, hint
        self.message = message
        where = self.file + (f":{line}" if line else "")
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}" + (f" ({hint})" if hint else ""))


class ConfigError(ContentgenError):
    """Settings, flags or provider options are wrong."""


class NotFoundError(ContentgenError):
    """A named thing (kit, segment, channel, SKU, provider) does not exist."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]) -> None:
        self.kind, self.name, self.valid = kind, name, sorted(valid)
        close = difflib.get_close_matches(name, self.valid, n=1)
        maybe = f"did you mean '{close[0]}'? " if close else ""
        shown = ", ".join(self.valid[:30]) + (" …" if len(self.valid) > 30 else "")
        super().__init__(f"unknown {kind} '{name}'; {maybe}valid: {shown or '(none)'}")


class ProviderError(ContentgenError):
    """A provider could not be built or failed at run time (model missing, server down)."""


class MissingExtraError(ProviderError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(f"{feature} needs the '{package}' package; install it with pip install 'contentgen[{extra}]'")
