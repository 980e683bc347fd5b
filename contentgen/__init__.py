"""contentgen: brand-true marketing content and a grounded shopping agent, offline first.

The public API is imported lazily so that `import contentgen` (and `contentgen --help`) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "BrandKit": "contentgen.domain",
    "Catalog": "contentgen.domain",
    "Channel": "contentgen.domain",
    "Product": "contentgen.domain",
    "Segment": "contentgen.domain",
    "load_brand_kit": "contentgen.domain",
    "load_catalog": "contentgen.domain",
    "load_channels": "contentgen.domain",
    "load_segments": "contentgen.domain",
    "validate_kit": "contentgen.domain",
    "load_settings": "contentgen.config",
    "Settings": "contentgen.config",
    "ContentgenError": "contentgen.errors",
    "CopyPipeline": "contentgen.pipelines.copy",
    "CopyResult": "contentgen.pipelines.copy",
    "generate_copy": "contentgen.pipelines.copy",
}

__all__ = [
    "BrandKit",
    "Catalog",
    "Channel",
    "ContentgenError",
    "CopyPipeline",
    "CopyResult",
    "Product",
    "Segment",
    "Settings",
    "__version__",
    "generate_copy",
    "load_brand_kit",
    "load_catalog",
    "load_channels",
    "load_segments",
    "load_settings",
    "validate_kit",
]

if TYPE_CHECKING:
    from contentgen.config import Settings, load_settings
    from contentgen.domain import (
        BrandKit,
        Catalog,
        Channel,
        Product,
        Segment,
        load_brand_kit,
        load_catalog,
        load_channels,
        load_segments,
        validate_kit,
    )
    from contentgen.errors import ContentgenError
    from contentgen.pipelines.copy import CopyPipeline, CopyResult, generate_copy


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'contentgen' has no attribute {name!r}")
