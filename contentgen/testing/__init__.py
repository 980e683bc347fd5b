"""Reusable test suites: a provider's tests subclass the conformance suite of its kind."""
