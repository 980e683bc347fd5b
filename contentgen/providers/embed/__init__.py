"""Embedders: the offline static default (wordllama) and sentence-transformers models."""
