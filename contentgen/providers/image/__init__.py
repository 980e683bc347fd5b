"""Image providers."""
