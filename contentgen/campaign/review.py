"""The review page: every artifact of a run grouped by segment × channel, to approve or reject item by item.

`write_review(DIR)` writes DIR/review.html, one self-contained file (inline CSS and JS, the brand's fonts
subset to the page's text and its logo as data URIs, media by relative path) that works from file://.
Decisions live in the browser (localStorage) and download as decisions.json; `review_server.serve_review(DIR)` serves
the folder on 127.0.0.1 and saves each decision to DIR/decisions.json as it is made.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from contentgen.campaign.manifest import CAMPAIGN_FILE, MANIFEST, ArtifactRecord, read_manifest
from contentgen.campaign.registry import available_deliverables, deliverable
from contentgen.campaign.review_items import file_review_items
from contentgen.campaign.types import ReviewItem
from contentgen.domain.findings import Severity
from contentgen.errors import DataError

REVIEW_FILE = "review.html"
DECISIONS_FILE = "decisions.json"
MAX_DECISIONS_BYTES = 5_000_000


# ---- decisions ----------------------------------------------------------------------------------------


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["approved", "rejected", "pending"]
    at: dt.datetime
    note: str = ""


class Decisions(BaseModel):
    """decisions.json: item key → the reviewer's latest decision."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    campaign: str | None = None
    decisions: dict[str, Decision] = {}

    def approved(self) -> set[str]:
        return {key for key, d in self.decisions.items() if d.status == "approved"}


def load_decisions(path: Path) -> Decisions:
    """Decisions from a decisions.json (the review page's download or the one `--serve` writes)."""
    from contentgen.fileio import load_model

    if not path.is_file():
        return Decisions()
    return load_model(Decisions, path)


def save_decisions(path: Path, decisions: Decisions) -> None:
    from contentgen.fileio import write_text_atomic

    write_text_atomic(path, decisions.model_dump_json(indent=2) + "\n")


# ---- collecting a run -----------------------------------------------------------------------------------


@dataclass
class ArtifactView:
    id: str
    kind: str
    record: ArtifactRecord | None
    items: list[ReviewItem]


@dataclass
class ProductView:
    skus: list[str]
    names: list[str]
    artifacts: list[ArtifactView]


@dataclass
class Group:
    segment: str
    channel: str
    segment_label: str
    channel_label: str
    products: list[ProductView]

    @property
    def items(self) -> list[ReviewItem]:
        return [i for p in self.products for a in p.artifacts for i in a.items]


@dataclass
class Review:
    """A run as the review page shows it."""

    root: Path
    campaign: dict[str, Any]
    groups: list[Group]
    decisions: Decisions

    @property
    def items(self) -> list[ReviewItem]:
        return [i for g in self.groups for i in g.items]

    @property
    def records(self) -> list[ArtifactRecord]:
        return [a.record for g in self.groups for p in g.products for a in p.artifacts if a.record]

    @property
    def missing(self) -> list[str]:
        return [a.id for g in self.groups for p in g.products for a in p.artifacts if a.record is None]


def load_campaign_file(root: Path) -> dict[str, Any]:
    """campaign.json of a run folder (written by `campaign run`)."""
    path = root / CAMPAIGN_FILE
    if not path.is_file():
        raise DataError(root, f"no {CAMPAIGN_FILE} here", hint="give the folder `contentgen campaign run` wrote")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def collect_review(root: Path, decisions: Decisions | None = None) -> Review:
    """Every planned artifact of a run with its review items, grouped by segment × channel, then product."""
    campaign = load_campaign_file(root)
    records = read_manifest(root / MANIFEST)
    labels = campaign.get("labels", {})
    registered = available_deliverables()
    groups: dict[tuple[str, str], Group] = {}
    for planned in campaign["items"]:
        segment, channel, skus = planned["segment"], planned["channel"], list(planned["skus"])
        group = groups.get((segment, channel))
        if group is None:
            group = groups[(segment, channel)] = Group(
                segment,
                channel,
                labels.get("segments", {}).get(segment, segment),
                labels.get("channels", {}).get(channel, channel),
                [],
            )
        product = next((p for p in group.products if p.skus == skus), None)
        if product is None:
            names = [labels.get("products", {}).get(sku, sku) for sku in skus]
            product = ProductView(skus, names, [])
            group.products.append(product)
        record = records.get(planned["id"])
        if record is not None and (
            record.input_hash != planned["input_hash"] or not all((root / f.path).is_file() for f in record.files)
        ):
            record = None  # made from other inputs than the current plan's, or files gone: not what would ship
        items: list[ReviewItem] = []
        if record is not None:
            kind = record.kind
            items = (
                deliverable(kind).review_items(record, root) if kind in registered else file_review_items(record, root)
            )
        product.artifacts.append(ArtifactView(planned["id"], planned["kind"], record, items))
    return Review(root, campaign, list(groups.values()), decisions or load_decisions(root / DECISIONS_FILE))


# ---- the page ---------------------------------------------------------------------------------------------


def write_review(root: Path) -> Path:
    """Write DIR/review.html for a run folder and return its path."""
    from contentgen.fileio import write_text_atomic

    root = root.resolve()
    review = collect_review(root)
    path = root / REVIEW_FILE
    write_text_atomic(path, render_review(review))
    return path


def render_review(review: Review) -> str:
    """The review page's HTML."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["by_severity"] = lambda findings: sorted(findings, key=lambda f: list(Severity).index(f.severity))
    template = env.get_template("review.html.j2")
    campaign = review.campaign
    assets = campaign.get("assets", {})
    stages = campaign.get("stages", [])
    items = review.items
    state = {
        "campaign": campaign["campaign"],
        "storageKey": f"contentgen-review:{campaign['campaign']}:{review.root}",
        "decisions": review.decisions.model_dump(mode="json")["decisions"],
        "keys": [i.key for i in items],
    }
    page_text = json.dumps([i.model_dump(include={"texts", "label", "findings"}) for i in items], ensure_ascii=False)
    page_text += json.dumps(campaign.get("labels", {}), ensure_ascii=False) + str(campaign.get("title") or "")
    return template.render(
        campaign=campaign,
        groups=review.groups,
        items=items,
        stages=stages,
        missing=review.missing,
        palette=assets.get("palette", {}),
        logo=_data_uri(assets.get("logo")),
        fonts=_font_faces(assets.get("fonts", {}), page_text + _UI_TEXT),
        state=json.dumps(state, ensure_ascii=False).replace("</", "<\\/"),
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )


_UI_TEXT = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?'\"()[]{}<>/\\|#%&*+-=_~@$€£¥￥·×—–…"
    "→✓✗⋯“”‘’「」【】（），。：；！？、"
)


def _data_uri(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    suffix = Path(path).suffix.lower().lstrip(".")
    mime = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "svg": "image/svg+xml"}.get(suffix)
    if mime is None:
        return None
    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode()


def _font_faces(fonts: dict[str, str], text: str) -> list[dict[str, str]]:
    """The kit's fonts, cut down to the characters on the page, as @font-face data URIs (CJK fonts are large)."""
    faces = []
    for role, path in fonts.items():
        if not Path(path).is_file():
            continue
        try:
            data = _subset_font(Path(path), text)
        except Exception:  # a font fontTools cannot subset: the page falls back to system fonts
            continue
        faces.append({"family": f"Brand {role}", "src": "data:font/ttf;base64," + base64.b64encode(data).decode()})
    return faces


def _subset_font(path: Path, text: str) -> bytes:
    import io

    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(path), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(text))))
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
    finally:
        font.close()
    return buffer.getvalue()


def item_summary(items: Sequence[ReviewItem], decisions: Decisions) -> dict[str, int]:
    """Counts for a listing: items, ready, approved, rejected, undecided, blocking findings."""
    statuses = [decisions.decisions.get(i.key) for i in items]
    return {
        "items": len(items),
        "ready": sum(i.ready for i in items),
        "approved": sum(1 for s in statuses if s and s.status == "approved"),
        "rejected": sum(1 for s in statuses if s and s.status == "rejected"),
        "undecided": sum(1 for s in statuses if not s or s.status == "pending"),
        "blocking": sum(any(f.blocking for f in i.findings) for i in items),
    }
