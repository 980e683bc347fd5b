"""Helpers shared by providers: one-line error text, whether the Hugging Face hub answers, cache-or-hub loading."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from contentgen.errors import ProviderError

T = TypeVar("T")


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


def load_cached_or_hub(repo_id: str, load: Callable[[bool], T], *, what: str = "model") -> T:
    """`load(local_files_only)` from the Hugging Face cache, else from the hub if it answers.

    A one-line error naming the fix when the model is neither cached nor reachable. `what` names it in
    that message ("model", "speech model" …).
    """
    try:
        return load(True)
    except OSError:
        pass  # not (fully) cached
    unreachable = hub_unreachable()
    if unreachable:
        raise ProviderError(
            f"{what} '{repo_id}' is not a local directory nor in the Hugging Face cache, and the hub cannot be "
            f"reached ({unreachable}); download it where the hub is reachable "
            f"(hf download {repo_id} --local-dir DIR) and set the model option to DIR"
        )
    return load(False)
