"""The report's charts: matplotlib figures (no pyplot, no global state) rendered to inline SVG.

Labels are ids (segment, channel, arm), which the default font draws; display names stay in the page's tables.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from contentgen.results.analysis import Cell, Lift

INK = "#222222"
MUTED = "#8a8a8a"
GOOD = "#2e7d32"
BAD = "#c62828"


def _figure(width: float, height: float, palette: Sequence[str]) -> tuple[Figure, Axes]:
    from cycler import cycler
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=96, layout="constrained")
    axes = figure.add_subplot()
    axes.set_prop_cycle(cycler(color=list(palette) or ["#4a6fa5"]))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK, labelsize=9)
    return figure, axes


def svg(figure: Figure) -> str:
    """The figure as an <svg> element to inline (no XML prolog, no fixed ids that clash between charts)."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "contentgen"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def funnel(total: Cell, palette: Sequence[str]) -> str:
    """Impressions → clicks → orders, on a log scale so that every stage is visible."""
    figure, axes = _figure(6.4, 2.2, palette)
    stages = [("impressions", total.impressions), ("clicks", total.clicks), ("orders", total.orders)]
    names = [s for s, _ in stages][::-1]
    values = [max(v, 0.5) for _, v in stages][::-1]
    colors = list(palette[:3]) + ["#4a6fa5"] * 3
    axes.barh(names, values, color=colors[:3][::-1])
    axes.set_xscale("log")
    for y, (_, value) in enumerate(stages[::-1]):
        axes.text(max(value, 0.5) * 1.08, y, f"{value:,.0f}", va="center", fontsize=9, color=INK)
    axes.set_xlim(0.5, max(values) * 6)
    axes.set_xlabel("count (log scale)", fontsize=9, color=MUTED)
    return svg(figure)


def lifts(rows: Sequence[Lift], labels: Mapping[str, str], palette: Sequence[str]) -> str:
    """Each arm's difference from its control with the 95 % interval; green / red where it is significant."""
    per_customer = bool(rows) and rows[0].metric == "revenue_per_customer"
    scale = 1.0 if per_customer else 100.0
    figure, axes = _figure(6.4, 0.6 + 0.32 * max(1, len(rows)), palette)
    for y, lift in enumerate(rows):
        color = (GOOD if lift.diff > 0 else BAD) if lift.significant else MUTED
        axes.errorbar(
            lift.diff * scale,
            y,
            xerr=[[(lift.diff - lift.low) * scale], [(lift.high - lift.diff) * scale]],
            fmt="o",
            color=color,
            ecolor=color,
            capsize=3,
            markersize=5,
        )
    axes.axvline(0, color=INK, linewidth=0.8)
    axes.set_yticks(range(len(rows)), [f"{labels.get(r.experiment, r.experiment)} · {r.arm}" for r in rows])
    axes.invert_yaxis()
    axes.set_xlabel("difference per customer" if per_customer else "difference (percentage points)", fontsize=9)
    return svg(figure)


def by_segment_channel(cells: Sequence[Cell], metric: str, palette: Sequence[str]) -> str:
    """One group of bars per segment, one bar per channel: the rate (in %) or amount of `metric`."""
    import numpy as np

    segments = sorted({c.segment for c in cells})
    channels = sorted({c.channel for c in cells})
    figure, axes = _figure(6.4, 2.8, palette)
    width = 0.8 / max(1, len(channels))
    for i, channel in enumerate(channels):
        values = []
        for segment in segments:
            cell = next((c for c in cells if c.segment == segment and c.channel == channel), None)
            value = getattr(cell, metric) if cell else None
            values.append(0.0 if value is None else value * (100 if metric in {"ctr", "cvr"} else 1))
        axes.bar(np.arange(len(segments)) + i * width, values, width, label=channel)
    axes.set_xticks(np.arange(len(segments)) + width * (len(channels) - 1) / 2, segments)
    axes.set_ylabel(f"{metric} (%)" if metric in {"ctr", "cvr"} else metric, fontsize=9)
    axes.legend(fontsize=8, frameon=False)
    return svg(figure)


def cumulative(series: Mapping[str, Sequence[tuple[str, float]]], palette: Sequence[str]) -> str:
    """Cumulative conversions per arm over the days of the flight."""
    import numpy as np
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    figure, axes = _figure(6.4, 2.6, palette)
    for arm, points in series.items():
        days = np.array([d for d, _ in points], dtype="datetime64[D]")
        axes.plot(days, [v for _, v in points], label=arm, linewidth=1.6, drawstyle="steps-post")
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_ylabel("conversions", fontsize=9)
    if series:
        axes.legend(fontsize=8, frameon=False, title="arm", title_fontsize=8)
    return svg(figure)


def strip_ids(svg_text: str, prefix: str) -> str:
    """Make a chart's element ids unique on a page with several charts."""
    return re.sub(r'(id="|url\(#|href="#)([^"\)]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg_text)
