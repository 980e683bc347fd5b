"""Start-up time of `contentgen --help` against a bare interpreter, measured in the same run.

python -m bench.bench_cli [--repeat 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

GOAL_S = 0.5


def _time(command: list[str], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    exe = shutil.which("contentgen") or str(__import__("pathlib").Path(sys.executable).parent / "contentgen")
    bare = _time([sys.executable, "-c", "pass"], args.repeat)
    cli = _time([exe, "--help"], args.repeat)
    table = Table(title=f"CLI start-up, median of {args.repeat}")
    for column in ("command", "seconds", "ratio"):
        table.add_column(column, justify="left" if column == "command" else "right")
    table.add_row("python -c pass (baseline)", f"{bare:.3f}", "1.00×")
    table.add_row("contentgen --help", f"{cli:.3f}", f"{cli / bare:.2f}× ({cli / GOAL_S:.2f}× of the 0.5 s goal)")
    Console().print(table)


if __name__ == "__main__":
    main()
