"""The review page of a journey run: each distinct content cell once, with its copy, checks and audience size."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contentgen.fileio import write_text_atomic
from contentgen.journeys.content import CellCopy, CellKey
from contentgen.journeys.model import Journey

_STYLE = (
    "body{font-family:system-ui,'Noto Sans SC',sans-serif;margin:2rem;color:#222}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top}"
    "th{background:#f4f4f4;text-align:left}.bad{color:#b00020}.ok{color:#1b7f3b}pre{white-space:pre-wrap;margin:0}"
)


def write_review(
    path: Path,
    journey: Journey,
    cells: Mapping[CellKey, CellCopy],
    by_cell: Mapping[str, int],
    approved: Mapping[str, Any],
    held: Mapping[str, int],
) -> None:
    """One self-contained HTML page; a person approves each cell's copy once, not once per customer."""
    esc = html.escape
    rows = []
    for key in sorted(cells):
        cell = cells[key]
        reach = sum(n for k, n in by_cell.items() if k.split("|")[:2] == [cell.step, cell.channel]
                    and k.split("|")[2] == cell.tier and k.split("|")[3] == cell.arm)  # fmt: skip
        fields = "".join(f"<b>{esc(name)}</b><pre>{esc(text)}</pre>" for name, text in cell.fields.items())
        status = '<span class="ok">ready</span>' if cell.ready else f'<span class="bad">{esc(cell.error or "")}</span>'
        findings = "<br>".join(esc(f) for f in cell.findings) or "—"
        decision = approved.get(cell.artifact_id)
        approval = (
            f'<span class="ok">approved</span> by {esc(decision.reviewer)}, {esc(decision.at)}: {esc(decision.reason)}'
            if decision
            else (
                f'<span class="bad">awaiting approval</span> ({held.get(cell.artifact_id, 0):,} messages held)'
                if cell.ready
                else "—"
            )
        )
        rows.append(
            f"<tr><td><code>{esc(cell.artifact_id)}</code></td><td>{esc(cell.step)}</td><td>{esc(cell.channel)}</td>"
            f"<td>{esc(cell.tier)}</td><td>{esc(cell.sku)}</td><td>{esc(cell.arm or '—')}</td>"
            f"<td>{esc(cell.offer or '—')}</td><td>{fields or '—'}</td><td>{status}<br>{findings}</td>"
            f"<td>{reach:,}</td><td>{approval}</td></tr>"
        )
    page = (
        f'<!doctype html><html lang="{"zh" if "zh" in "".join(c.locale for c in cells.values()) else "en"}">'
        f'<head><meta charset="utf-8"><title>{esc(journey.name)}: content cells</title>'
        f"<style>{_STYLE}</style></head><body><h1>{esc(journey.name)} <small>({esc(journey.id)})</small></h1>"
        f"<p>{len(cells)} distinct content cells; approve each once. Messages are filled from these with slots "
        "(greeting, you-may-also-like, link) that cannot break a check. Only approved cells are sent: "
        f"<code>contentgen journeys approve {esc(str(path.parent))} --cells ID,… --reviewer NAME --reason TEXT</code> "
        "(or <code>--all</code>), then run the journey again.</p>"
        "<table><tr><th>artifact</th><th>step</th><th>channel</th><th>tier</th><th>SKU</th><th>arm</th><th>offer</th>"
        "<th>copy</th><th>checks</th><th>messages</th><th>approval</th></tr>" + "".join(rows) + "</table></body></html>"
    )
    write_text_atomic(path, page)
