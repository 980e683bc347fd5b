"""Campaigns: a brief → a plan of every artifact → a resumable parallel run → a review page → an export.

brief (kit, products, segments, channels × deliverables, promotion) → **plan** (each artifact with an id and a
hash of what it reads) → **run** (copy before poster before video per cell, in worker processes; one fsync'd
manifest line per finished artifact) → **review** (one HTML page to approve or reject) → **export** (a zip).
"""

from contentgen.campaign.brief import CampaignBrief, find_brief, load_campaign_brief, shipped_briefs
from contentgen.campaign.deliverables import (
    CampaignContext,
    CopyDeliverable,
    CopyOptions,
    Deliverable,
    DeliverableOptions,
)
from contentgen.campaign.manifest import ArtifactRecord, OutputFile, read_manifest
from contentgen.campaign.plan import CampaignPlan, plan_campaign
from contentgen.campaign.registry import available_deliverables, register_deliverable, unregister_deliverable
from contentgen.campaign.runner import (
    CampaignInterrupted,
    CampaignResult,
    Failure,
    ProgressEvent,
    artifact_status,
    run_campaign,
)
from contentgen.campaign.types import Cell, PlannedArtifact, ReviewItem

__all__ = [
    "ArtifactRecord",
    "CampaignBrief",
    "CampaignContext",
    "CampaignInterrupted",
    "CampaignPlan",
    "CampaignResult",
    "Cell",
    "CopyDeliverable",
    "CopyOptions",
    "Deliverable",
    "DeliverableOptions",
    "Failure",
    "OutputFile",
    "PlannedArtifact",
    "ProgressEvent",
    "ReviewItem",
    "artifact_status",
    "available_deliverables",
    "find_brief",
    "load_campaign_brief",
    "plan_campaign",
    "read_manifest",
    "register_deliverable",
    "run_campaign",
    "shipped_briefs",
    "unregister_deliverable",
]
