"""The `contentgen` command: a thin layer that parses, calls the library, renders with rich."""

from contentgen.cli.app import app, main

__all__ = ["app", "main"]
