"""Embedders: the offline static default (wordllama's shipped weights) and sentence-transformers.

The sentence-transformers provider loads a real model built here: a tiny BertModel with random weights
and a WordPiece tokenizer trained on a few sentences, saved as a sentence-transformers directory
(Transformer + mean Pooling) and loaded through the provider's own loading code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from contentgen.errors import ConfigError, ProviderError
from contentgen.providers import Embedder, create
from contentgen.providers.embed.static import StaticEmbedder
from contentgen.testing.conformance import EmbedderTests

CORPUS = [
    "green tea with jasmine",
    "jasmine green tea",
    "stainless steel kettle",
    "cold brew oolong, smooth and sweet",
    "保湿面霜，温和配方，敏感肌也能放心用",
    "清爽不油腻的防晒霜 sunscreen SPF 50",
    "乌龙茶和冷萃咖啡",
]


@pytest.fixture(scope="module")
def static() -> StaticEmbedder:
    return StaticEmbedder()


class TestStatic(EmbedderTests):
    provider_name = "static"

    @pytest.fixture
    def provider(self, static: StaticEmbedder) -> Embedder:
        return static


def test_static_related_texts_are_closer(static: StaticEmbedder) -> None:
    a, b, c = static.embed(EmbedderTests.related)
    assert float(a @ b) > float(a @ c) + 0.3


def test_static_dim_option_keeps_leading_dimensions(static: StaticEmbedder) -> None:
    full = static.embed(["matcha whisk"])[0]
    short = StaticEmbedder({"dim": 64}).embed(["matcha whisk"])[0]
    assert short.shape == (64,)
    np.testing.assert_allclose(short, full[:64] / np.linalg.norm(full[:64]), atol=1e-5)
    assert StaticEmbedder({"dim": 64}).model != StaticEmbedder().model


def test_static_rejects_a_dimension_it_does_not_have() -> None:
    with pytest.raises(ConfigError, match="dim"):
        StaticEmbedder({"dim": 100})


def build_tiny_sentence_transformer(directory: Path) -> Path:
    """A BertModel (2 layers, width 32, random weights) with a locally trained WordPiece, as an ST directory."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece
    from tokenizers.trainers import WordPieceTrainer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, handle_chinese_chars=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(
        CORPUS, WordPieceTrainer(vocab_size=200, special_tokens=specials, show_progress=False)
    )
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    fast = BertTokenizerFast(tokenizer_object=tokenizer, model_max_length=64)
    config = BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
    )
    import torch

    torch.manual_seed(0)
    bert_dir = directory / "bert"
    BertModel(config).save_pretrained(bert_dir)
    fast.save_pretrained(bert_dir)
    transformer = Transformer(str(bert_dir), max_seq_length=64)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    target = directory / "tiny-st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(target))
    return target


@pytest.fixture(scope="module")
def tiny_st(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("sentence_transformers")
    return build_tiny_sentence_transformer(tmp_path_factory.mktemp("st"))


@pytest.fixture(scope="module")
def st_provider(tiny_st: Path) -> Embedder:
    provider = create("embed", "sentence-transformers", {"model": str(tiny_st), "device": "cpu", "batch_size": 2})
    assert isinstance(provider, Embedder)
    return provider


@pytest.mark.slow
class TestSentenceTransformers(EmbedderTests):
    provider_name = "sentence-transformers"

    @pytest.fixture
    def provider(self, st_provider: Embedder) -> Embedder:
        return st_provider


@pytest.mark.slow
def test_sentence_transformers_matches_the_model_it_loads(tiny_st: Path, st_provider: Embedder) -> None:
    from sentence_transformers import SentenceTransformer

    assert st_provider.model == str(tiny_st)
    ours = st_provider.embed(CORPUS)
    reference = SentenceTransformer(str(tiny_st), device="cpu").encode(CORPUS, normalize_embeddings=True)
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert ours.shape == (len(CORPUS), 32)


def test_sentence_transformers_missing_directory_is_one_line(tmp_path: Path) -> None:
    provider = create("embed", "sentence-transformers", {"model": str(tmp_path / "nope")})
    assert isinstance(provider, Embedder)
    with pytest.raises(ProviderError, match="does not exist") as err:
        provider.embed(["x"])
    assert "\n" not in str(err.value) and str(tmp_path / "nope") in str(err.value)


def test_sentence_transformers_needs_a_model() -> None:
    with pytest.raises(ConfigError, match="model"):
        create("embed", "sentence-transformers", {})
