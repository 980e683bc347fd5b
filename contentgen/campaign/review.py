"""The review page: every artifact of a run grouped by segment × channel, to approve or reject item by item.

`write_review(DIR)` writes DIR/review.html, one self-contained file (inline CSS and JS, the brand's fonts
subset to the page's text and its logo as data URIs, media by relative path) that works from file://.
Decisions live in the browser (localStorage) and download as decisions.json; `serve_review(DIR)` serves
the folder on 127.0.0.1 and saves each decision to DIR/decisions.json as it is made.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contentgen.campaign.manifest import MANIFEST, ArtifactRecord, read_manifest
from contentgen.compliance.findings import Finding, Severity
from contentgen.errors import DataError

if TYPE_CHECKING:
    from contentgen.pipelines.copy import CopyResult

REVIEW_FILE = "review.html"
DECISIONS_FILE = "decisions.json"
MAX_DECISIONS_BYTES = 5_000_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".svg")
VIDEO_SUFFIXES = (".mp4", ".webm", ".mov")
AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".m4a")


class Media(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    type: Literal["image", "video", "audio"]


class ReviewItem(BaseModel):
    """One thing a reviewer approves or rejects: a copy variant, a poster, a video."""

    key: str = Field(description="decision key: artifact id + '#' + the item's content hash")
    artifact_id: str
    kind: str
    segment: str
    channel: str
    skus: list[str]
    label: str
    rank: int | None = None
    score: float | None = None
    scores: dict[str, float] = {}
    ready: bool
    angle: str | None = None
    texts: dict[str, str] = {}
    hashtags: list[str] = []
    media: list[Media] = []
    files: list[str] = Field(default=[], description="files exported with the item, relative to the run folder")
    findings: list[Finding] = []


def copy_review_items(record: ArtifactRecord, result: CopyResult) -> list[ReviewItem]:
    """One item per ranked copy variant, with its scores and findings."""
    if not result.variants:
        reason = next((f.message for f in record.findings), "no variant was written")
        return [
            ReviewItem(
                key=f"{record.id}#none",
                artifact_id=record.id,
                kind=record.kind,
                segment=record.segment,
                channel=record.channel,
                skus=record.skus,
                label="no variant",
                ready=False,
                findings=record.findings or [Finding(rule="copy.none", severity=Severity.BLOCK, message=reason)],
            )
        ]
    return [
        ReviewItem(
            key=f"{record.id}#{variant.id}",
            artifact_id=record.id,
            kind=record.kind,
            segment=record.segment,
            channel=record.channel,
            skus=record.skus,
            label=f"#{variant.rank}",
            rank=variant.rank,
            score=variant.score,
            scores=variant.scores,
            ready=variant.ready,
            angle=variant.angle,
            texts=variant.fields,
            hashtags=variant.hashtags,
            findings=variant.findings,
        )
        for variant in result.variants
    ]


def file_review_items(record: ArtifactRecord, root: Path) -> list[ReviewItem]:
    """One item per image, video or audio file; files that share its stem (poster.jpg, poster.json) go with it."""
    by_stem: dict[str, list[str]] = {}
    for output in record.files:
        path = PurePosixPath(output.path)
        by_stem.setdefault(str(path.with_suffix("")), []).append(output.path)
    digests = {f.path: f.sha256 for f in record.files}
    items = []
    for stem, paths in by_stem.items():
        ranked = sorted(paths, key=_media_rank)
        kind = _media_type(ranked[0])
        if kind is None:
            continue
        items.append(
            ReviewItem(
                key=f"{record.id}#{digests[ranked[0]][:12]}",
                artifact_id=record.id,
                kind=record.kind,
                segment=record.segment,
                channel=record.channel,
                skus=record.skus,
                label=PurePosixPath(stem).name,
                ready=record.ready,
                media=[Media(path=ranked[0], type=kind)],
                files=paths,
                findings=record.findings,
            )
        )
    return items


def _media_type(path: str) -> Literal["image", "video", "audio"] | None:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return None


def _media_rank(path: str) -> int:
    suffix = PurePosixPath(path).suffix.lower()
    order = (*VIDEO_SUFFIXES, *IMAGE_SUFFIXES, *AUDIO_SUFFIXES)
    return order.index(suffix) if suffix in order else len(order)


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
    from contentgen.io import load_model

    if not path.is_file():
        return Decisions()
    return load_model(Decisions, path)


def save_decisions(path: Path, decisions: Decisions) -> None:
    from contentgen.io import write_text_atomic

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
    from contentgen.campaign.runner import CAMPAIGN_FILE

    path = root / CAMPAIGN_FILE
    if not path.is_file():
        raise DataError(root, f"no {CAMPAIGN_FILE} here", hint="give the folder `contentgen campaign run` wrote")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def collect_review(root: Path, decisions: Decisions | None = None) -> Review:
    """Every planned artifact of a run with its review items, grouped by segment × channel, then product."""
    from contentgen.campaign.deliverables import available_deliverables, deliverable

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
    from contentgen.io import write_text_atomic

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


# ---- the local server ------------------------------------------------------------------------------------


class ReviewServer(ThreadingHTTPServer):
    """Serves a run folder on 127.0.0.1; POST /decisions saves decisions.json atomically."""

    daemon_threads = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve()
        self.lock = threading.Lock()
        super().__init__((host, port), _handler(self.root))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/{REVIEW_FILE}"

    @property
    def origin(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def _handler(root: Path) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        server: ReviewServer

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints the URL, not a log
            return

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/decisions":
                self._json(HTTPStatus.OK, load_decisions(root / DECISIONS_FILE).model_dump(mode="json"))
                return
            super().do_GET()

        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/decisions":
                self._json(HTTPStatus.NOT_FOUND, {"error": "POST /decisions only"})
                return
            origin = self.headers.get("Origin")
            if origin not in (None, "null", self.server.origin):  # another site's page must not write here
                self._json(HTTPStatus.FORBIDDEN, {"error": f"origin {origin} may not save decisions"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_DECISIONS_BYTES:
                self._json(HTTPStatus.BAD_REQUEST, {"error": "send the decisions as a JSON body"})
                return
            try:
                decisions = Decisions.model_validate_json(self.rfile.read(length))
            except ValidationError as err:
                self._json(HTTPStatus.BAD_REQUEST, {"error": err.errors()[0]["msg"]})
                return
            with self.server.lock:
                save_decisions(root / DECISIONS_FILE, decisions)
            self._json(HTTPStatus.OK, {"saved": len(decisions.decisions)})

        def _json(self, status: HTTPStatus, data: Any) -> None:
            body = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def serve_review(root: Path, *, host: str = "127.0.0.1", port: int = 0) -> ReviewServer:
    """Write the review page and return a server for its folder (call serve_forever(); port 0 picks a free one)."""
    write_review(root)
    return ReviewServer(root, host, port)


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
