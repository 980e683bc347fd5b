"""Helpers shared by providers: one-line error text, whether the Hugging Face hub answers, whether a model name is a
path, cache-or-hub loading, the libraries' progress bars off while a model loads."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

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


def looks_like_path(given: str) -> bool:
    """Whether a model name that is no existing file or folder was meant as a path (not a hub id like 'org/name')."""
    return given.startswith(("/", ".", "~")) or "\\" in given or given.count("/") > 1


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


_BARS = threading.RLock()


@contextmanager
def library_progress_bars_off() -> Iterator[None]:
    """No tqdm bars from transformers, huggingface_hub or the GGUF converter while a model loads (they would print
    into a chat or a rich status line; the CLI shows one "loading model …" status instead). Restored afterwards."""
    from functools import partial
    from importlib import import_module

    hub_utils: Any = import_module("huggingface_hub.utils")
    hf_logging: Any = import_module("transformers.utils.logging")

    with _BARS:
        bars_on, hub_off = hf_logging.is_progress_bar_enabled(), hub_utils.are_progress_bars_disabled()
        hf_logging.disable_progress_bar()  # transformers' own bars ("Loading weights") and the hub's
        gguf_utils: Any = None
        with suppress(ImportError):  # a transformers without GGUF support has no converter bar
            from transformers import modeling_gguf_pytorch_utils as gguf_utils  # its bar is a plain tqdm
        plain = getattr(gguf_utils, "tqdm", None)
        if plain is not None:
            gguf_utils.tqdm = partial(plain, disable=True)
        try:
            yield
        finally:
            if plain is not None:
                gguf_utils.tqdm = plain
            if bars_on:
                hf_logging.enable_progress_bar()
            if hub_off:
                hub_utils.disable_progress_bars()
            elif bars_on:
                hub_utils.enable_progress_bars()
