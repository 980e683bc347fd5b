"""Cases from an analysed run: every read comparison, winners and losers flagged, for the kit's case library.

Kept apart from `learning` (which the campaign's copy deliverable imports for the ranking prior) because reading a
run folder needs the campaign review machinery: together they would close an import cycle.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from contentgen.results.analysis import Analysis
from contentgen.results.learning import LEARN_METRICS, Case, creative_features
from contentgen.results.units import load_run


def cases_from(analysis: Analysis, kit: str) -> list[Case]:
    """The comparisons of an analysed run as cases (every read comparison, winners and losers flagged)."""
    index = load_run(analysis.root)
    by_artifact = index.artifacts
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = []
    for experiment in analysis.experiments:
        units = {u.arm: u for u in by_artifact.get(experiment.id, [])}
        for lift in experiment.lifts:
            if lift.metric not in LEARN_METRICS:
                continue
            unit, control = units.get(lift.arm), units.get(lift.control)
            texts = unit.texts if unit else {}
            hook, length, offer = creative_features(texts)
            outcome: Literal["winner", "loser", "no difference", "too few"] = (
                "too few"
                if not lift.enough
                else ("winner" if lift.diff > 0 else "loser")
                if lift.significant
                else "no difference"
            )
            out.append(
                Case(
                    kit=kit,
                    run=analysis.run,
                    experiment=experiment.id,
                    segment=unit.segment if unit else "",
                    channel=unit.channel if unit else "",
                    kind=unit.kind if unit else "",
                    arm=lift.arm,
                    control=lift.control,
                    angle=unit.angle if unit else None,
                    control_angle=control.angle if control else None,
                    hook=hook,
                    length=length,
                    offer=offer,
                    metric=lift.metric,
                    diff=lift.diff,
                    low=lift.low,
                    high=lift.high,
                    p_adjusted=lift.p_adjusted,
                    outcome=outcome,
                    text="\n".join(texts.values())[:500],
                    simulated=analysis.simulated,
                    recorded_at=now,
                )
            )
    return out
