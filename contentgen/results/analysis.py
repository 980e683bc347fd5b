"""Analysis: the funnel per segment × channel × variant × arm, lift of each arm with its interval, attribution.

Campaigns: each artifact whose variants (arms A, B, …) ran side by side is an experiment; arm A (the best-ranked
variant) is the control, compared on click-through (clicks / impressions) and order rate (orders / impressions).
A campaign whose brief has an `experiment:` and whose customers were assigned (`campaign assign`) also gets that
experiment measured per customer, exactly as a journey's below (the holdout is the control).
Journeys: each experiment of the assignments file compares its arms with the holdout on conversion (share of
assigned customers with an order) and revenue per customer (Welch), with a sample-ratio-mismatch check.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from contentgen.results import stats
from contentgen.results.store import ChannelRow, Outcome, channel_rows, imports, outcomes
from contentgen.results.units import HOLDOUT, RunIndex, Touch, load_run

AttributionModel = Literal["last", "first", "linear", "time_decay"]
ATTRIBUTION_MODELS: tuple[AttributionModel, ...] = ("last", "first", "linear", "time_decay")
LOOKBACK = dt.timedelta(days=30)
HALF_LIFE_DAYS = 7.0
MIN_CONVERSIONS = 10
"""Fewer conversions than this in an arm or its control: "too few conversions to tell"."""
DEFAULT_HOLDOUT_SHARE = 0.1


@dataclass
class Cell:
    """The funnel of one unit (segment × channel × variant × arm) or of a roll-up of units."""

    segment: str
    channel: str
    kind: str
    variant: str
    arm: str
    code: str = ""
    artifact_id: str = ""
    angle: str | None = None
    impressions: float = 0.0
    clicks: float = 0.0
    orders: float = 0.0
    revenue: float = 0.0
    cost: float = 0.0

    def add(self, row: ChannelRow) -> None:
        self.impressions += row.impressions
        self.clicks += row.clicks
        self.orders += row.orders
        self.revenue += row.revenue
        self.cost += row.cost

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None

    @property
    def cvr(self) -> float | None:
        """Orders per click."""
        return self.orders / self.clicks if self.clicks else None

    @property
    def aov(self) -> float | None:
        """Average order value (客单价)."""
        return self.revenue / self.orders if self.orders else None

    @property
    def cac(self) -> float | None:
        """Cost per order."""
        return self.cost / self.orders if self.orders else None

    @property
    def roi(self) -> float | None:
        """(revenue − cost) / cost."""
        return (self.revenue - self.cost) / self.cost if self.cost else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), **{k: getattr(self, k) for k in ("ctr", "cvr", "aov", "cac", "roi")}}


@dataclass
class Lift:
    """One arm against the control on one metric: difference, 95 % interval, p-value before and after correction."""

    experiment: str
    metric: str
    arm: str
    control: str
    n: float
    control_n: float
    successes: float
    control_successes: float
    value: float
    control_value: float
    diff: float
    low: float
    high: float
    p_value: float
    p_adjusted: float
    significant: bool
    enough: bool
    """Enough conversions in both arms to read the result (MIN_CONVERSIONS)."""

    @property
    def unit(self) -> str:
        return "" if self.metric == "revenue_per_customer" else "pp"

    def note(self) -> str:
        """The plain-language reading of this comparison."""
        name = METRIC_NAMES.get(self.metric, self.metric)
        if not self.enough:
            return f"arm {self.arm} vs {self.control} on {name}: too few conversions to tell"
        if self.metric == "revenue_per_customer":
            amount = f"{self.diff:+.2f} per customer (95 % CI {self.low:.2f} to {self.high:.2f})"
        else:
            digits = 1 if max(abs(self.low), abs(self.high)) >= 0.01 else 2
            size = abs(self.diff) if self.significant else self.diff
            amount = f"{size * 100:.{digits}f} pp (95 % CI {self.low * 100:.{digits}f} to {self.high * 100:.{digits}f})"
        if self.significant:
            verb = "lifts" if self.diff > 0 else "lowers"
            advice = "enough to act on" if self.diff > 0 else "replace it"
            return f"arm {self.arm} {verb} {name} by {amount} against {self.control}, {advice}"
        return f"arm {self.arm} vs {self.control} on {name}: no clear difference yet, {amount}; keep it running"


METRIC_NAMES = {
    "conversion": "conversion",
    "ctr": "click-through",
    "order_rate": "orders per impression",
    "revenue_per_customer": "revenue per customer",
}


@dataclass
class Experiment:
    id: str
    control: str
    arms: list[str]
    sizes: dict[str, float]
    lifts: list[Lift]
    srm_p: float | None = None
    label: str = ""
    expected_shares: dict[str, float] = field(default_factory=dict)
    probability_best: dict[str, float] = field(default_factory=dict)
    next_wave: dict[str, float] = field(default_factory=dict)
    """Suggested share of the next wave per arm (top-two Thompson sampling; the holdout keeps its share)."""

    @property
    def srm(self) -> bool:
        return self.srm_p is not None and self.srm_p < stats.SRM_ALPHA


@dataclass
class Attributed:
    model: str
    channel: str
    variant: str
    arm: str
    code: str
    orders: float
    revenue: float


@dataclass
class Analysis:
    run: str
    kind: str
    root: Path
    locale: str
    simulated: bool
    cells: list[Cell]
    experiments: list[Experiment]
    attribution: list[Attributed]
    daily: dict[str, list[tuple[str, float]]]
    """arm → [(day, cumulative conversions)]."""
    imports: int
    correction: str

    @property
    def total(self) -> Cell:
        return rollup(self.cells, ())[0]

    def notes(self) -> list[str]:
        read = [(e, x) for e in self.experiments for x in e.lifts if x.metric in PRIMARY]
        notes = [f"{e.label or e.id}: {x.note()}" for e, x in read if x.significant]
        unclear = sum(x.enough and not x.significant for _, x in read)
        few = sum(not x.enough for _, x in read)
        if unclear:
            notes.append(f"{unclear} other comparison(s) show no clear difference yet: keep them running")
        if few:
            notes.append(f"{few} comparison(s) have too few conversions to tell")
        notes += [
            f"experiment {e.id}: arm sizes differ from the plan (sample-ratio mismatch, p = {e.srm_p:.1g}); "
            "check the assignment before trusting its lifts"
            for e in self.experiments
            if e.srm
        ]
        return notes

    def to_dict(self) -> dict[str, Any]:
        total = self.total
        return {
            "run": self.run,
            "kind": self.kind,
            "simulated": self.simulated,
            "correction": self.correction,
            "imports": self.imports,
            "total": total.to_dict(),
            "cells": [c.to_dict() for c in self.cells],
            "experiments": [
                {**asdict(e), "srm": e.srm, "lifts": [{**asdict(lift), "note": lift.note()} for lift in e.lifts]}
                for e in self.experiments
            ],
            "attribution": [asdict(a) for a in self.attribution],
            "daily": self.daily,
            "notes": self.notes(),
        }


PRIMARY = {"conversion", "ctr", "order_rate"}


def rollup(cells: Sequence[Cell], by: Sequence[str]) -> list[Cell]:
    """Sum cells over everything but the fields in `by` (e.g. ("segment", "channel"))."""
    groups: dict[tuple[str, ...], Cell] = {}
    for cell in cells:
        key = tuple(str(getattr(cell, f)) for f in by)
        group = groups.get(key)
        if group is None:
            names = ("segment", "channel", "kind", "variant", "arm")
            keep = {f: str(getattr(cell, f)) if f in by else "" for f in names}
            group = groups[key] = Cell(keep["segment"], keep["channel"], keep["kind"], keep["variant"], keep["arm"])
        group.add(ChannelRow("", "", cell.impressions, cell.clicks, cell.orders, cell.revenue, cell.cost))
    return list(groups.values()) or [Cell("", "", "", "", "")]


def analyze(
    root: Path | RunIndex,
    *,
    correction: stats.Correction = "holm",
    attribution: Sequence[AttributionModel] = ("last", "linear"),
    shares: Mapping[str, Mapping[str, float]] | None = None,
    family: Literal["run", "experiment"] = "run",
) -> Analysis:
    """Read the run's store and measure: cells, experiments with lifts, attribution of journey orders."""
    index = root if isinstance(root, RunIndex) else load_run(root)
    rows = channel_rows(index.root)
    events = outcomes(index.root)
    cells: dict[str, Cell] = {}
    for code, unit in index.units.items():
        cells[code] = Cell(
            unit.segment, unit.channel, unit.kind, unit.variant, unit.arm, code, unit.artifact_id, unit.angle
        )
    for row in rows:
        if row.code in cells:
            cells[row.code].add(row)
    orders = [e for e in events if e.event == "order"]
    for event in orders:
        if event.code in cells:  # customer-level orders that name the item they came from
            cells[event.code].add(ChannelRow("", "", 0, 0, 1, event.value, 0))
    records = imports(index.root)
    if index.kind == "campaign":
        experiments = _campaign_experiments(index, cells, correction)
        if index.assignments:  # a brief's experiment, assigned per customer: measured like a journey's
            experiments += _journey_experiments(index, orders, correction, shares or index.planned)
        daily = _daily_campaign(index, rows)
        credited: list[Attributed] = []
    else:
        experiments = _journey_experiments(index, orders, correction, shares or index.planned)
        daily = _daily_journey(index, orders)
        credited = attribute(index, orders, attribution)
        _add_journey_touch_counts(index, cells, events)
    if family == "run":
        _adjust_across_run(experiments, correction)
    return Analysis(
        run=index.name,
        kind=index.kind,
        root=index.root,
        locale=index.locale,
        simulated=any(r.simulated for r in records),
        cells=list(cells.values()),
        experiments=experiments,
        attribution=credited,
        daily=daily,
        imports=len(records),
        correction=correction,
    )


def _adjust_across_run(experiments: Sequence[Experiment], correction: stats.Correction) -> None:
    """One family per metric over the whole run: many cells × arms compared at once must not yield chance winners."""
    by_metric: dict[str, list[Lift]] = defaultdict(list)
    for experiment in experiments:
        for lift in experiment.lifts:
            by_metric[lift.metric].append(lift)
    for lifts in by_metric.values():
        adjusted = stats.adjust([x.p_value for x in lifts], correction)
        for lift, p in zip(lifts, adjusted, strict=True):
            lift.p_adjusted = float(p)
            lift.significant = bool(p < 0.05) and lift.enough


def _lifts(
    experiment: str,
    metric: str,
    control: str,
    arms: Sequence[str],
    successes: Mapping[str, float],
    trials: Mapping[str, float],
    correction: stats.Correction,
) -> list[Lift]:
    others = [a for a in arms if a != control and trials.get(a, 0) > 0]
    if not others or trials.get(control, 0) <= 0:
        return []
    x1 = np.array([successes[a] for a in others])
    n1 = np.array([trials[a] for a in others])
    test = stats.two_proportion(x1, n1, successes[control], trials[control])
    adjusted = stats.adjust(test.p_value, correction)
    out = []
    for i, arm in enumerate(others):
        enough = min(successes[arm], successes[control]) >= MIN_CONVERSIONS
        out.append(
            Lift(
                experiment=experiment,
                metric=metric,
                arm=arm,
                control=control,
                n=float(n1[i]),
                control_n=float(trials[control]),
                successes=float(x1[i]),
                control_successes=float(successes[control]),
                value=float(x1[i] / n1[i]),
                control_value=float(successes[control] / trials[control]),
                diff=float(test.diff[i]),
                low=float(test.low[i]),
                high=float(test.high[i]),
                p_value=float(test.p_value[i]),
                p_adjusted=float(adjusted[i]),
                significant=bool(adjusted[i] < 0.05) and enough,
                enough=enough,
            )
        )
    return out


def _allocation(experiment: Experiment, successes: Mapping[str, float], trials: Mapping[str, float]) -> None:
    arms = [a for a in experiment.arms if a != HOLDOUT and trials.get(a, 0) > 0]
    if len(arms) < 2:
        return
    x = [successes[a] for a in arms]
    n = [trials[a] for a in arms]
    best = stats.probability_best(x, n)
    experiment.probability_best = {a: round(float(p), 4) for a, p in zip(arms, best, strict=True)}
    # While the leader is uncertain, top-two sampling keeps testing the challengers; once it is clear, exploit it.
    shares = best if best.max() >= 0.95 else stats.top_two_thompson(x, n)
    keep = experiment.expected_shares.get(HOLDOUT, 0.0) if HOLDOUT in experiment.arms else 0.0
    experiment.next_wave = {a: round(float(s) * (1 - keep), 4) for a, s in zip(arms, shares, strict=True)}
    if keep:
        experiment.next_wave[HOLDOUT] = keep


def _campaign_experiments(index: RunIndex, cells: Mapping[str, Cell], correction: stats.Correction) -> list[Experiment]:
    out = []
    for artifact_id, units in index.artifacts.items():
        arms = [u.arm for u in units if cells[u.code].impressions > 0]
        if len(arms) < 2:
            continue
        by_arm = {u.arm: cells[u.code] for u in units}
        impressions = {a: by_arm[a].impressions for a in arms}
        control = "A" if "A" in arms else arms[0]
        lifts = _lifts(artifact_id, "ctr", control, arms, {a: by_arm[a].clicks for a in arms}, impressions, correction)
        lifts += _lifts(
            artifact_id, "order_rate", control, arms, {a: by_arm[a].orders for a in arms}, impressions, correction
        )
        label = f"{units[0].segment}/{units[0].channel}/{'+'.join(units[0].skus)}/{units[0].kind}"
        experiment = Experiment(id=artifact_id, control=control, arms=arms, sizes=impressions, lifts=lifts, label=label)
        _allocation(experiment, {a: by_arm[a].orders for a in arms}, impressions)
        out.append(experiment)
    return out


def _journey_experiments(
    index: RunIndex, orders: Sequence[Outcome], correction: stats.Correction, shares: Mapping[str, Mapping[str, float]]
) -> list[Experiment]:
    revenue: dict[str, float] = defaultdict(float)
    for event in orders:
        if event.at >= index.starts:
            revenue[event.customer_id] += event.value
    converted = {e.customer_id for e in orders if e.at >= index.starts}
    members: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for customer, (name, arm) in index.assignments.items():
        members[name][arm].append(customer)
    out = []
    for experiment_id, arms_members in sorted(members.items()):
        arms = sorted(arms_members, key=lambda a: (a != HOLDOUT, a))
        sizes = {a: float(len(m)) for a, m in arms_members.items()}
        planned = dict(shares.get(experiment_id, {}))
        if not planned:
            treated = [a for a in arms if a != HOLDOUT]
            hold = DEFAULT_HOLDOUT_SHARE if HOLDOUT in arms else 0.0
            planned = {a: (1 - hold) / len(treated) for a in treated} | ({HOLDOUT: hold} if hold else {})
        control = HOLDOUT if HOLDOUT in arms else arms[0]
        wins = {a: float(sum(c in converted for c in m)) for a, m in arms_members.items()}
        lifts = _lifts(experiment_id, "conversion", control, arms, wins, sizes, correction)
        values = {a: np.array([revenue.get(c, 0.0) for c in m]) for a, m in arms_members.items()}
        others = [a for a in arms if a != control]
        if others:
            test = stats.welch(
                [values[a].mean() for a in others],
                [values[a].var(ddof=1) if values[a].size > 1 else 0.0 for a in others],
                [values[a].size for a in others],
                values[control].mean(),
                values[control].var(ddof=1) if values[control].size > 1 else 0.0,
                values[control].size,
            )
            adjusted = stats.adjust(test.p_value, correction)
            for i, arm in enumerate(others):
                enough = min(wins[arm], wins[control]) >= MIN_CONVERSIONS
                lifts.append(
                    Lift(
                        experiment_id,
                        "revenue_per_customer",
                        arm,
                        control,
                        sizes[arm],
                        sizes[control],
                        wins[arm],
                        wins[control],
                        float(values[arm].mean()),
                        float(values[control].mean()),
                        float(test.diff[i]),
                        float(test.low[i]),
                        float(test.high[i]),
                        float(test.p_value[i]),
                        float(adjusted[i]),
                        bool(adjusted[i] < 0.05) and enough,
                        enough,
                    )
                )
        experiment = Experiment(
            id=experiment_id,
            control=control,
            arms=arms,
            sizes=sizes,
            lifts=lifts,
            srm_p=stats.srm([sizes[a] for a in arms], [planned.get(a, 0.0) for a in arms]),
            expected_shares=planned,
        )
        _allocation(experiment, wins, sizes)
        out.append(experiment)
    return out


def attribute(index: RunIndex, orders: Sequence[Outcome], models: Sequence[AttributionModel]) -> list[Attributed]:
    """Spread each order's credit over the customer's message touches in the 30 days before it."""
    for model in models:
        if model not in ATTRIBUTION_MODELS:
            raise ValueError(f"attribution model '{model}' is not one of {', '.join(ATTRIBUTION_MODELS)}")
    touches: dict[str, list[Touch]] = defaultdict(list)
    for touch in index.touches:
        touches[touch.customer_id].append(touch)
    for seq in touches.values():
        seq.sort(key=lambda t: t.at)
    credit: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for event in orders:
        before = [t for t in touches.get(event.customer_id, ()) if event.at - LOOKBACK <= t.at <= event.at]
        if not before:
            continue
        for model in models:
            for touch, weight in zip(before, _weights(model, before, event.at), strict=True):
                if weight <= 0:
                    continue
                entry = credit[(model, touch.code)]
                entry[0] += weight
                entry[1] += weight * event.value
    out = []
    for (name, code), (count, value) in sorted(credit.items()):
        unit = index.units[code]
        out.append(Attributed(name, unit.channel, unit.variant, unit.arm, code, round(count, 6), round(value, 4)))
    return out


def _weights(model: AttributionModel, touches: Sequence[Touch], at: dt.datetime) -> list[float]:
    n = len(touches)
    if model == "last":
        return [0.0] * (n - 1) + [1.0]
    if model == "first":
        return [1.0] + [0.0] * (n - 1)
    if model == "linear":
        return [1.0 / n] * n
    raw = [0.5 ** ((at - t.at).total_seconds() / 86400 / HALF_LIFE_DAYS) for t in touches]
    total = sum(raw)
    return [w / total for w in raw]


def _add_journey_touch_counts(index: RunIndex, cells: dict[str, Cell], events: Sequence[Outcome]) -> None:
    """Journey cells: messages sent count as impressions, customer clicks and last-touch orders fill the funnel."""
    for touch in index.touches:
        cells[touch.code].impressions += 1
    for event in events:
        if event.event == "click" and event.code in cells:
            cells[event.code].clicks += 1
    for item in attribute(index, [e for e in events if e.event == "order" and not e.code], ["last"]):
        cells[item.code].orders += item.orders
        cells[item.code].revenue += item.revenue


def _cumulative(per_day: Mapping[str, Mapping[str, float]]) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for arm, days in sorted(per_day.items()):
        total = 0.0
        series = []
        for day in sorted(days):
            total += days[day]
            series.append((day, total))
        out[arm] = series
    return out


def _daily_campaign(index: RunIndex, rows: Sequence[ChannelRow]) -> dict[str, list[tuple[str, float]]]:
    per_day: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        if row.day and row.code in index.units:
            per_day[index.units[row.code].arm][row.day] += row.orders
    return _cumulative(per_day)


def _daily_journey(index: RunIndex, orders: Sequence[Outcome]) -> dict[str, list[tuple[str, float]]]:
    per_day: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: set[str] = set()
    for event in sorted(orders, key=lambda e: e.at):
        assigned = index.assignments.get(event.customer_id)
        if assigned and event.customer_id not in seen and event.at >= index.starts:
            seen.add(event.customer_id)
            per_day[assigned[1]][event.at.date().isoformat()] += 1
    return _cumulative(per_day)
