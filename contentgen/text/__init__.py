"""Text utilities shared across contentgen: sentence splitting and zh/en number parsing (no heavy imports)."""
