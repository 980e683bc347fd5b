"""Chat over HTTP under load: concurrent sessions against `contentgen serve` with 2 workers sharing a Chroma server.

Each simulated shopper opens a session and asks questions from a fixed list, one at a time, with a think time
between them (people read the answer before typing the next one), until the duration is up. Everything runs on
127.0.0.1 (uvicorn workers, `chroma run`, the client) and stops by itself. Baselines in the same run: the agent
called in-process by one shopper (no HTTP, no concurrency: the floor an answer costs) and `GET /healthz` under the
same concurrency (the HTTP stack alone, no agent). Goal: 0 errors and p95 ≤ 300 ms per answer.

    python -m bench.bench_serve [--duration 60] [--sessions 50] [--think 1.0] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from contentgen.testing.real_models import free_port, stop_process

if TYPE_CHECKING:
    from contentgen.config import Settings

GOAL_P95_MS = 300.0
QUESTIONS = (
    "积雪草舒缓保湿水多少钱？",
    "那它有货吗",
    "推荐一款适合敏感肌的洁面",
    "神经酰胺屏障修护精华适合什么肤质？",
    "退货政策是怎样的？",
    "200元以内有什么推荐",
)


def _wait(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    raise SystemExit(f"{what} did not start")


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


async def _shopper(
    base: str, key: str, until: float, think: float, chat: bool, out: list[float], errors: list[str], index: int
) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    r: httpx.Response | None
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        sid = ""
        if chat:
            created = await client.post("/v1/agents/qinghe-service/sessions")
            if created.status_code != 201:
                errors.append(f"create {created.status_code}")
                return
            sid = created.json()["id"]
        turn = index
        await asyncio.sleep((index % 10) * think / 10)  # spread the first requests
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                if chat:
                    r = await client.post(
                        f"/v1/sessions/{sid}/messages", json={"text": QUESTIONS[turn % len(QUESTIONS)]}
                    )
                    ok = r.status_code == 200 and r.json()["outcome"]["kind"] in ("answer", "refusal", "handoff")
                else:
                    r = await client.get("/healthz")
                    ok = r.status_code == 200
            except httpx.HTTPError as err:
                errors.append(type(err).__name__)
                ok = True  # counted as an error above; no latency recorded
                r = None
            elapsed = (time.perf_counter() - started) * 1000
            if r is not None and ok:
                out.append(elapsed)
            elif r is not None:
                errors.append(str(r.status_code))
            turn += 1
            await asyncio.sleep(think)


async def _load(
    base: str, key: str, sessions: int, seconds: float, think: float, chat: bool
) -> tuple[list[float], list[str], float]:
    out: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(_shopper(base, key, until, think, chat, out, errors, i) for i in range(sessions)))
    return out, errors, time.monotonic() - started


def _in_process(settings: Settings, chroma_url: str, answers: int = 120) -> tuple[list[float], list[str], float]:
    """One shopper asking the agent directly (same catalog server, no HTTP): the per-answer floor."""
    from contentgen.agent import load_agent, open_retriever

    agent = load_agent("qinghe-service", settings=settings, retriever=open_retriever("qinghe", chroma_url=chroma_url))
    for question in QUESTIONS:  # warm (not timed)
        agent.ask(question)
    out: list[float] = []
    started = time.monotonic()
    for i in range(answers):
        if i % len(QUESTIONS) == 0:
            agent.reset()
        begin = time.perf_counter()
        agent.ask(QUESTIONS[i % len(QUESTIONS)])
        out.append((time.perf_counter() - begin) * 1000)
    return out, [], time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--duration", "--seconds", type=float, default=60.0, help="seconds of chat load")
    parser.add_argument("--baseline", type=float, default=15.0, help="seconds of /healthz load (at most --duration)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a shopper waits between questions")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--answer-threads", type=int, help="CONTENTGEN_SERVE_ANSWER_THREADS (default: the server's)")
    args = parser.parse_args(argv)

    from contentgen.catalog.store import open_catalog
    from contentgen.config import load_settings
    from contentgen.server.db import Database
    from contentgen.server.security import create_key

    console = Console(width=132)
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    chroma_port, port = free_port(), free_port()
    chroma_url = f"http://127.0.0.1:{chroma_port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONTENTGEN_")},
        "CONTENTGEN_HOME": str(folder / "home"),
        "CONTENTGEN_SERVE_DATA_DIR": str(folder / "server"),
        "CONTENTGEN_SERVE_CHROMA_URL": chroma_url,
        "CONTENTGEN_SERVE_RATE_PER_S": "1000",
        "CONTENTGEN_SERVE_RATE_BURST": "1000",
        "CONTENTGEN_SERVE_PRELOAD": '["qinghe-service"]',  # every worker ready before the first shopper
    }
    if args.answer_threads:
        env["CONTENTGEN_SERVE_ANSWER_THREADS"] = str(args.answer_threads)
    with (folder / "chroma.log").open("wb") as log:
        db_server = subprocess.Popen(
            [chroma, "run", "--path", str(folder / "chroma"), "--host", "127.0.0.1", "--port", str(chroma_port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    api = None
    try:
        _wait(f"{chroma_url}/api/v2/heartbeat", db_server, "chroma run")
        settings = load_settings(home=folder / "home")
        open_catalog("qinghe", chroma_url=chroma_url, settings=settings).ingest()
        agent_ms = _in_process(settings, chroma_url)
        key = create_key(Database(folder / "server" / "server.db"), "chat").secret
        code = (
            "import uvicorn; uvicorn.run('contentgen.server.app:app_from_env', factory=True, host='127.0.0.1', "
            f"port={port}, workers={args.workers}, log_level='warning')"
        )
        with (folder / "server.log").open("wb") as log:
            api = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/healthz", api, "the server")
        asyncio.run(_load(base, key, 4, 3, 0.2, True))  # warm each worker's agent and caches (not timed)
        rows = [("agent in-process, 1 shopper", *agent_ms)]
        phases = (("GET /healthz", False, min(args.baseline, args.duration)), ("chat answer", True, 0))
        for name, chat, seconds in phases:
            latencies, errors, wall = asyncio.run(
                _load(base, key, args.sessions, seconds or args.duration, args.think, chat)
            )
            rows.append((name, latencies, errors, wall))
    finally:
        if api is not None:
            stop_process(api, timeout=30)
        stop_process(db_server, timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

    load_after = os.getloadavg()
    table = Table(
        title=f"contentgen serve: {args.sessions} sessions × {args.duration:.0f} s, think {args.think} s, "
        f"{args.workers} workers, shared Chroma server (loopback), offline engine",
        caption="baselines from the same run: the agent called in-process by one shopper; /healthz under the same load",
    )
    table.add_column("what", justify="left")
    for column in ("requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "p95 vs agent", "p95 vs healthz"):
        table.add_column(column, justify="right")
    agent_p95, healthz_p95 = _pct(rows[0][1], 0.95), _pct(rows[1][1], 0.95)
    for name, latencies, errors, wall in rows:
        p95 = _pct(latencies, 0.95)
        table.add_row(
            name,
            str(len(latencies)),
            str(len(errors)),
            f"{len(latencies) / wall:.1f}",
            f"{_pct(latencies, 0.5):.1f}",
            f"{p95:.1f}",
            f"{_pct(latencies, 0.99):.1f}",
            f"{p95 / agent_p95:.1f}×",
            f"{p95 / healthz_p95:.1f}×",
        )
    console.print(table)
    console.print(
        f"{os.cpu_count()} CPUs; load average (1, 5, 15 min) {', '.join(f'{x:.1f}' for x in load_before)} at start, "
        f"{', '.join(f'{x:.1f}' for x in load_after)} at the end"
    )
    chat_latencies, chat_errors = rows[2][1], rows[2][2]
    met = not chat_errors and _pct(chat_latencies, 0.95) <= GOAL_P95_MS
    console.print(
        f"goal: 0 errors and p95 ≤ {GOAL_P95_MS:.0f} ms: {'met' if met else 'NOT met'}"
        + (f" (errors: {sorted(set(chat_errors))[:5]})" if chat_errors else "")
    )


if __name__ == "__main__":
    main()
