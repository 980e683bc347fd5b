"""Chat routes: sessions, messages (JSON or server-sent events), hand-offs, and the OpenAI-compatible facade."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse, ServerSentEvent

from contentgen.server.deps import Services, app_services, require
from contentgen.server.errors import ApiError
from contentgen.server.security import ApiKey, check_session_id
from contentgen.server.sessions import Reply

router = APIRouter()
Chat = Annotated[ApiKey, Depends(require("chat"))]
Svc = Annotated[Services, Depends(app_services)]
SessionId = Annotated[str, Path(description="session id (32 hex digits)", max_length=64)]
AgentName = Annotated[str, Path(description="a shipped agent name or a kit id", max_length=64)]


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tier: str | None = Field(default=None, max_length=40)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="the shopper's message")
    stream: bool = Field(default=False, description="answer as server-sent events, sentence by sentence")
    customer: CustomerIn | None = None


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["requested", "upset", "complaint", "high_value"] = "requested"


def _owned(svc: Services, session_id: str, key: ApiKey) -> dict[str, Any]:
    check_session_id(session_id)
    row = svc.sessions.row(session_id)
    if row["owner"] != key.id and key.scope != "admin":
        raise ApiError(404, "no such session", field="session_id")  # another key's session does not exist for you
    return dict(row)


def _text(svc: Services, text: str) -> str:
    if len(text) > svc.config.max_message_chars:
        raise ApiError(422, f"'text' is over {svc.config.max_message_chars} characters", field="text")
    return text


def _count(svc: Services, agent: str, reply: Reply) -> None:
    outcome = reply.outcome
    svc.metrics.outcome(agent, outcome.kind, getattr(outcome, "reason", None))


@router.post(
    "/v1/agents/{agent}/sessions", status_code=201, summary="Start a conversation with an agent", tags=["chat"]
)
async def create_session(agent: AgentName, key: Chat, svc: Svc) -> dict[str, Any]:
    """A new session with a random, never-colliding id; its turns persist across restarts."""
    return await anyio.to_thread.run_sync(svc.sessions.create, agent, key.id)


@router.get("/v1/sessions/{session_id}", summary="A session with its masked transcript", tags=["chat"])
async def get_session(session_id: SessionId, key: Chat, svc: Svc) -> dict[str, Any]:
    """State (open or handoff, with the reason), and every turn with personal data masked: for the person who
    takes over a hand-off."""
    await anyio.to_thread.run_sync(_owned, svc, session_id, key)
    return await anyio.to_thread.run_sync(lambda: svc.sessions.get(session_id, turns=True))


@router.post(
    "/v1/sessions/{session_id}/messages",
    summary="Ask in a session (JSON or SSE)",
    tags=["chat"],
    responses={
        200: {
            "description": "the outcome as JSON, or text/event-stream: `sentence` events, "
            "keep-alive comments, then one `done` event with the outcome and its sources"
        }
    },
)
async def post_message(session_id: SessionId, body: MessageIn, key: Chat, svc: Svc) -> Any:
    """The agent's typed outcome: an answer with citations, a refusal with its reason, or a hand-off with its
    reason. With `stream: true`, server-sent events: `sentence` (text), pings, and a final `done`."""
    text = _text(svc, body.text)
    row = await anyio.to_thread.run_sync(_owned, svc, session_id, key)
    from contentgen.agent import Customer

    customer = Customer(tier=body.customer.tier) if body.customer else None
    if not body.stream:
        reply = await svc.sessions.ask(session_id, text, customer=customer, agent=row["agent"])
        _count(svc, row["agent"], reply)
        return reply.to_dict()
    shutdown = anyio.Event()

    async def events() -> AsyncIterator[ServerSentEvent]:
        async for part in svc.sessions.converse(session_id, text, customer=customer):
            if isinstance(part, Reply):
                _count(svc, row["agent"], part)
                yield ServerSentEvent(json.dumps(part.to_dict(), ensure_ascii=False), event="done")
            else:
                yield ServerSentEvent(json.dumps({"text": part}, ensure_ascii=False), event="sentence")

    return EventSourceResponse(
        events(),
        ping=svc.config.ping_s,
        shutdown_event=shutdown,
        shutdown_grace_period=svc.config.grace_s,
        headers={"X-Accel-Buffering": "no"},
    )


@router.post("/v1/sessions/{session_id}/handoff", summary="Hand the conversation to a person now", tags=["chat"])
async def handoff(session_id: SessionId, key: Chat, svc: Svc, body: HandoffIn | None = None) -> dict[str, Any]:
    row = await anyio.to_thread.run_sync(_owned, svc, session_id, key)
    reply = await svc.sessions.handoff(session_id, (body or HandoffIn()).reason)
    _count(svc, row["agent"], reply)
    return reply.to_dict()


@router.get("/v1/agents", summary="The agents this server can run", tags=["chat"])
async def list_agents(key: Chat, svc: Svc) -> dict[str, Any]:
    return {"agents": svc.sessions.agents()}


# ---- OpenAI-compatible facade -----------------------------------------------------------------------


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, … are accepted and ignored
    model: str = Field(description="an agent name, e.g. qinghe-service")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def _content(message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return "".join(str(part.get("text", "")) for part in message.content or [] if part.get("type") == "text")


@router.post("/v1/chat/completions", summary="OpenAI-compatible chat completions (model = agent name)", tags=["openai"])
async def chat_completions(body: CompletionIn, key: Chat, svc: Svc) -> Any:
    """The grounded agent behind the OpenAI chat API. Earlier user messages are replayed so follow-ups resolve;
    system prompts are ignored (the agent's definition decides). The extra field `contentgen` on the completion
    (and on the last stream chunk) carries `outcome` (kind, intent, reason, citations) and `sources`."""
    definition = svc.sessions.definition(body.model)
    questions = [_text(svc, _content(m)) for m in body.messages if m.role == "user"]
    if not questions or not questions[-1].strip():
        raise ApiError(422, "the last user message is empty", field="messages")
    agent = await anyio.to_thread.run_sync(svc.sessions.build, body.model)
    memory = definition.memory.turns
    for earlier in questions[:-1][-memory:] if memory else []:
        await anyio.to_thread.run_sync(agent.ask, earlier)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())

    def extra(outcome: Any) -> dict[str, Any]:
        sources = list(agent.products(getattr(outcome, "citations", ())))
        from contentgen.server.sessions import product_card

        return {"outcome": outcome.to_dict(), "sources": [product_card(p) for p in sources]}

    if not body.stream:
        outcome = await anyio.to_thread.run_sync(agent.ask, questions[-1])
        svc.metrics.outcome(body.model, outcome.kind, getattr(outcome, "reason", None))
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": outcome.text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "contentgen": await anyio.to_thread.run_sync(extra, outcome),
        }

    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> str:
        return json.dumps(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": body.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **more,
            },
            ensure_ascii=False,
        )

    async def events() -> AsyncIterator[ServerSentEvent]:
        stream = agent.stream(questions[-1])
        done = object()
        yield ServerSentEvent(chunk({"role": "assistant", "content": ""}))
        while True:
            sentence = await anyio.to_thread.run_sync(next, stream, done)
            if sentence is done:
                break
            yield ServerSentEvent(chunk({"content": sentence}))
        outcome = stream.outcome
        svc.metrics.outcome(body.model, outcome.kind, getattr(outcome, "reason", None))
        yield ServerSentEvent(chunk({}, "stop", contentgen=await anyio.to_thread.run_sync(extra, outcome)))
        yield ServerSentEvent("[DONE]")

    return EventSourceResponse(
        events(), ping=svc.config.ping_s, shutdown_event=anyio.Event(), shutdown_grace_period=svc.config.grace_s
    )
