"""contentgen: brand-true marketing content and a grounded shopping agent, offline first.

The public API is imported lazily so that `import contentgen` (and `contentgen --help`) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "Agent": "contentgen.agent",
    "Answer": "contentgen.agent",
    "Handoff": "contentgen.agent",
    "Refusal": "contentgen.agent",
    "load_agent": "contentgen.agent",
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
    "PosterPipeline": "contentgen.pipelines.poster",
    "PosterResult": "contentgen.pipelines.poster",
    "render_poster": "contentgen.pipelines.poster",
    "VideoPipeline": "contentgen.pipelines.video",
    "VideoResult": "contentgen.pipelines.video",
    "make_video": "contentgen.pipelines.video",
    "CampaignResult": "contentgen.campaign",
    "load_campaign_brief": "contentgen.campaign",
    "plan_campaign": "contentgen.campaign",
    "run_campaign": "contentgen.campaign",
    "DerivedSegments": "contentgen.customers",
    "derive_segments": "contentgen.customers",
    "synthesize_customers": "contentgen.customers",
    "CatalogStore": "contentgen.catalog.store",
    "open_catalog": "contentgen.catalog.store",
    "parse_filters": "contentgen.catalog.filters",
}

__all__ = [
    "Agent",
    "Answer",
    "BrandKit",
    "CampaignResult",
    "Catalog",
    "CatalogStore",
    "Channel",
    "ContentgenError",
    "CopyPipeline",
    "CopyResult",
    "DerivedSegments",
    "Handoff",
    "PosterPipeline",
    "PosterResult",
    "Product",
    "Refusal",
    "Segment",
    "Settings",
    "VideoPipeline",
    "VideoResult",
    "__version__",
    "derive_segments",
    "generate_copy",
    "load_agent",
    "load_brand_kit",
    "load_campaign_brief",
    "load_catalog",
    "load_channels",
    "load_segments",
    "load_settings",
    "make_video",
    "open_catalog",
    "parse_filters",
    "plan_campaign",
    "render_poster",
    "run_campaign",
    "synthesize_customers",
    "validate_kit",
]

if TYPE_CHECKING:
    from contentgen.agent import Agent, Answer, Handoff, Refusal, load_agent
    from contentgen.campaign import CampaignResult, load_campaign_brief, plan_campaign, run_campaign
    from contentgen.catalog.filters import parse_filters
    from contentgen.catalog.store import CatalogStore, open_catalog
    from contentgen.config import Settings, load_settings
    from contentgen.customers import DerivedSegments, derive_segments, synthesize_customers
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
    from contentgen.pipelines.poster import PosterPipeline, PosterResult, render_poster
    from contentgen.pipelines.video import VideoPipeline, VideoResult, make_video


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'contentgen' has no attribute {name!r}")
