"""Text providers."""
