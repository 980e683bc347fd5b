"""Run every benchmark in turn: python -m bench [name ...]."""

from __future__ import annotations

import importlib
import sys

BENCHES = [
    "bench_cli",
    "bench_copy",
    "bench_text_batching",
    "bench_images",
    "bench_posters",
    "bench_speech",
    "bench_agent",
    "bench_catalog",
    "bench_video",
]


def main() -> None:
    chosen = sys.argv[1:] or BENCHES
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        module.main([])


if __name__ == "__main__":
    main()
