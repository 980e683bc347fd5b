"""Helpers shared by providers: one-line error text, and whether the Hugging Face hub answers."""

from __future__ import annotations

import os


def one_line(err: BaseException | str, limit: int = 200) -> str:
    """An exception as one shortened line, for user-facing errors."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hub_unreachable() -> str:
    """Why the hub cannot be reached ('' if it answers): one quick request, no retries."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return "offline: HF_HUB_OFFLINE is set"
    try:
        from huggingface_hub import constants

        if constants.HF_HUB_OFFLINE:
            return "offline: HF_HUB_OFFLINE is set"
        import httpx

        httpx.head(constants.ENDPOINT, timeout=5.0)
    except Exception as err:
        return f"offline: {one_line(err, 80)}"
    return ""
