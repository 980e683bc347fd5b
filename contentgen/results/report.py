"""`results report`: one self-contained HTML page (inline CSS, SVG charts, thumbnails as data URIs) and its JSON.

The page reads top-down as a marketer would: headline figures, what to do (plain-language notes), the charts
(funnel, lift per arm with intervals, performance by segment and channel, cumulative conversions), each experiment
with its creatives beside their numbers (winner / loser / control), the suggested split of the next wave, every
cell, and for journeys the attribution of orders to touches. A banner marks results built from simulated outcomes.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contentgen.results import charts
from contentgen.results.analysis import Analysis, Cell, Experiment, Lift, analyze, rollup
from contentgen.results.units import RunIndex, Unit, load_run

REPORT_HTML = "results-report.html"
REPORT_JSON = "results-report.json"
THUMBNAIL_PX = 220


@dataclass(frozen=True)
class Report:
    html: Path
    json: Path
    analysis: Analysis


@dataclass
class ArmView:
    arm: str
    unit: Unit | None
    cell: Cell
    lift: Lift | None
    status: str
    thumbnail: str | None
    next_share: float | None
    probability_best: float | None
    rate: float | None


def _thumbnail(root: Path, relative: str) -> str | None:
    """A small JPEG of a poster as a data URI (the page stays one file)."""
    from PIL import Image

    path = root / relative
    if not path.is_file():
        return None
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX * 2))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def _primary(experiment: Experiment, kind: str) -> str:
    """Campaign variants are read on click-through; customer-level experiments (journeys, briefs) on conversion."""
    per_customer = kind != "campaign" or any(x.metric == "conversion" for x in experiment.lifts)
    return "conversion" if per_customer else "ctr"


def _arms(analysis: Analysis, index: RunIndex, experiment: Experiment) -> list[ArmView]:
    cells = {c.code: c for c in analysis.cells}
    units = {u.arm: u for u in index.artifacts.get(experiment.id, [])}
    primary = _primary(experiment, analysis.kind)
    lifts = {x.arm: x for x in experiment.lifts if x.metric == primary}
    views = []
    for arm in experiment.arms:
        unit = units.get(arm)
        if unit is not None:
            cell = cells[unit.code]
        else:  # a journey arm: sum of its content cells
            cell = rollup([c for c in analysis.cells if c.arm == arm], ("arm",))[0]
        lift = lifts.get(arm)
        if arm == experiment.control:
            status = "control"
        elif lift is None or not lift.enough:
            status = "too few"
        elif lift.significant:
            status = "winner" if lift.diff > 0 else "loser"
        else:
            status = "no difference"
        thumb = _thumbnail(index.root, unit.media[0]) if unit and unit.media else None
        if lift is not None:
            rate: float | None = lift.value
        elif arm == experiment.control and lifts:
            rate = next(iter(lifts.values())).control_value
        else:
            rate = cell.ctr if primary == "ctr" else None
        views.append(
            ArmView(
                arm,
                unit,
                cell,
                lift,
                status,
                thumb,
                experiment.next_wave.get(arm),
                experiment.probability_best.get(arm),
                rate,
            )
        )
    return views


def _labels(index: RunIndex) -> dict[str, str]:
    """Chart labels for experiments: the artifact id (segment/channel/SKUs/kind) of a campaign item or journey cell."""
    return {artifact_id: artifact_id for artifact_id in index.artifacts}


def _display(root: Path) -> dict[str, Any]:
    """Title, display names and brand colours from the campaign file, where there is one."""
    path = root / "campaign.json"
    if not path.is_file():
        return {"title": root.name, "labels": {}, "palette": {}}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "title": data.get("title") or data.get("campaign"),
        "labels": data.get("labels", {}),
        "palette": data.get("assets", {}).get("palette", {}),
    }


def render_report(analysis: Analysis, index: RunIndex) -> str:
    import jinja2

    display = _display(index.root)
    palette = [c for c in (display["palette"].get(k) for k in ("primary", "accent", "secondary")) if c] or [
        "#2F5D50",
        "#B07D2A",
        "#6B8F71",
    ]
    palette += ["#4a6fa5", "#9c6644", "#7b6d8d"]
    primary = "ctr" if analysis.kind == "campaign" else "conversion"
    lifts = [x for e in analysis.experiments for x in e.lifts if x.metric == primary]
    by_segment = rollup(analysis.cells, ("segment", "channel"))
    figures = {
        "funnel": charts.funnel(analysis.total, palette),
        "segment": charts.by_segment_channel(by_segment, "ctr" if analysis.kind == "campaign" else "orders", palette),
    }
    if lifts:
        figures["lift"] = charts.lifts(lifts, _labels(index), palette)
    if analysis.daily:
        figures["cumulative"] = charts.cumulative(analysis.daily, palette)
    figures = {name: charts.strip_ids(svg, name) for name, svg in figures.items()}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["pct"] = lambda v, d=1: "—" if v is None else f"{v * 100:.{d}f} %"
    env.filters["num"] = lambda v, d=0: "—" if v is None else f"{v:,.{d}f}"
    experiments = [(e, _arms(analysis, index, e), [x.note() for x in e.lifts]) for e in analysis.experiments]
    template = env.get_template("report.html.j2")
    context: dict[str, Any] = {
        "analysis": analysis,
        "total": analysis.total,
        "display": display,
        "palette": palette,
        "figures": figures,
        "experiments": experiments,
        "labels": _labels(index),
        "cells": sorted(analysis.cells, key=lambda c: (c.segment, c.channel, c.kind, c.artifact_id, c.arm)),
        "by_segment": by_segment,
        "notes": analysis.notes(),
        "primary": primary,
    }
    page = template.render(fonts=[], **context)
    return template.render(fonts=_fonts(index.root, page), **context)


def _fonts(root: Path, page: str) -> list[dict[str, str]]:
    """The kit's fonts subset to the page's characters, as the review page embeds them (so CJK text renders)."""
    from contentgen.campaign.review import _font_faces

    path = root / "campaign.json"
    fonts = json.loads(path.read_text(encoding="utf-8")).get("assets", {}).get("fonts", {}) if path.is_file() else {}
    return _font_faces({k: v for k, v in fonts.items() if k == "body"}, page)


def write_report(root: Path, *, analysis: Analysis | None = None, out: Path | None = None) -> Report:
    """Analyse the run (unless given) and write RUN/results-report.html and .json."""
    from contentgen.fileio import write_text_atomic

    index = load_run(root)
    analysis = analysis or analyze(index)
    folder = out or index.root
    html_path, json_path = folder / REPORT_HTML, folder / REPORT_JSON
    write_text_atomic(html_path, render_report(analysis, index))
    data = {"report": "contentgen results", **analysis.to_dict()}
    write_text_atomic(json_path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    return Report(html=html_path, json=json_path, analysis=analysis)
