"""Pipelines, one task each: copy, posters, videos."""
