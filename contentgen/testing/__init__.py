"""Test helpers for users' own tests: provider conformance suites, scripted fake providers, shipped real models.

`ScriptedTextProvider` and `ScriptedImageProvider` live in `contentgen.testing.fakes` (re-exported here).
"""

from contentgen.testing.fakes import ScriptedImageProvider, ScriptedTextProvider

__all__ = ["ScriptedImageProvider", "ScriptedTextProvider"]
