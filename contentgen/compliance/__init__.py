"""Checks every generated text goes through: advertising law, the brand kit, and claim grounding."""

from contentgen.domain.findings import Finding, Severity

__all__ = ["Finding", "Severity"]
