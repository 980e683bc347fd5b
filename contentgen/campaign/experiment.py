"""Experiments on campaign briefs: arms are the variant letters of each item, customers are assigned by salted hash.

A brief's `experiment:` block is the shared model (`contentgen.domain.experiment`, the one implementation journeys
use too). Its arms name the ranked variants every copy cell makes (A = best ranked, B, C …: the `arm` column of the
export, which the tracking code and UTM link carry); a customer in arm B is shown variant B of every item, and a
holdout customer is shown nothing. `assign_customers` writes the customer → arm table (`assignments.csv`, the same
columns a journey run writes) into the run folder, where `results import/analyze` joins customer-level outcomes on it.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.domain.experiment import ASSIGNMENT_COLUMNS, HOLDOUT, Assigner, Experiment, PowerCheck, power_check
from contentgen.errors import ContentgenError, DataError

if TYPE_CHECKING:
    from contentgen.campaign.deliverables import CampaignContext
    from contentgen.campaign.types import PlannedArtifact

ASSIGNMENTS_FILE = "assignments.csv"
COLUMNS = (*ASSIGNMENT_COLUMNS, "segment")
_LETTERS = re.compile(r"^[A-Z]{1,2}$")


def variant_index(letter: str) -> int:
    """'A' → 0, 'Z' → 25, 'AA' → 26: the inverse of `results.tracking.arm_letter`."""
    index = 0
    for ch in letter:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


def check_variants(ctx: CampaignContext, items: list[PlannedArtifact]) -> None:
    """Arms must be variant letters, and every copy cell must make a variant for each (`copy: {n: …}`)."""
    brief = ctx.brief
    experiment = brief.experiment
    if experiment is None:
        return
    for i, arm in enumerate(experiment.arm_ids):
        if not _LETTERS.match(arm):
            raise brief.error(
                ("experiment", "arms", i),
                f"arm '{arm}' is not a variant letter: a campaign's arms are its ranked variants A, B, C … "
                "(A = best ranked)",
                hint="e.g. `arms: [A, B]`",
            )
    top = max(experiment.arm_ids, key=variant_index)
    needed = variant_index(top) + 1
    for item in items:
        n = item.options.get("n")
        if item.kind == "copy" and isinstance(n, int) and n < needed:
            raise brief.error(
                ("channels", item.channel, "copy"),
                f"experiment arm '{top}' needs {needed} copy variants, but this channel makes {n}",
                hint=f"set `copy: {{n: {needed}}}` or drop arm '{top}'",
            )


def audience(ctx: CampaignContext, segments: list[str]) -> int | None:
    """Customers in the campaign's segments when every segment knows its size (derived from data), else None."""
    sizes = [ctx.segments[s].rfm for s in segments]
    if not sizes or any(r is None for r in sizes):
        return None
    return sum(r.stats.customers for r in sizes if r is not None)


@dataclass(frozen=True)
class PowerNote:
    """What the plan says about an experiment's power: a warning, an all-clear, or that sizes are unknown."""

    experiment: str
    audience: int | None
    check: PowerCheck | None

    @property
    def warning(self) -> str | None:
        return self.check.warning(self.experiment) if self.check else None

    @property
    def message(self) -> str:
        if self.check is None:
            return (
                f"experiment '{self.experiment}': segment sizes are unknown (only segments derived from customer "
                "data have them), so the power check waits for `contentgen campaign assign RUN --customers FILE`"
            )
        return self.warning or (
            f"experiment '{self.experiment}': {self.audience:,} customers in the segments, smallest group "
            f"{self.check.smallest_group:,} ≥ {self.check.required_per_group:,} needed per group"
        )


def power_note(experiment: Experiment, size: int | None) -> PowerNote:
    return PowerNote(experiment.id, size, power_check(experiment, size) if size is not None else None)


@dataclass
class Assignment:
    """What `assign_customers` wrote: counts per arm, customers left out and why, the power check."""

    path: Path
    experiment: Experiment
    counts: dict[str, int]
    eligible: int
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def power(self) -> PowerCheck:
        """The sample-size check on the groups as assigned (not their expected sizes)."""
        expected = power_check(self.experiment, self.eligible)
        return PowerCheck(expected.required_per_group, min(self.counts.values(), default=0), self.eligible)

    @property
    def warning(self) -> str | None:
        return self.power.warning(self.experiment.id)


def run_experiment(root: Path) -> tuple[dict[str, Any], Experiment]:
    """campaign.json of a run folder and its experiment; a one-line error when the brief has none."""
    from contentgen.campaign.review import load_campaign_file

    campaign = load_campaign_file(root)
    raw = campaign.get("experiment")
    if not raw:
        raise ContentgenError(
            f"campaign '{campaign.get('campaign')}' in {root} has no experiment; add an `experiment:` block "
            "(id, arms: [A, B], holdout, mde) to its brief and run `contentgen campaign run` again"
        )
    return campaign, Experiment.model_validate(raw)


def _customer_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from contentgen.fileio import read_rows

    if not path.is_file():
        raise DataError(path, "file not found", hint="a CSV or JSONL file with a customer_id column")
    return read_rows(path)


def assign_customers(root: Path, customers: Path, out: Path | None = None) -> Assignment:
    """Write customer → arm (or holdout) for the run's experiment, with the same salted hash journeys use.

    Customers file: CSV, XLSX or JSONL with `customer_id`, and optionally `segment` (rows of a segment this
    campaign does not target are counted as skipped). A duplicate or empty customer id is a one-line error.
    """
    from contentgen.fileio import write_text_atomic

    root = root.resolve()
    campaign, experiment = run_experiment(root)
    targeted = {str(i["segment"]) for i in campaign.get("items", [])}
    assigner = Assigner(experiment)
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for line, row in _customer_rows(customers):
        if "customer_id" not in row:
            raise DataError(
                customers, "column 'customer_id' is missing", line=line, hint="name the id column customer_id"
            )
        cid = row["customer_id"].strip()
        if not cid:
            raise DataError(customers, "required field is missing", line=line, field="customer_id")
        if cid in seen:
            raise DataError(customers, f"customer '{cid}' appears twice", line=line, field="customer_id")
        seen.add(cid)
        segment = row.get("segment", "").strip()
        if segment and targeted and segment not in targeted:
            skipped["segment not in this campaign"] += 1
            continue
        arm = assigner(cid)
        counts[arm] += 1
        writer.writerow((cid, experiment.id, arm, segment))
    if not seen:
        raise DataError(customers, "no customers in the file", hint="one row per customer with a customer_id column")
    target = out or root / ASSIGNMENTS_FILE
    write_text_atomic(target, buffer.getvalue())
    ordered = {a: counts.get(a, 0) for a in [*experiment.arm_ids, HOLDOUT] if a in experiment.shares()}
    return Assignment(target, experiment, ordered, sum(counts.values()), dict(skipped))
