"""Chroma glue: the client (embedded or a server), collection names, and the named embedding function.

A collection created with an unnamed embedding function silently falls back to Chroma's default (an ONNX
model downloaded at first use) when reopened. Ours is registered under the name ``contentgen`` and its
config records the provider and model, so the collection says which embedder made its vectors, and a
collection reopened with another embedder is refused (`check_embedder`). Importing this module imports
chromadb: import it lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from contentgen.errors import ConfigError
from contentgen.providers.support import one_line

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from contentgen.providers.base import Embedder

__all__ = ["EMBEDDING_FUNCTION", "ContentgenEmbeddingFunction", "check_embedder", "collection_name", "connect"]

EMBEDDING_FUNCTION = "contentgen"
SPACE: Space = "cosine"


@register_embedding_function
class ContentgenEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of a contentgen Embedder; rebuilt from its config through the provider registry."""

    def __init__(self, embedder: Embedder | None = None, *, config: dict[str, Any] | None = None) -> None:
        if embedder is None and config is None:
            raise ValueError("give an embedder or a config")
        self._embedder = embedder
        self._config = config if config is not None else describe(cast("Embedder", embedder))

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from contentgen.providers.base import Embedder
            from contentgen.providers.registry import create

            built = create("embed", self._config["provider"], self._config.get("options") or {})
            assert isinstance(built, Embedder)
            self._embedder = built
        return self._embedder

    @staticmethod
    def name() -> str:
        return EMBEDDING_FUNCTION

    def get_config(self) -> dict[str, Any]:
        return dict(self._config)

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ContentgenEmbeddingFunction:
        return ContentgenEmbeddingFunction(config=config)

    def default_space(self) -> Space:
        return SPACE

    def supported_spaces(self) -> list[Space]:
        return [SPACE]


def describe(embedder: Embedder) -> dict[str, Any]:
    """What the collection records about its embedder: provider name, model, and the options that shape vectors."""
    info = embedder.info()
    return {"provider": info.name, "model": info.model or "", "options": info.options}


def check_embedder(collection: Collection, embedder: Embedder, kit: str) -> None:
    """Refuse a collection whose vectors came from another embedder than `embedder` (one-line ConfigError)."""
    persisted = (collection.configuration_json or {}).get("embedding_function") or {}
    config = persisted.get("config") or {}
    if persisted.get("name") != EMBEDDING_FUNCTION or "provider" not in config:
        raise ConfigError(
            f"Chroma collection '{collection.name}' was not written by contentgen (its embedding function is "
            f"'{persisted.get('name', 'unnamed')}'); re-ingest with `contentgen catalog ingest --kit {kit} --rebuild`"
        )
    mine = describe(embedder)
    if (config["provider"], config.get("model", "")) != (mine["provider"], mine["model"]):
        raise ConfigError(
            f"the catalog of kit '{kit}' was embedded with '{config['provider']}' ({config.get('model') or 'no model'})"
            f" but the embedder now is '{mine['provider']}' ({mine['model'] or 'no model'}); re-ingest with "
            f"`contentgen catalog ingest --kit {kit} --rebuild`, or pick the same embedder "
            f"(CONTENTGEN_EMBED__NAME={config['provider']})"
        )


def collection_name(kit: str, kind: str) -> str:
    """'contentgen.<kit>.products' / '.policies': valid Chroma names, and clear beside other apps' collections."""
    return f"contentgen.{kit}.{kind}"


def connect(url: str | None, path: Path) -> tuple[ClientAPI, str]:
    """A client for the Chroma server at `url`, else an embedded one persisting under `path`; and where it is."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if url is None:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings), str(path)
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ConfigError(f"--chroma-url '{url}' is not an http(s) URL; give one like http://127.0.0.1:8000")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings)
        client.heartbeat()
    except Exception as err:
        raise ConfigError(
            f"cannot reach the Chroma server at {url} ({one_line(err, 120)}); start one with "
            "`chroma run --path DIR --host 127.0.0.1 --port PORT`, or leave out --chroma-url for the embedded store"
        ) from None
    return client, url
