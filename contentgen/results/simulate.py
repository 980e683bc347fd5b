"""`results simulate`: synthetic outcomes with known true effects, so the loop can be seen and tested without traffic.

Everything written here is labelled as simulation: the files are named `*.SIMULATED.csv`, every row has
`simulated = yes`, the import record keeps the flag and the report shows a banner. The truth file says which
effects were planted; `truth.json` beside the files gives them in the units the analysis reports (differences in
rates per arm), so a test can check that the analysis finds them inside its intervals.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field

from contentgen.domain.common import Model
from contentgen.results.units import HOLDOUT, RunIndex, load_run

SIMULATED_DIR = "simulated"
DEMO_TRUTH = Path(__file__).with_name("demo-truth.yaml")
CHANNEL_HEADERS = {
    "zh-CN": ("日期", "追踪码", "展示数", "点击数", "转化数", "成交金额", "消耗", "simulated"),
    "en-US": ("Day", "Tracking code", "Impr.", "Clicks", "Conversions", "Conv. value", "Cost", "simulated"),
}


class Multipliers(Model):
    ctr: float = Field(default=1.0, gt=0)
    cvr: float = Field(default=1.0, gt=0)
    conversion: float = Field(default=1.0, gt=0)


class CampaignTruth(Model):
    impressions: int = Field(default=20_000, ge=1, description="per item (tracking code), whole flight")
    ctr: float = Field(default=0.02, gt=0, lt=1, description="the control's click-through")
    cvr: float = Field(default=0.06, gt=0, lt=1, description="orders per click")
    aov: float = Field(default=120.0, gt=0, description="average order value")
    cpm: float = Field(default=30.0, ge=0, description="cost per 1,000 impressions")
    arms: dict[str, Multipliers] = Field(default={}, description="arm letter → multipliers of the control's rates")
    angles: dict[str, Multipliers] = Field(default={}, description="copy angle → multipliers of its rates")


class JourneyTruth(Model):
    conversion: float = Field(default=0.04, gt=0, lt=1, description="the holdout's share of customers who order")
    aov: float = Field(default=150.0, gt=0)
    click_rate: float = Field(default=0.1, ge=0, lt=1, description="share of messages clicked")
    arms: dict[str, Multipliers] = Field(default={}, description="arm → multiplier of the holdout's conversion")


class Truth(Model):
    """What the simulation plants: rates of the control and multipliers per arm and per angle."""

    seed: int = 0
    days: int = Field(default=14, ge=1, le=366)
    campaign: CampaignTruth = CampaignTruth()
    journey: JourneyTruth = JourneyTruth()


@dataclass(frozen=True)
class Simulation:
    files: list[Path]
    truth: dict[str, dict[str, dict[str, float]]]
    """experiment → metric → arm → true difference against the control."""


def load_truth(path: Path) -> Truth:
    from contentgen.fileio import load_model

    return load_model(Truth, path)


def simulate(root: Path | RunIndex, truth: Truth | Path | None = None) -> Simulation:
    """Write synthetic outcomes for the run into RUN/simulated/ (labelled as simulation) and return the true effects."""
    from contentgen.fileio import write_text_atomic

    index = root if isinstance(root, RunIndex) else load_run(root)
    plan = truth if isinstance(truth, Truth) else load_truth(truth) if truth else Truth()
    rng = np.random.default_rng(plan.seed)
    folder = index.root / SIMULATED_DIR
    start = index.starts.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    if index.kind == "campaign":
        text, effects = _campaign(index, plan, rng, start)
        name = "channel-report.SIMULATED.csv"
    else:
        text, effects = _journey(index, plan, rng)
        name = "outcomes.SIMULATED.csv"
    target = folder / name
    write_text_atomic(target, text)
    info = {"simulation": True, "note": "synthetic outcomes with planted effects; not real results", "truth": effects}
    write_text_atomic(folder / "truth.json", json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    return Simulation(files=[target], truth=effects)


def _campaign(
    index: RunIndex, plan: Truth, rng: np.random.Generator, start: dt.date
) -> tuple[str, dict[str, dict[str, dict[str, float]]]]:
    truth = plan.campaign
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CHANNEL_HEADERS.get(index.locale, CHANNEL_HEADERS["en-US"]))
    rates: dict[str, tuple[float, float]] = {}
    days = plan.days
    for code, unit in index.units.items():
        arm = truth.arms.get(unit.arm, Multipliers())
        angle = truth.angles.get(unit.angle or "", Multipliers())
        ctr = min(0.9, truth.ctr * arm.ctr * angle.ctr)
        cvr = min(0.9, truth.cvr * arm.cvr * angle.cvr)
        rates[code] = (ctr, cvr)
        per_day = rng.multinomial(truth.impressions, np.full(days, 1 / days))
        clicks = rng.binomial(per_day, ctr)
        orders = rng.binomial(clicks, cvr)
        for day in range(days):
            revenue = float(rng.gamma(4.0, truth.aov / 4.0, int(orders[day])).sum())
            cost = per_day[day] * truth.cpm / 1000 * float(rng.uniform(0.9, 1.1))
            writer.writerow(
                [
                    (start + dt.timedelta(days=day)).isoformat(),
                    code,
                    int(per_day[day]),
                    int(clicks[day]),
                    int(orders[day]),
                    f"{revenue:.2f}",
                    f"{cost:.2f}",
                    "yes",
                ]
            )
    effects: dict[str, dict[str, dict[str, float]]] = {}
    for artifact_id, units in index.artifacts.items():
        arms = {u.arm: rates[u.code] for u in units}
        if len(arms) < 2 or "A" not in arms:
            continue
        ctr0, cvr0 = arms["A"]
        effects[artifact_id] = {
            "ctr": {a: ctr - ctr0 for a, (ctr, _) in arms.items() if a != "A"},
            "order_rate": {a: ctr * cvr - ctr0 * cvr0 for a, (ctr, cvr) in arms.items() if a != "A"},
        }
    return "\ufeff" + buffer.getvalue(), effects


def _journey(
    index: RunIndex, plan: Truth, rng: np.random.Generator
) -> tuple[str, dict[str, dict[str, dict[str, float]]]]:
    truth = plan.journey
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("customer_id", "event", "value", "time", "order_id", "tracking_code", "simulated"))
    first_touch: dict[str, tuple[dt.datetime, str]] = {}
    for touch in sorted(index.touches, key=lambda t: t.at):
        first_touch.setdefault(touch.customer_id, (touch.at, touch.code))
    window = dt.timedelta(days=plan.days)
    customers = sorted(index.assignments)
    arms = [index.assignments[c][1] for c in customers]
    rate = np.array([truth.conversion * truth.arms.get(a, Multipliers()).conversion for a in arms])
    rate[[a == HOLDOUT for a in arms]] = truth.conversion
    buys = rng.random(len(customers)) < np.minimum(rate, 0.95)
    clicks = rng.random(len(customers)) < truth.click_rate
    offsets = rng.uniform(0.02, 1.0, len(customers)) * window.total_seconds()
    values = rng.gamma(4.0, truth.aov / 4.0, len(customers))
    order = 0
    for i, customer in enumerate(customers):
        sent, code = first_touch.get(customer, (index.starts, ""))
        if code and clicks[i]:
            writer.writerow([customer, "click", "0", (sent + dt.timedelta(hours=2)).isoformat(), "", code, "yes"])
        if buys[i]:
            order += 1
            at = sent + dt.timedelta(seconds=float(offsets[i]))
            writer.writerow([customer, "order", f"{values[i]:.2f}", at.isoformat(), f"SIM{order:07d}", "", "yes"])
    effects: dict[str, dict[str, dict[str, float]]] = {}
    experiments = sorted({e for e, _ in index.assignments.values()})
    for experiment in experiments:
        present = sorted({a for e, a in index.assignments.values() if e == experiment and a != HOLDOUT})
        conv = {a: truth.conversion * truth.arms.get(a, Multipliers()).conversion - truth.conversion for a in present}
        effects[experiment] = {
            "conversion": conv,
            "revenue_per_customer": {a: d * truth.aov for a, d in conv.items()},
        }
    return buffer.getvalue(), effects
