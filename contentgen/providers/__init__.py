"""Providers of text, images, embeddings and speech, and the registry that finds them."""

from contentgen.providers.base import (
    KINDS,
    Audio,
    Embedder,
    ImageProvider,
    ImageRequest,
    Message,
    Provider,
    ProviderInfo,
    ProviderKind,
    ProviderOptions,
    SpeechProvider,
    SpeechRequest,
    TextProvider,
    TextRequest,
    TextResult,
)
from contentgen.providers.registry import available, create, from_settings, provider_class, register, unregister

__all__ = [
    "KINDS",
    "Audio",
    "Embedder",
    "ImageProvider",
    "ImageRequest",
    "Message",
    "Provider",
    "ProviderInfo",
    "ProviderKind",
    "ProviderOptions",
    "SpeechProvider",
    "SpeechRequest",
    "TextProvider",
    "TextRequest",
    "TextResult",
    "available",
    "create",
    "from_settings",
    "provider_class",
    "register",
    "unregister",
]
