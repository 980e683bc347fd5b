"""What a run sent out, as the results loop joins on it: one unit per tracking code (an item or a cell in an arm).

A campaign run folder (campaign.json + manifest.jsonl) gives one unit per review item: its artifact id, its arm
(the item's letter within its artifact, A = best ranked) and its tracking code, plus, when `campaign assign` wrote
an assignments file, every customer's experiment arm (holdout included), read exactly as a journey run's. A journey
run folder gives one unit per distinct (artifact id, arm) of its message rows, plus every customer's experiment arm
from its assignments file (holdout customers included, who get no message) and the message touches used for
attribution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from contentgen.errors import DataError
from contentgen.results.tracking import item_arms, tracking_code

MESSAGE_FILES = ("messages.jsonl", "messages.csv")
ASSIGNMENT_FILES = ("assignments.csv", "assignments.jsonl")
MESSAGE_COLUMNS = (
    "message_id",
    "customer_id",
    "journey",
    "step",
    "channel",
    "send_at",
    "arm",
    "artifact_id",
    "tracking_code",
)
HOLDOUT = "holdout"


@dataclass(frozen=True)
class Unit:
    """One tracked thing: a campaign item or a journey content cell, in one arm."""

    code: str
    artifact_id: str
    arm: str
    kind: str
    segment: str
    channel: str
    variant: str
    angle: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    media: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()


@dataclass(frozen=True)
class Touch:
    """One message a customer was sent (journeys): what attribution spreads an order's credit over."""

    customer_id: str
    code: str
    at: dt.datetime


@dataclass
class RunIndex:
    """The units of a run and, for journeys, who was in which arm and what each customer was sent."""

    root: Path
    kind: Literal["campaign", "journey"]
    name: str
    locale: str
    kit: str
    units: dict[str, Unit]
    starts: dt.datetime
    """Nothing before this can be an outcome of the run: the first artifact made or the first message sent."""
    assignments: dict[str, tuple[str, str]] = field(default_factory=dict)
    """customer id → (experiment, arm): a journey run's, or a campaign's from `campaign assign`."""
    planned: dict[str, dict[str, float]] = field(default_factory=dict)
    """experiment id → arm → planned share, where the run records its experiment (campaigns)."""
    touches: list[Touch] = field(default_factory=list)

    @cached_property
    def customers(self) -> frozenset[str]:
        """Everyone the run assigned or messaged (journeys)."""
        return frozenset(self.assignments) | {t.customer_id for t in self.touches}

    @cached_property
    def artifacts(self) -> dict[str, list[Unit]]:
        out: dict[str, list[Unit]] = {}
        for unit in self.units.values():
            out.setdefault(unit.artifact_id, []).append(unit)
        return out

    def unit_for(self, code: str | None, artifact_id: str | None, arm: str | None) -> Unit | None:
        """The unit a report row means: by tracking code, else by artifact id (and arm, or its only arm)."""
        from contentgen.results.tracking import normalise_code

        if code:
            canonical = normalise_code(code)
            return self.units.get(canonical) if canonical else None
        if artifact_id:
            candidates = self.artifacts.get(artifact_id, [])
            if arm:
                return next((u for u in candidates if u.arm == arm), None)
            return candidates[0] if len(candidates) == 1 else None
        return None


def load_run(root: Path) -> RunIndex:
    """The run folder's units: a campaign run or a journey run (detected from its files)."""
    root = root.resolve()
    if (root / "campaign.json").is_file():
        return _campaign_units(root)
    if any((root / name).is_file() for name in MESSAGE_FILES):
        return _journey_units(root)
    raise DataError(
        root,
        "not a run folder: no campaign.json or messages.jsonl/messages.csv",
        hint="give the folder `contentgen campaign run` or `contentgen journeys run` wrote",
    )


def _campaign_units(root: Path) -> RunIndex:
    from contentgen.campaign.review import collect_review

    review = collect_review(root)
    campaign = review.campaign
    arms = item_arms((i.artifact_id, i.key) for i in review.items)
    units: dict[str, Unit] = {}
    for item in review.items:
        arm = arms[item.key]
        code = tracking_code(item.artifact_id, arm)
        units[code] = Unit(
            code=code,
            artifact_id=item.artifact_id,
            arm=arm,
            kind=item.kind,
            segment=item.segment,
            channel=item.channel,
            variant=item.label,
            angle=item.angle,
            texts=dict(item.texts),
            media=tuple(m.path for m in item.media if m.type == "image"),
            skus=tuple(item.skus),
        )
    created = [r.created_at for r in review.records]
    starts = min(created) if created else dt.datetime.now(dt.UTC)
    planned: dict[str, dict[str, float]] = {}
    if campaign.get("experiment"):
        from contentgen.domain.experiment import Experiment

        experiment = Experiment.model_validate(campaign["experiment"])
        planned[experiment.id] = experiment.shares()
    return RunIndex(
        root=root,
        kind="campaign",
        name=str(campaign["campaign"]),
        locale=str(campaign.get("locale", "")),
        kit=str(campaign.get("kit", "")),
        units=units,
        starts=starts,
        assignments=_assignments(root),
        planned=planned,
    )


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    from contentgen.fileio import read_rows

    for line, row in read_rows(path):
        missing = [c for c in required if c not in row]
        if missing:
            raise DataError(path, f"column '{missing[0]}' is missing", line=line, hint=f"needs {', '.join(required)}")
        yield line, row


def parse_time(text: str, path: Path, line: int, column: str) -> dt.datetime:
    """An ISO 8601 date or time; a time without an offset is taken as UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("/", "-").replace("Z", "+00:00"))
    except ValueError:
        raise DataError(path, f"'{text}' is not an ISO 8601 date or time", line=line, field=column) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _assignments(root: Path) -> dict[str, tuple[str, str]]:
    """customer id → (experiment, arm) from the run's assignments file (holdout included), if it has one."""
    from contentgen.domain.experiment import ASSIGNMENT_COLUMNS  # lazy like Experiment below: pydantic

    assignments: dict[str, tuple[str, str]] = {}
    apath = next((root / n for n in ASSIGNMENT_FILES if (root / n).is_file()), None)
    if apath is not None:
        for line, row in _rows(apath, ASSIGNMENT_COLUMNS):
            if row["customer_id"] in assignments and assignments[row["customer_id"]] != (row["experiment"], row["arm"]):
                raise DataError(apath, f"customer '{row['customer_id']}' has two arms", line=line, field="arm")
            assignments[row["customer_id"]] = (row["experiment"], row["arm"])
    return assignments


def _journey_units(root: Path) -> RunIndex:
    path = next(root / n for n in MESSAGE_FILES if (root / n).is_file())
    units: dict[str, Unit] = {}
    touches: list[Touch] = []
    journeys: set[str] = set()
    locale = ""
    for line, row in _rows(path, MESSAGE_COLUMNS):
        code = row["tracking_code"] or tracking_code(row["artifact_id"], row["arm"])
        journeys.add(row["journey"])
        locale = locale or row.get("locale", "")
        if code not in units:
            texts = {
                k: v for k, v in row.items() if k not in MESSAGE_COLUMNS and k.startswith(("text", "body", "title"))
            }
            units[code] = Unit(
                code=code,
                artifact_id=row["artifact_id"],
                arm=row["arm"],
                kind="message",
                segment=row.get("tier") or row.get("segment") or row["journey"],
                channel=row["channel"],
                variant=f"{row['journey']}/{row['step']}",
                angle=row.get("angle") or None,
                texts=texts,
                skus=tuple(s for s in row.get("sku", "").split() if s),
            )
        touches.append(Touch(row["customer_id"], code, parse_time(row["send_at"], path, line, "send_at")))
    assignments = _assignments(root)
    starts = min((t.at for t in touches), default=dt.datetime.now(dt.UTC))
    return RunIndex(
        root=root,
        kind="journey",
        name=" + ".join(sorted(journeys)) or root.name,
        locale=locale,
        kit="",
        units=units,
        starts=starts,
        assignments=assignments,
        touches=touches,
    )
