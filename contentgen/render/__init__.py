"""Rendering building blocks: typography, legibility, OCR read-back."""
