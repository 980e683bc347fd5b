"""Conversations: one live `Agent` per session (cached), its turns persisted in SQLite so a restart, or another
worker, rebuilds the same memory from the stored (masked) turns."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from contentgen.server.db import Database, dumps, now
from contentgen.server.errors import ApiError
from contentgen.server.security import NAME, check_name

T = TypeVar("T")

if TYPE_CHECKING:
    from contentgen.agent import Agent, AgentDefinition, Customer, Outcome
    from contentgen.catalog.types import Filters, Retriever, SearchResult
    from contentgen.config import Settings
    from contentgen.domain.product import Product


class LockedRetriever:
    """A catalog store shared by every conversation of a worker, one call at a time (the store's caches are not
    meant for concurrent threads)."""

    def __init__(self, inner: Retriever) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()

    def search(self, query: str, k: int = 10, *, filters: Filters | None = None) -> SearchResult:
        with self._lock:
            return self.inner.search(query, k, filters=filters)

    def get(self, sku: str) -> Product:
        with self._lock:
            return self.inner.get(sku)

    def policies(self) -> dict[str, str]:
        with self._lock:
            return self.inner.policies()

    def info(self) -> dict[str, Any]:
        with self._lock:
            return self.inner.info()


def outcome_from(data: dict[str, Any]) -> Outcome:
    """The typed outcome of a stored turn (`Turn.to_dict()`)."""
    from contentgen.agent import Answer, Handoff, Refusal

    kind = data.get("kind")
    if kind == "answer":
        return Answer(
            data["text"],
            tuple(data.get("citations", ())),
            data.get("intent", "product_info"),
            tuple(data.get("policies", ())),
            tuple(data.get("removed", ())),
        )
    if kind == "refusal":
        return Refusal(data.get("reason", "out_of_scope"), data.get("text", ""), data.get("intent", "out_of_scope"))
    return Handoff(
        data.get("reason", "requested"),
        data.get("text", ""),
        data.get("intent", "handoff"),
        tuple(data.get("citations", ())),
    )


def product_card(product: Product) -> dict[str, Any]:
    """What a chat front-end shows for a cited product."""
    return {
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "price": str(product.price),
        "list_price": None if product.list_price is None else str(product.list_price),
        "currency": product.currency,
        "in_stock": product.stock > 0,
        "image": product.images[0] if product.images else None,
        "selling_points": product.selling_points[:3],
    }


@dataclass
class Live:
    agent: Agent
    seq: int  # the last stored turn this agent has seen
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class Reply:
    outcome: Outcome
    sources: list[dict[str, Any]]
    turn: int

    def to_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome.to_dict(), "sources": self.sources, "turn": self.turn}


class Sessions:
    """Creates, finds and answers in conversations."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        chroma_url: str | None,
        cache: int = 512,
        agents_dir: Path | None = None,
        fresh_s: float = 0.0,
        threads: int = 4,
    ) -> None:
        self.db, self.settings, self.chroma_url, self.cache_size = db, settings, chroma_url, cache
        self.agents_dir, self.fresh_s, self.threads = agents_dir, fresh_s, threads
        self._answering: anyio.CapacityLimiter | None = None
        self._live: OrderedDict[str, Live] = OrderedDict()
        self._retrievers: dict[str, LockedRetriever] = {}
        self._definitions: dict[str, AgentDefinition] = {}
        self._prototypes: dict[str, tuple[str, Agent]] = {}  # name → (catalog + policies revision, agent)
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()

    # ---- agents ----------------------------------------------------------------------------------

    def definition(self, name: str) -> AgentDefinition:
        """A shipped agent by name, or a kit id for that kit's default agent; 404 otherwise."""
        check_name(name, "agent")
        cached = self._definitions.get(name)
        if cached is not None:
            return cached
        from contentgen.agent import AgentDefinition, load_definition
        from contentgen.agent.definition import Persona
        from contentgen.domain.loaders import find_kits

        known = self._known()
        kits = find_kits(self.settings.kits_path)
        if name in known:
            definition = load_definition(known[name])
        elif name in kits:
            service = f"{name}-service"
            definition = (
                load_definition(service)
                if service in known
                else AgentDefinition(name="service", kit=name, persona=Persona(name="assistant"))
            )
        else:
            raise ApiError(404, f"unknown agent {name!r}; known: {', '.join(sorted(known))}", field="agent")
        self._definitions[name] = definition
        return definition

    def _known(self) -> dict[str, Path]:
        """Agent name → definition file: the shipped ones, then the server's own folder (which wins)."""
        from contentgen.agent import shipped_agents

        known = shipped_agents()
        if self.agents_dir is not None:
            known.update({p.stem: p for p in sorted(self.agents_dir.glob("*.yaml")) if NAME.match(p.stem)})
        return known

    def agents(self) -> list[str]:
        return sorted(self._known())

    def retriever(self, kit: str) -> LockedRetriever:
        with self._open_lock:
            found = self._retrievers.get(kit)
            if found is None:
                from contentgen.agent import open_retriever

                store = open_retriever(kit, settings=self.settings, chroma_url=self.chroma_url, fresh_s=self.fresh_s)
                found = LockedRetriever(store)
                self._retrievers[kit] = found
            return found

    def build(self, name: str) -> Agent:
        """A fresh agent (empty memory). One agent per name and catalog revision is loaded (`load_agent`); every
        conversation is a `fresh()` copy of it: the kit, policies, checks, tools and model are shared, not rebuilt
        per session or request. A new ingest of the catalog gives a new prototype."""
        from contentgen.agent import load_agent

        definition = self.definition(name)
        retriever = self.retriever(definition.kit)
        policies = json.dumps(retriever.policies(), sort_keys=True, ensure_ascii=False).encode()
        revision = f"{retriever.info().get('revision', '')}:{hashlib.sha256(policies).hexdigest()[:16]}"
        with self._open_lock:
            found = self._prototypes.get(name)
            if found is None or found[0] != revision:
                found = (revision, load_agent(definition, settings=self.settings, retriever=retriever))
                self._prototypes[name] = found
        return found[1].fresh()

    # ---- sessions --------------------------------------------------------------------------------

    def create(self, agent: str, owner: str) -> dict[str, Any]:
        definition = self.definition(agent)
        session_id = uuid.uuid4().hex  # 122 random bits: ids never collide, across workers and restarts
        stamp = now()
        self.db.run(
            "INSERT INTO sessions (id, agent, kit, owner, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
            session_id,
            agent,
            definition.kit,
            owner,
            stamp,
            stamp,
        )
        return self.get(session_id)

    def row(self, session_id: str) -> Any:
        row = self.db.one("SELECT * FROM sessions WHERE id = ?", session_id)
        if row is None:
            raise ApiError(404, "no such session", field="session_id")
        return row

    def get(self, session_id: str, *, turns: bool = False) -> dict[str, Any]:
        row = self.row(session_id)
        data: dict[str, Any] = {
            "id": row["id"],
            "agent": row["agent"],
            "kit": row["kit"],
            "state": row["state"],
            "handoff": None
            if row["state"] != "handoff"
            else {"reason": row["handoff_reason"], "at": row["handoff_at"]},
            "created": row["created"],
            "updated": row["updated"],
        }
        if turns:
            data["turns"] = [
                {"seq": r["seq"], "at": r["created"], **json.loads(r["data"])}
                for r in self.db.all("SELECT * FROM turns WHERE session = ? ORDER BY seq", session_id)
            ]
        return data

    def _stored(self, session_id: str) -> tuple[int, list[dict[str, Any]]]:
        rows = self.db.all("SELECT seq, data FROM turns WHERE session = ? ORDER BY seq", session_id)
        return (rows[-1]["seq"] if rows else 0), [json.loads(r["data"]) for r in rows]

    def _live_for(self, session_id: str, agent: str) -> Live:
        """The session's agent, rebuilt from the stored turns when this worker has not seen the latest one."""
        with self._lock:
            live = self._live.get(session_id)
            if live is not None:
                self._live.move_to_end(session_id)
                return live
        built = Live(self.build(agent), -1)
        with self._lock:
            live = self._live.setdefault(session_id, built)
            while len(self._live) > self.cache_size:
                self._live.popitem(last=False)
            return live

    def _catch_up(self, session_id: str, live: Live) -> None:
        from contentgen.agent.memory import Turn

        latest = self.db.one("SELECT COALESCE(MAX(seq), 0) AS seq FROM turns WHERE session = ?", session_id)
        if latest is not None and latest["seq"] == live.seq:
            return  # this worker answered the last turn: its memory is current
        seq, stored = self._stored(session_id)
        live.agent.reset()
        for data in stored:
            outcome = outcome_from(data)
            about = live.agent.products(getattr(outcome, "citations", ()))
            live.agent.memory.remember(
                Turn(
                    data.get("question", ""),
                    outcome,
                    tuple(data.get("retrieved", ())),
                    float(data.get("elapsed_ms", 0.0)),
                    bool(data.get("injection", False)),
                ),
                about,
            )
        live.seq = seq

    def _record(self, session_id: str, live: Live, outcome: Outcome) -> Reply:
        turn = live.agent.transcript()["turns"][-1]  # masked
        stamp = now()
        with self.db.tx() as conn:
            seq = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session = ?", (session_id,)
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO turns (session, seq, data, created) VALUES (?, ?, ?, ?)",
                (session_id, seq, dumps(turn), stamp),
            )
            if outcome.kind == "handoff":
                conn.execute(
                    "UPDATE sessions SET updated = ?, state = 'handoff', handoff_reason = ?, handoff_at = ? "
                    "WHERE id = ?",
                    (stamp, outcome.reason, stamp, session_id),
                )
            else:
                conn.execute("UPDATE sessions SET updated = ? WHERE id = ?", (stamp, session_id))
        live.seq = seq
        sources = [product_card(p) for p in live.agent.products(getattr(outcome, "citations", ()))]
        return Reply(outcome, sources, seq)

    async def _in_turn(self, live: Live, func: Callable[..., T], *args: Any) -> T:
        """Agent work in a worker thread. Offline answers are CPU work: at most `threads` at once per worker, the
        rest waiting first come, first served (more threads only add contention for the GIL, the catalog and the
        database). Answers that wait on a model server are not held back."""
        if live.agent.provider is not None:
            return await anyio.to_thread.run_sync(func, *args)
        if self._answering is None:
            self._answering = anyio.CapacityLimiter(self.threads)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._answering)

    async def converse(
        self, session_id: str, text: str, *, customer: Customer | None = None
    ) -> AsyncIterator[str | Reply]:
        """The verified answer sentence by sentence, then the Reply (outcome, sources, turn number)."""
        row = await anyio.to_thread.run_sync(self.row, session_id)
        live = await anyio.to_thread.run_sync(self._live_for, session_id, row["agent"])
        async with live.lock:
            await self._in_turn(live, self._catch_up, session_id, live)
            stream = live.agent.stream(text, customer=customer)
            done = object()
            while True:
                sentence = await self._in_turn(live, next, stream, done)
                if sentence is done:
                    break
                assert isinstance(sentence, str)
                if sentence:
                    yield sentence
            yield await self._in_turn(live, self._record, session_id, live, stream.outcome)

    async def ask(
        self, session_id: str, text: str, *, customer: Customer | None = None, agent: str | None = None
    ) -> Reply:
        """The whole answer in one worker thread (no hop back to the event loop per sentence); `agent`: the
        session's agent when the caller has read its row already."""
        agent = agent or (await anyio.to_thread.run_sync(self.row, session_id))["agent"]
        live = await anyio.to_thread.run_sync(self._live_for, session_id, agent)
        async with live.lock:
            return await self._in_turn(live, self._answer, session_id, live, text, customer)

    def _answer(self, session_id: str, live: Live, text: str, customer: Customer | None) -> Reply:
        self._catch_up(session_id, live)
        return self._record(session_id, live, live.agent.ask(text, customer=customer))

    async def handoff(self, session_id: str, reason: str) -> Reply:
        row = await anyio.to_thread.run_sync(self.row, session_id)
        live = await anyio.to_thread.run_sync(self._live_for, session_id, row["agent"])
        async with live.lock:
            await anyio.to_thread.run_sync(self._catch_up, session_id, live)
            outcome = live.agent.handoff(reason)
            return await anyio.to_thread.run_sync(self._record, session_id, live, outcome)
