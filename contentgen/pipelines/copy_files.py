"""Writing copy results: the documented JSON, a Markdown review sheet and a CSV, atomically."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from contentgen.errors import ConfigError

if TYPE_CHECKING:
    from contentgen.pipelines.copy import CopyResult

FORMATS = ("json", "md", "csv")


def results_json(results: Sequence[CopyResult]) -> str:
    """The documented JSON form: a list of CopyResult objects (schema in docs/copy-result.schema.json)."""
    return json.dumps([r.model_dump(mode="json") for r in results], ensure_ascii=False, indent=2)


def results_markdown(results: Sequence[CopyResult]) -> str:
    lines = ["# Copy variants", ""]
    for r in results:
        lines += [
            f"## {r.segment} × {r.channel} — {', '.join(r.skus)}",
            "",
            f"{len(r.variants)} variants ({sum(v.ready for v in r.variants)} ready), "
            f"{len(r.dropped)} dropped; provider `{r.provider.name}`"
            + (f" ({r.provider.model})" if r.provider.model else "")
            + f"; prompt `{r.prompt_version}`",
            "",
        ]
        if r.error:
            lines += [f"**Not written:** {r.error}", ""]
        for v in r.variants:
            status = "ready" if v.ready else "needs work"
            lines += [
                f"### #{v.rank} · score {v.score:.2f} · {status}" + (f" · angle `{v.angle}`" if v.angle else ""),
                "",
            ]
            for name, text in v.fields.items():
                lines += [f"**{name}**", "", *(f"> {line}" if line else ">" for line in text.splitlines()), ""]
            for f in v.findings:
                lines.append(f"- {f.severity.value}: `{f.rule}` {f.message}")
            if v.findings:
                lines.append("")
    return "\n".join(lines)


def results_csv(results: Sequence[CopyResult]) -> str:
    import csv
    import io

    fields = list(dict.fromkeys(name for r in results for v in r.variants for name in v.fields))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [
            "brand",
            "segment",
            "channel",
            "skus",
            "rank",
            "ready",
            "score",
            "angle",
            *fields,
            "hashtags",
            "findings",
            "variant_id",
            "provider",
            "model",
            "prompt_version",
            "seed",
        ]
    )
    for r in results:
        for v in r.variants:
            writer.writerow(
                [
                    r.brand,
                    r.segment,
                    r.channel,
                    " ".join(r.skus),
                    v.rank,
                    v.ready,
                    v.score,
                    v.angle or "",
                    *(v.fields.get(name, "") for name in fields),
                    " ".join(v.hashtags),
                    "; ".join(f"{f.rule}: {f.message}" for f in v.findings),
                    v.id,
                    r.provider.name,
                    r.provider.model or "",
                    r.prompt_version,
                    v.seed,
                ]
            )
    return buf.getvalue()


def write_results(results: Sequence[CopyResult], folder: Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write copy.json / copy.md / copy.csv atomically into `folder`."""
    from contentgen.fileio import write_text_atomic

    render = {"json": results_json, "md": results_markdown, "csv": results_csv}
    written = []
    for fmt in formats:
        if fmt not in render:
            raise ConfigError(f"unknown format '{fmt}'; choose from {', '.join(FORMATS)}")
        path = folder / f"copy.{fmt}"
        write_text_atomic(path, render[fmt](results))
        written.append(path)
    return written


if __name__ == "__main__":  # python -m contentgen.pipelines.copy --schema > docs/copy-result.schema.json
    import sys

    if sys.argv[1:] == ["--schema"]:
        print(json.dumps(CopyResult.model_json_schema(), ensure_ascii=False, indent=2))
