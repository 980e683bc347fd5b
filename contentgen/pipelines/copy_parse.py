"""What a model provider returned for the copy task, as {fields, hashtags, angle}: tolerant of real models."""

from __future__ import annotations

import json
import re
from typing import Any

from contentgen.domain.channel import Channel


def reply_prefix(channel: Channel) -> str:
    """The start of the JSON reply, up to the first field's value (`{"fields": {"body": "`): given to providers that
    continue an assistant message, so a small model writes copy into the JSON instead of prose around it."""
    first = next(iter(channel.fields), "body")
    return '{"fields": {' + json.dumps(first) + ': "'


def parse_reply(text: str, channel: Channel) -> dict[str, Any]:
    """A provider's output as {fields, hashtags, angle}; tolerant of what real models return.

    Accepted: a JSON object anywhere in the text (inside ```json fences, before or after prose), Python-style
    single quotes, trailing commas, fields at the top level or under "fields", extra keys (ignored), a missing
    optional field. A missing required field or no object at all is a ValueError saying which.
    """
    data = _loads_object(text)
    fields = data.get("fields", data)
    if not isinstance(fields, dict):
        raise ValueError("'fields' is not an object")
    clean: dict[str, str] = {}
    for name, spec in channel.fields.items():
        value = fields.get(name)
        if isinstance(value, list):  # a model that writes a field as a list of lines
            value = "\n".join(str(v) for v in value)
        if not isinstance(value, str) or not value.strip():
            if spec.required:
                raise ValueError(f"field '{name}' is missing")
            continue
        clean[name] = value.strip()
    tags = data.get("hashtags", [])
    if isinstance(tags, str):
        tags = tags.replace(",", " ").split()
    hashtags = [str(t).strip().strip("#") for t in tags if str(t).strip().strip("#")] if isinstance(tags, list) else []
    angle = data.get("angle")
    return {
        "fields": clean,
        "hashtags": hashtags,
        "angle": angle if isinstance(angle, str) else None,
        "template_version": data.get("template_version"),
    }


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _loads_object(text: str) -> dict[str, Any]:
    """The first JSON object in `text` that parses, trying fenced blocks first, then every balanced {...}."""
    import ast

    candidates = [m.group(1) for m in _FENCE.finditer(text)] + _balanced_objects(text)
    if not candidates:
        raise ValueError("output is not a JSON object")
    last_error = "output is not a JSON object"
    for candidate in candidates:
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            try:
                data = json.loads(attempt)
            except json.JSONDecodeError as err:
                last_error = f"output is not valid JSON: {err.msg}"
                try:  # single quotes, True/None: a Python literal is what small models often write
                    data = ast.literal_eval(attempt)
                except (ValueError, SyntaxError, MemoryError, RecursionError):
                    continue
            if isinstance(data, dict):
                return data
    raise ValueError(last_error)


def _balanced_objects(text: str) -> list[str]:
    """Every top-level {...} span, strings skipped; one cut off by max_tokens is closed (string, lists, objects)."""
    spans: list[str] = []
    stack: list[str] = []
    start, quote, escaped = -1, "", False
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'" and stack:
            quote = ch
        elif ch in "{[":
            if not stack and ch == "{":
                start = i
            if stack or ch == "{":
                stack.append("}" if ch == "{" else "]")
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                spans.append(text[start : i + 1])
    if stack:
        spans.append(text[start:] + quote + "".join(reversed(stack)))
    return spans
