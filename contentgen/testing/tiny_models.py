"""Tiny, real, randomly initialised models built offline, for tests and benchmarks.

Nothing here downloads anything: the tokenizer is a byte-level BPE trained on a few sentences in this
file (English and Chinese, so CJK text round-trips), and the model is a real transformers causal LM
with random weights. `build_tiny_llama(directory)` writes both with ``save_pretrained`` so that a
provider loads them through its ordinary loading path::

    path = build_tiny_llama(tmp_path / "tiny")
    provider = TransformersTextProvider({"model": str(path)})

`build_random_model(directory, arch="qwen2-0.5b")` writes a model of Qwen2-0.5B's shape (random
weights, the tiny tokenizer) for throughput measurements on a GPU.

torch, transformers and tokenizers are imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

Arch = Literal["tiny-llama", "qwen2-0.5b"]
ARCHS: tuple[Arch, ...] = ("tiny-llama", "qwen2-0.5b")

BOS, EOS, PAD = "<s>", "</s>", "<pad>"
ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")

#: A Jinja chat template in the usual shape: BOS, one block per message, then the assistant's tag.
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"
)

CORPUS: tuple[str, ...] = (
    "Write one short sentence about green tea.",
    "Fresh jasmine green tea, brewed slow for a calm afternoon.",
    "Our sunscreen keeps your skin safe under the summer sun.",
    "Say hello to the new cold brew: smooth, bright and easy.",
    "A gentle face cream for dry skin, with no added fragrance.",
    "Hello, and welcome to the show. Today we taste three teas.",
    "写一句关于防晒霜的短句。",
    "清爽不油腻的防晒霜，夏天出门必备。",
    "茉莉绿茶，清香回甘，适合午后慢慢品。",
    "欢迎来到直播间，今天我们介绍三款好茶。",
    "保湿面霜，温和配方，敏感肌也能放心用。",
    "乌龙茶和冷萃咖啡，你更喜欢哪一个？",
)


def train_tiny_tokenizer(
    vocab_size: int = 320,
    *,
    chat_template: bool = True,
    pad_token: bool = True,
    corpus: tuple[str, ...] = CORPUS,
) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained here on `corpus`, wrapped for transformers.

    Every byte is in the alphabet, so any text (CJK included) encodes and decodes losslessly. With
    `pad_token=False` it has no pad token and with `chat_template=False` no chat template, to exercise
    a provider's fallbacks.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = [BOS, EOS, *([PAD] if pad_token else []), *ROLE_TOKENS]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(list(corpus), trainer=trainer)
    extra: dict[str, Any] = {"pad_token": PAD} if pad_token else {}
    wrapped = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tokenizer,
        bos_token=BOS,
        eos_token=EOS,
        additional_special_tokens=list(ROLE_TOKENS),
        clean_up_tokenization_spaces=False,
        **extra,
    )
    if chat_template:
        wrapped.chat_template = CHAT_TEMPLATE
    return wrapped


def build_tiny_llama(
    directory: str | Path,
    *,
    seed: int = 0,
    vocab_size: int = 320,
    chat_template: bool = True,
    pad_token: bool = True,
) -> Path:
    """Save a 2-layer, 32-wide Llama with random weights and a locally trained tokenizer; return the directory."""
    return build_random_model(
        directory, arch="tiny-llama", seed=seed, vocab_size=vocab_size, chat_template=chat_template, pad_token=pad_token
    )


def build_random_model(
    directory: str | Path,
    *,
    arch: Arch = "tiny-llama",
    seed: int = 0,
    vocab_size: int = 320,
    chat_template: bool = True,
    pad_token: bool = True,
    dtype: str = "float32",
) -> Path:
    """Save a randomly initialised causal LM of shape `arch` and the tiny tokenizer to `directory`.

    ``qwen2-0.5b`` has Qwen2-0.5B's shape (24 layers, 896 wide, 151,936-token vocabulary, about 494 M
    parameters); its tokenizer is still the tiny one, whose ids are a subset of the model's vocabulary
    (tokens past it decode to nothing), which is enough to time generation.
    """
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, PretrainedConfig, Qwen2Config

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tiny_tokenizer(vocab_size, chat_template=chat_template, pad_token=pad_token)
    ids: dict[str, Any] = {
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    config: PretrainedConfig
    if arch == "tiny-llama":
        config = LlamaConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=256,
            initializer_range=0.2,  # peakier random logits than the default 0.02: fewer near-ties
            **ids,
        )
    elif arch == "qwen2-0.5b":
        config = Qwen2Config(
            vocab_size=151936,
            hidden_size=896,
            intermediate_size=4864,
            num_hidden_layers=24,
            num_attention_heads=14,
            num_key_value_heads=2,
            max_position_embeddings=32768,
            rms_norm_eps=1e-6,
            tie_word_embeddings=True,
            rope_parameters={"rope_type": "default", "rope_theta": 1_000_000.0},
            **ids,
        )
    else:  # pragma: no cover - Literal guards it
        raise ValueError(f"unknown arch {arch!r}; valid: {', '.join(ARCHS)}")
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))  # type: ignore[no-untyped-call]
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


# ---- a tiny Stable Diffusion pipeline -------------------------------------------------------------

CLIP_BOS, CLIP_EOS = "<|startoftext|>", "<|endoftext|>"
#: Byte pairs merged by the tiny CLIP tokenizer (GPT-2 byte-level symbols, "</w>" ends a word).
CLIP_MERGES: tuple[str, ...] = ("t e", "te a</w>", "l e", "a f</w>", "le af</w>")


def _clip_byte_symbols() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for bytes (as in GPT-2 and CLIP)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    symbols, extra = [], 0
    for byte in range(256):
        if byte in printable:
            symbols.append(chr(byte))
        else:
            symbols.append(chr(256 + extra))
            extra += 1
    return symbols


def write_tiny_clip_tokenizer_files(directory: str | Path, *, max_length: int = 32) -> Path:
    """Write vocab.json, merges.txt and tokenizer_config.json of a tiny CLIP tokenizer; return the directory.

    Every byte has a symbol, alone and word-final, so any text (CJK included) tokenizes without unknowns;
    a handful of merges make it a real BPE. Loaded with ``CLIPTokenizer.from_pretrained(directory)``.
    """
    import json

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    tokens = [CLIP_BOS, CLIP_EOS]
    for symbol in _clip_byte_symbols():
        tokens += [symbol, symbol + "</w>"]
    for merge in CLIP_MERGES:
        merged = merge.replace(" ", "")
        if merged not in tokens:
            tokens.append(merged)
    (target / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}, ensure_ascii=False), "utf-8")
    (target / "merges.txt").write_text("#version: 0.2\n" + "\n".join(CLIP_MERGES) + "\n", "utf-8")
    config = {"model_max_length": max_length, "bos_token": CLIP_BOS, "eos_token": CLIP_EOS, "pad_token": CLIP_EOS}
    (target / "tokenizer_config.json").write_text(json.dumps(config), "utf-8")
    return target


def build_tiny_sd(directory: str | Path, *, seed: int = 0, sample_size: int = 32) -> Path:
    """Save a real, randomly initialised Stable Diffusion pipeline of toy size; return the directory.

    The components are the real diffusers/transformers classes at the smallest sensible width (the shapes
    follow diffusers' own pipeline tests): a two-level UNet2DConditionModel (8 and 16 channels, one
    cross-attention level), a two-level AutoencoderKL (4 latent channels, so latents are half the image
    size), a two-layer 16-wide CLIPTextModel, a CLIP tokenizer written here (no download), and an
    EulerDiscreteScheduler with trailing timesteps (as SD-Turbo). There is no safety checker and no
    feature extractor (``requires_safety_checker=False``): a random model draws noise, nothing to check.
    It is saved with ``save_pretrained``, so a provider loads it through ``AutoPipelineForText2Image``.
    Images from it are coloured noise; it exists to run the real loading and sampling code quickly.
    """
    import importlib
    import tempfile

    import torch
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    diffusers: Any = importlib.import_module("diffusers")  # untyped: Any, so mypy lets its classes be called

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as files:
        tokenizer = CLIPTokenizer.from_pretrained(write_tiny_clip_tokenizer_files(files), local_files_only=True)
    torch.manual_seed(seed)
    hidden = 16
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=hidden,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=tokenizer.model_max_length,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            projection_dim=hidden,
        )
    )
    unet = diffusers.UNet2DConditionModel(
        sample_size=sample_size,
        in_channels=4,
        out_channels=4,
        block_out_channels=(8, 16),
        layers_per_block=1,
        norm_num_groups=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=hidden,
        attention_head_dim=4,
    )
    vae = diffusers.AutoencoderKL(
        in_channels=3,
        out_channels=3,
        block_out_channels=(8, 16),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        norm_num_groups=4,
        sample_size=sample_size * 2,
    )
    scheduler = diffusers.EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        timestep_spacing="trailing",
        steps_offset=1,
    )
    pipeline = diffusers.StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(target)
    return target
