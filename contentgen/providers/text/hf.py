"""Local causal language models through 🤗 transformers, batched.

Select it with ``CONTENTGEN_TEXT__NAME=transformers`` and ``CONTENTGEN_TEXT__OPTIONS__MODEL=DIR`` (or
``[text] name = "transformers"`` / ``options = {model = "DIR"}`` in contentgen.toml). ``model`` is a
local directory saved with ``save_pretrained`` (config.json, weights, tokenizer files) or a hub id; a
hub id is looked up in the Hugging Face cache first and downloaded only if the hub can be reached.

How a batch is run
    Each request's messages go through the tokenizer's chat template (a plain ``role: content`` join if
    it has none). The prompts are sorted by token length (longest first, so each chunk holds prompts of
    similar length and little padding), cut into chunks of ``batch_size``, left-padded, and generated
    together; results go back in request order. Each row stops at its own ``max_tokens`` (capped by the
    ``max_new_tokens`` option) or at end-of-sequence; only the new tokens are decoded, special tokens
    skipped.

Determinism
    ``temperature == 0`` is greedy decoding: no randomness at all. Otherwise each row is sampled with
    its own ``torch.Generator`` seeded from the request's ``seed`` (Gumbel-max sampling: a row's k-th
    token uses the k-th draw of its own generator, never a shared global RNG), so the same request with
    the same seed gives the same text whether it runs alone or in a batch, in any position, beside any
    other requests. ``seed=None`` draws a fresh seed: a different text each time.

    What batch composition can still change is floating-point rounding: a batch pads prompts to a common
    length and runs wider matrix products, whose kernels may sum in another order. On CPU in float32
    this has not changed a token in our tests; in float16/bfloat16 on a GPU a near-tie between the two
    likeliest tokens can occasionally flip, after which the texts diverge. For bit-identical output
    regardless of batching, use ``batch_size=1`` (slower) or ``dtype=float32``.
"""

from __future__ import annotations

import queue
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, PositiveInt

from contentgen.errors import MissingExtraError, ProviderError
from contentgen.providers.base import ProviderOptions, TextProvider, TextRequest, TextResult
from contentgen.providers.support import library_progress_bars_off, load_cached_or_hub, looks_like_path, one_line

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedTokenizerBase

__all__ = ["TransformersOptions", "TransformersTextProvider"]


class TransformersOptions(ProviderOptions):
    model: str = Field(min_length=1, description="a local model directory, or a hub id found in the cache")
    device: str = Field(
        "auto",
        pattern=r"^(auto|cpu|mps|(cuda|xpu|npu)(:\d+)?)$",
        description="auto: all GPUs through accelerate's device_map if there are any, else cpu",
    )
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = Field(
        "auto", description="auto: float32 on cpu, the checkpoint's own dtype on an accelerator"
    )
    batch_size: PositiveInt = Field(32, description="prompts generated together")
    max_new_tokens: PositiveInt | None = Field(None, description="a cap on every request's max_tokens")
    trust_remote_code: bool = Field(False, description="run the model repository's own Python code")
    repetition_penalty: float | None = Field(
        None, gt=0, description="overrides the checkpoint's; above 1 (e.g. 1.15) curbs the loops small models fall into"
    )
    gguf_file: str | None = Field(
        None,
        min_length=1,
        description="a .gguf file inside the model directory (or hub repo) to load, de-quantised (needs gguf)",
    )


@dataclass(frozen=True)
class _Row:
    """One request, tokenized: what a batch is made of."""

    index: int
    ids: tuple[int, ...]
    max_new: int
    temperature: float
    seed: int


@dataclass
class _Loaded:
    model: Any  # a PreTrainedModel (typed Any: nn.Module's __getattr__ hides generate() from mypy)
    tokenizer: PreTrainedTokenizerBase
    device: torch.device
    pad_id: int
    eos_ids: frozenset[int]
    top_k: int | None
    top_p: float | None
    repetition_penalty: float | None


class TransformersTextProvider(TextProvider):
    """A causal LM from a local directory (or the hub cache), loaded on first use, batched."""

    name: ClassVar[str] = "transformers"
    continues_assistant: ClassVar[bool] = True  # a final assistant message is continued (continue_final_message)
    Options = TransformersOptions
    options: TransformersOptions

    def __init__(self, options: TransformersOptions | Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self._lock = threading.RLock()
        self._loaded: _Loaded | None = None
        self.generated_tokens = 0
        """New tokens kept in results so far, over all calls (end-of-sequence excluded): for throughput."""

    @property
    def model(self) -> str:
        return self.options.model

    # ---- public API ------------------------------------------------------------------------------

    def generate(self, requests: Sequence[TextRequest]) -> list[TextResult]:
        if not requests:
            return []
        rows = self._rows(requests)
        results: list[TextResult | None] = [None] * len(rows)
        runnable = [r for r in rows if r.max_new > 0]
        for r in rows:
            if r.max_new <= 0:
                results[r.index] = TextResult("", "length")
        # Longest first: every chunk holds prompts of similar length, so little padding is computed.
        runnable.sort(key=lambda r: (-len(r.ids), r.index))
        size = self.options.batch_size
        for start in range(0, len(runnable), size):
            chunk = runnable[start : start + size]
            for row, result in zip(chunk, self._run(chunk), strict=True):
                results[row.index] = result
        return [r for r in results if r is not None]

    def stream(self, request: TextRequest) -> Iterator[str]:
        """Text as it is generated; the pieces join to exactly what `generate([request])` returns."""
        (row,) = self._rows([request])
        if row.max_new <= 0:
            yield ""
            return
        loaded = self._load()
        pieces: queue.Queue[list[int] | BaseException | None] = queue.Queue()
        cancel = threading.Event()
        final: list[TextResult] = []

        def work() -> None:
            try:
                final.extend(self._run([row], pieces=pieces, cancel=cancel))
            except BaseException as err:  # handed to the consumer, re-raised there
                pieces.put(err)
            finally:
                pieces.put(None)

        worker = threading.Thread(target=work, name="contentgen-hf-stream", daemon=True)
        worker.start()
        tokens: list[int] = []
        sent = ""
        try:
            while (item := pieces.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                tokens.extend(item)
                kept, _ = _cut(tokens, row.max_new, loaded.eos_ids)
                text = _decode(loaded.tokenizer, kept)
                # Hold back a partial UTF-8 sequence (a CJK character split over byte tokens).
                if text.startswith(sent) and len(text) > len(sent) and not text.endswith("\ufffd"):
                    yield text[len(sent) :]
                    sent = text
            if not final:  # pragma: no cover - the worker put an error first
                return
            text = final[0].text
            if len(text) > len(sent) and text.startswith(sent):
                yield text[len(sent) :]
            elif not sent:
                yield ""
        finally:
            cancel.set()
            worker.join()

    def close(self) -> None:
        with self._lock:
            loaded, self._loaded = self._loaded, None
        if loaded is not None and loaded.device.type == "cuda":
            import torch

            del loaded
            torch.cuda.empty_cache()

    # ---- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Load the tokenizer and weights now (else the first request does), without the libraries' bars."""
        self._load()

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load_now()
            return self._loaded

    def _load_now(self) -> _Loaded:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as err:
            raise MissingExtraError(err.name or "transformers", "models", f"the text provider '{self.name}'") from None

        source, local_only = self._source()
        device, device_map = self._placement(torch)
        dtype: Any = getattr(torch, self.options.dtype) if self.options.dtype != "auto" else "auto"
        if dtype == "auto" and device.type == "cpu":
            dtype = torch.float32  # half precision is slow (or unsupported) on CPUs
        common: dict[str, Any] = {"trust_remote_code": self.options.trust_remote_code}
        if gguf := self._gguf_file():
            common["gguf_file"] = gguf

        def load(local_files_only: bool) -> tuple[Any, Any]:
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_files_only, **common)
            model = AutoModelForCausalLM.from_pretrained(
                source, local_files_only=local_files_only, dtype=dtype, device_map=device_map, **common
            )
            return tokenizer, model

        try:
            with library_progress_bars_off():
                if local_only:
                    tokenizer, model = load(True)
                else:
                    tokenizer, model = load_cached_or_hub(source, load)
        except ProviderError:
            raise
        except Exception as err:
            raise ProviderError(self._load_failure(source, err)) from err

        if device_map is None:
            model.to(device)
        model.eval()
        device = model.get_input_embeddings().weight.device
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None and tokenizer.eos_token is not None:
            tokenizer.pad_token = tokenizer.eos_token

        config = model.generation_config
        eos = config.eos_token_id if config.eos_token_id is not None else tokenizer.eos_token_id
        eos_ids = frozenset([eos] if isinstance(eos, int) else (eos or []))
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(eos_ids, default=0)
        sampling = bool(config.do_sample)  # the checkpoint's own sampling advice, used when sampling
        penalty = self.options.repetition_penalty or config.repetition_penalty
        return _Loaded(
            model=model,
            tokenizer=tokenizer,
            device=device,
            pad_id=int(pad_id),
            eos_ids=eos_ids,
            top_k=config.top_k if sampling and config.top_k else None,
            top_p=config.top_p if sampling and config.top_p is not None and config.top_p < 1.0 else None,
            repetition_penalty=penalty if penalty is not None and penalty != 1.0 else None,
        )

    def _source(self) -> tuple[str, bool]:
        """The directory or hub id to load, and whether it is local."""
        given = self.options.model
        path = Path(given).expanduser()
        if path.is_dir():
            return str(path), True
        if path.is_file() and path.suffix.lower() == ".gguf":
            return str(path.parent), True  # the file itself goes to gguf_file (see _gguf_file)
        if path.exists():
            raise ProviderError(
                f"model '{given}' is a file, not a directory; pass the directory that holds config.json and the weights"
                " (or, for a .gguf file, the directory and the gguf_file option)"
            )
        if looks_like_path(given):
            raise ProviderError(
                f"model directory '{given}' does not exist; pass an existing directory saved with save_pretrained "
                "(config.json, weights, tokenizer files), or a hub id such as 'Qwen/Qwen2.5-0.5B-Instruct'"
            )
        return given, False

    def _gguf_file(self) -> str | None:
        """The .gguf file to load: the gguf_file option, or the model option when it names a .gguf file."""
        given = Path(self.options.model).expanduser()
        wanted = self.options.gguf_file
        if wanted is None and given.suffix.lower() == ".gguf" and given.is_file():
            wanted, given = given.name, given.parent
        if wanted is None:
            return None
        if given.is_dir() and not (given / wanted).is_file():
            have = sorted(p.name for p in given.glob("*.gguf"))
            raise ProviderError(
                f"gguf_file '{wanted}' is not in the model directory '{given}'; "
                + (f"it holds {', '.join(have)}" if have else "it holds no .gguf file")
            )
        try:
            import gguf  # noqa: F401  transformers reads the file with it
        except ImportError:
            raise MissingExtraError("gguf", "models", f"the text provider '{self.name}' with a .gguf model") from None
        return wanted

    def _load_failure(self, source: str, err: Exception) -> str:
        reason = one_line(err)
        names = {type(e).__name__ for e in _chain(err)}
        if names & {"RepositoryNotFoundError", "GatedRepoError", "RevisionNotFoundError"}:
            return (
                f"model '{source}' is not a local directory and the hub has no such public model ({reason}); "
                "check the id (and your access to it), or pass a local directory"
            )
        if "trust_remote_code" in str(err):
            return (
                f"model '{source}' needs its own Python code to load; set the option trust_remote_code=true "
                "if you trust that code"
            )
        return f"cannot load the model '{source}': {reason}"

    def _placement(self, torch: Any) -> tuple[torch.device, str | None]:
        """The device inputs go to, and the accelerate device_map (None: load, then move)."""
        wanted = self.options.device
        if wanted == "auto":
            if torch.cuda.is_available():
                return torch.device("cuda"), "auto"
            if torch.backends.mps.is_available():
                return torch.device("mps"), None
            return torch.device("cpu"), None
        device = torch.device(wanted)
        if device.type == "cpu":
            return device, None
        backend = getattr(torch, device.type, None)
        if device.type == "mps":
            available = torch.backends.mps.is_available()
        else:
            available = backend is not None and backend.is_available()
        if not available:
            raise ProviderError(
                f"device '{wanted}' was asked for but this torch ({torch.__version__}) cannot use it; "
                "set device to auto or cpu, or install a torch build for that device"
            )
        return device, wanted

    # ---- generation ------------------------------------------------------------------------------

    def _rows(self, requests: Sequence[TextRequest]) -> list[_Row]:
        loaded = self._load()
        cap = self.options.max_new_tokens
        rows = []
        for index, request in enumerate(requests):
            seed = request.seed if request.seed is not None else secrets.randbits(63)
            rows.append(
                _Row(
                    index=index,
                    ids=tuple(self._prompt_ids(loaded.tokenizer, request)),
                    max_new=min(request.max_tokens, cap) if cap else request.max_tokens,
                    temperature=max(request.temperature, 0.0),
                    seed=seed,
                )
            )
        return rows

    @staticmethod
    def _prompt_ids(tokenizer: PreTrainedTokenizerBase, request: TextRequest) -> list[int]:
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        prefill = bool(messages) and messages[-1]["role"] == "assistant"  # continue that text (continues_assistant)

        def render(turns: list[dict[str, str]]) -> Any:
            if prefill:
                return tokenizer.apply_chat_template(turns, tokenize=False, continue_final_message=True)
            return tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)

        if getattr(tokenizer, "chat_template", None):
            try:
                text = render(messages)
            except Exception:
                # Some templates refuse a system turn: fold it into the first user message.
                text = render(_fold_system(messages))
            ids = tokenizer(str(text), add_special_tokens=False)["input_ids"]
        else:
            plain = "\n".join(f"{m['role']}: {m['content']}" for m in messages)
            ids = tokenizer(plain if prefill else plain + "\nassistant:")["input_ids"]
        return [int(i) for i in ids]

    def _run(
        self,
        rows: Sequence[_Row],
        *,
        pieces: queue.Queue[list[int] | BaseException | None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[TextResult]:
        """Generate one left-padded chunk; with `pieces`, push each new token (one row only)."""
        import torch
        from transformers import GenerationConfig, LogitsProcessorList, StoppingCriteriaList

        loaded = self._load()
        width = max(len(r.ids) for r in rows)
        input_ids = torch.full((len(rows), width), loaded.pad_id, dtype=torch.long)
        attention = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            if row.ids:
                input_ids[i, width - len(row.ids) :] = torch.tensor(row.ids, dtype=torch.long)
                attention[i, width - len(row.ids) :] = 1
        config = GenerationConfig(  # type: ignore[no-untyped-call]
            max_new_tokens=max(r.max_new for r in rows),
            do_sample=False,  # sampled rows get their noise from _SeededSampler; argmax picks the token
            pad_token_id=loaded.pad_id,
            eos_token_id=sorted(loaded.eos_ids) or None,
            repetition_penalty=loaded.repetition_penalty,
        )
        processors = LogitsProcessorList()
        if any(r.temperature > 0 for r in rows):
            processors.append(_seeded_sampler(rows, loaded.top_k, loaded.top_p))
        stopping = StoppingCriteriaList([_row_limits(width, [r.max_new for r in rows], loaded.device)])
        if cancel is not None:
            stopping.append(_cancelled(cancel))
        streamer = _queue_streamer(pieces) if pieces is not None else None
        with self._lock:
            try:
                with torch.inference_mode():
                    output = loaded.model.generate(
                        input_ids=input_ids.to(loaded.device),
                        attention_mask=attention.to(loaded.device),
                        generation_config=config,
                        logits_processor=processors,
                        stopping_criteria=stopping,
                        streamer=streamer,
                    )
            except torch.OutOfMemoryError:
                raise ProviderError(
                    f"out of memory generating {len(rows)} texts with '{self.options.model}' on {loaded.device}; "
                    "lower the batch_size option or max_tokens"
                ) from None
        results = []
        for row, generated in zip(rows, output[:, width:].tolist(), strict=True):
            kept, finish = _cut(generated, row.max_new, loaded.eos_ids)
            results.append(TextResult(_decode(loaded.tokenizer, kept), finish))
            with self._lock:
                self.generated_tokens += len(kept)
        return results


# ---- helpers --------------------------------------------------------------------------------------


def _cut(tokens: Sequence[int], limit: int, eos_ids: frozenset[int]) -> tuple[list[int], str]:
    """A row's own tokens: up to its first end-of-sequence, at most `limit`."""
    kept = list(tokens[:limit])
    for i, token in enumerate(kept):
        if token in eos_ids:
            return kept[:i], "stop"
    return kept, "length" if len(kept) >= limit else "stop"


def _decode(tokenizer: PreTrainedTokenizerBase, tokens: Sequence[int]) -> str:
    return str(tokenizer.decode(list(tokens), skip_special_tokens=True))


def _fold_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system:
        if rest and rest[0]["role"] == "user":
            rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
        else:
            rest.insert(0, {"role": "user", "content": system})
    return rest


def _chain(err: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _seeded_sampler(rows: Sequence[_Row], top_k: int | None, top_p: float | None) -> Any:
    """A logits processor that turns argmax into per-row seeded sampling (the Gumbel-max trick).

    For a sampled row it returns logits/T + Gumbel noise drawn from that row's own generator, whose
    argmax is a sample from softmax(logits/T) (after the checkpoint's top-k/top-p, if any); greedy rows
    pass through untouched. Row i's k-th token always uses the k-th draw of generator i.
    """
    import torch
    from transformers import LogitsProcessor
    from transformers.generation.logits_process import TopKLogitsWarper, TopPLogitsWarper

    sampled = [i for i, r in enumerate(rows) if r.temperature > 0]
    temperatures = [rows[i].temperature for i in sampled]
    seeds = [rows[i].seed for i in sampled]
    warpers: list[Any] = []
    if top_k:
        warpers.append(TopKLogitsWarper(top_k))
    if top_p is not None:
        warpers.append(TopPLogitsWarper(top_p))

    class SeededSampler(LogitsProcessor):
        def __init__(self) -> None:
            self.generators: list[torch.Generator] = []

        def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
            device = scores.device
            if not self.generators:
                self.generators = [torch.Generator(device=device).manual_seed(s) for s in seeds]
            index = torch.tensor(sampled, device=device)
            temps = torch.tensor(temperatures, device=device, dtype=scores.dtype).unsqueeze(1)
            chosen: Any = scores[index] / temps
            for warper in warpers:
                chosen = warper(input_ids[index], chosen)
            vocab = scores.shape[-1]
            tiny = torch.finfo(torch.float32).tiny
            uniform = torch.stack(
                [torch.rand(vocab, generator=g, device=device).clamp_(min=tiny) for g in self.generators]
            )
            gumbel = -torch.log(-torch.log(uniform))
            out = scores.clone()
            out[index] = chosen + gumbel.to(scores.dtype)
            return out  # type: ignore[return-value]

    return SeededSampler()


def _row_limits(width: int, limits: list[int], device: torch.device) -> Any:
    """Stop each row at its own max_new_tokens; generate() pads the rows that are done."""
    import torch
    from transformers import StoppingCriteria

    wanted = torch.tensor(limits, device=device)

    class RowLimits(StoppingCriteria):
        def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
            return (input_ids.shape[1] - width) >= wanted  # type: ignore[return-value]

    return RowLimits()


def _cancelled(event: threading.Event) -> Any:
    """Stop generating when a stream's consumer has gone away."""
    import torch
    from transformers import StoppingCriteria

    class Cancelled(StoppingCriteria):
        def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
            return torch.full(  # type: ignore[return-value]
                (input_ids.shape[0],), event.is_set(), dtype=torch.bool, device=input_ids.device
            )

    return Cancelled()


def _queue_streamer(pieces: queue.Queue[list[int] | BaseException | None]) -> Any:
    """A generate() streamer that hands each step's new token ids (batch of one) to a queue."""
    from transformers.generation.streamers import BaseStreamer

    class QueueStreamer(BaseStreamer):
        def __init__(self) -> None:
            self.prompt_seen = False

        def put(self, value: Any) -> None:
            if not self.prompt_seen:  # the first call carries the prompt
                self.prompt_seen = True
                return
            pieces.put([int(t) for t in value.reshape(-1).tolist()])

        def end(self) -> None:
            pass

    return QueueStreamer()
