"""The catalog store: a kit's products and policies in Chroma, upserted by SKU, searched hybrid.

Ingest validates the catalog (row numbers in every error) and upserts it by SKU. Each product is embedded
from one text (name, category, tags, attributes, selling points, description) and stored with metadata:
price, stock and category for filters, the full record as JSON, and a content hash. New SKUs are added,
changed ones updated (re-embedded only when their text changed: a price or stock change is a metadata
update), SKUs gone from the file removed, unchanged ones left alone. Policies are cut at headings into a
second collection.

Search fuses three legs by weighted reciprocal rank (`SearchTuning`): dense (Chroma, cosine), keyword (BM25
over jieba words and bigrams) and, for Chinese questions, character 2- and 3-grams (BM25); both BM25 indexes are
built from the stored records and cached per catalog revision in memory and under ``<home>/keyword``. The
question is normalised first (`normalize_query`: NFKC, traditional → simplified, unit words). Filters parsed from the
question restrict both legs: as a `where` clause in Chroma, and as a mask over the same fields in the
keyword index. Chroma's filtered queries are slow on large collections (a metadata scan), so the dense
leg first takes the unfiltered nearest neighbours and keeps those the filters allow; only when that
leaves too few does it ask Chroma with the `where` clause.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contentgen.catalog.filters import filters_mask, parse_filters, where_clause
from contentgen.catalog.keyword import KeywordIndex, char_ngrams, content_text, has_han, normalize_query, tokenize
from contentgen.catalog.records import (
    chunk_policy,
    content_hash,
    digest,
    keyword_fields,
    product_document,
    product_metadata,
    same_text,
)
from contentgen.catalog.types import (
    Changes,
    Filters,
    Hit,
    IngestReport,
    NotIngestedError,
    PolicyPassage,
    Retriever,
    SearchResult,
)
from contentgen.domain.brand import BrandKit
from contentgen.domain.product import Catalog, Product
from contentgen.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from contentgen.config import Settings
    from contentgen.providers.base import Embedder

__all__ = ["CatalogStore", "Progress", "SearchTuning", "open_catalog"]

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as ingest goes; stages are 'products' and 'policies'."""

RRF_K = 60  # the usual reciprocal-rank-fusion constant: rank r contributes 1 / (RRF_K + r)
CANDIDATES = 50  # per leg, at least; more when k is large
DENSE_OVERFETCH = 4  # unfiltered neighbours fetched per candidate before falling back to a `where` query
POLICY_PASSAGES = 3
POLICY_MIN_SHARE = 0.5  # a policy passage must hold at least this share of the question's search terms
INDEX_FORMAT = 3  # bump when the keyword tokenisation changes, so cached indexes are rebuilt
PRODUCTS, POLICIES = "products", "policies"


@dataclass(frozen=True)
class SearchTuning:
    """How product search fuses its legs: weighted reciprocal rank, rank r of a leg adding weight / (RRF_K + r).

    Three legs: dense (Chroma), words (BM25 over jieba words and bigrams) and grams (BM25 over character 2- and
    3-grams). The defaults were tuned on the dev set of `bench/bench_search_quality.py` (Chinese shopper
    queries against marketplace-style titles); `normalize` reads the question through `normalize_query`
    (NFKC, traditional → simplified, unit words). `SearchTuning(1, 1, 0, normalize=False)` is the search as
    it was before the grams leg.
    """

    dense: float = 1.0
    words: float = 1.0
    grams: float = 1.5
    normalize: bool = True


def similarity(distance: float) -> float:
    """The one place distances become scores: Chroma's cosine distance (1 − cos) → cos clipped to [0, 1]."""
    return min(1.0, max(0.0, 1.0 - float(distance)))


@dataclass
class _ProductIndex:
    """Per-revision, in-memory view of the products: row ↔ SKU, filter fields, and the BM25 index."""

    revision: str
    ids: list[str]
    price: np.ndarray
    stock: np.ndarray
    category: np.ndarray
    keyword: KeywordIndex
    grams: KeywordIndex

    def __post_init__(self) -> None:
        self.row = {sku: i for i, sku in enumerate(self.ids)}
        self.categories = sorted({str(c) for c in self.category.tolist()})
        self.records: dict[str, Product] = {}  # fetched once per revision: a revision's records never change


@dataclass
class _PolicyIndex:
    revision: str
    ids: list[str]
    policy: list[str]
    heading: list[str]
    text: list[str]
    keyword: KeywordIndex

    def __post_init__(self) -> None:
        self.row = {chunk: i for i, chunk in enumerate(self.ids)}


class CatalogStore:
    """One kit's catalog in Chroma; implements the agent's Retriever protocol (search, get, policies, info)."""

    def __init__(
        self,
        kit: BrandKit,
        client: ClientAPI,
        embedder: Embedder,
        *,
        location: str,
        cache_dir: Path | None = None,
        tuning: SearchTuning | None = None,
        fresh_s: float = 0.0,
    ) -> None:
        from contentgen.catalog.chroma import ContentgenEmbeddingFunction

        self.kit = kit
        self.client = client
        self.embedder = embedder
        self.location = location
        self.cache_dir = cache_dir
        self.tuning = tuning or SearchTuning()
        self._function = ContentgenEmbeddingFunction(embedder)
        self._lock = threading.RLock()
        self._products: _ProductIndex | None = None
        self._policies: _PolicyIndex | None = None
        # `fresh_s` > 0: a collection's revision is read again only after that many seconds (a long-running server
        # sees another process's ingest that much later, and saves a round trip to Chroma per search and lookup).
        self.fresh_s = fresh_s
        self._seen: dict[str, tuple[float, Collection, str]] = {}

    def __repr__(self) -> str:
        return f"CatalogStore(kit={self.kit.id!r}, location={self.location!r})"

    # ---- ingest ----------------------------------------------------------------------------------

    def ingest(
        self,
        source: Catalog | Path | None = None,
        *,
        policies: Mapping[str, str] | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Upsert a catalog (default: the kit's own) and the kit's policies; returns what changed."""
        from contentgen.domain.catalog_io import load_catalog
        from contentgen.domain.loaders import kit_currency, load_kit_catalog, load_policies

        started = time.perf_counter()
        if source is None:
            catalog = load_kit_catalog(self.kit)
        elif isinstance(source, Path):
            currency, currency_source = kit_currency(self.kit)
            catalog = load_catalog(source, currency=currency, currency_source=currency_source)
        else:
            catalog = source
        texts = load_policies(self.kit) if policies is None else dict(policies)
        origin = str(catalog.source) if catalog.source else "(in memory)"
        with self._lock:
            if rebuild:
                for kind in (PRODUCTS, POLICIES):
                    self._drop(kind)
            products = self._collection(PRODUCTS, create=True)
            documents = [product_document(p) for p in catalog]
            product_metas = [product_metadata(p, d) for p, d in zip(catalog, documents, strict=True)]
            product_ids = [p.sku for p in catalog]
            product_changes = self._sync(
                products, product_ids, documents, product_metas, PRODUCTS, progress, keep_documents=False
            )
            chunks = [c for name, text in texts.items() for c in chunk_policy(name, text)]
            policy_collection = self._collection(POLICIES, create=True)
            policy_metas = [
                {
                    "policy": c.policy,
                    "heading": c.heading,
                    "order": i,
                    "text": c.text,
                    "hash": content_hash(f"{i}\n{c.heading}\n{c.text}", c.document),
                }
                for i, c in enumerate(chunks)
            ]
            policy_ids = [c.id for c in chunks]
            policy_changes = self._sync(
                policy_collection, policy_ids, [c.document for c in chunks], policy_metas, POLICIES, progress
            )
            stamp = {
                "kit": self.kit.id,
                "locale": self.kit.locale,
                "source": origin,
                "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "embedder": self.embedder.name,
                "embedder_model": self.embedder.model or "",
            }
            _stamp(
                products,
                product_changes,
                {
                    **stamp,
                    "revision": _revision(product_ids, product_metas),
                    "products": len(product_ids),
                    "categories": json.dumps(catalog.categories, ensure_ascii=False),
                },
            )
            _stamp(
                policy_collection,
                policy_changes,
                {**stamp, "revision": _revision(policy_ids, policy_metas), "policies": json.dumps(sorted(texts))},
            )
            self._products = self._policies = None
            self._seen.clear()
        return IngestReport(
            kit=self.kit.id,
            source=origin,
            products=product_changes,
            policies=policy_changes,
            seconds=time.perf_counter() - started,
            location=self.location,
        )

    def _sync(
        self,
        collection: Collection,
        ids: Sequence[str],
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        stage: str,
        progress: Progress | None,
        *,
        keep_documents: bool = True,
    ) -> Changes:
        """Make the collection hold exactly these records, embedding only new or re-worded ones.

        `documents` are the texts to embed; Chroma keeps them only with `keep_documents` (products keep their
        full record in metadata instead, which is cheaper to write than a full-text-indexed document).
        """
        existing = {record_id: meta.get("hash") for record_id, meta, _ in _records(collection)}
        added = [i for i, record_id in enumerate(ids) if record_id not in existing]
        changed = [i for i, r in enumerate(ids) if r in existing and existing[r] != metadatas[i]["hash"]]
        reworded = [i for i in changed if not same_text(existing[ids[i]], metadatas[i]["hash"])]
        retagged = sorted(set(changed) - set(reworded))
        wanted = set(ids)
        removed = [record_id for record_id in existing if record_id not in wanted]
        if added or changed or removed:
            # Until the final stamp, caches must not trust the old revision: an interrupted ingest leaves this.
            collection.modify(metadata={**(collection.metadata or {}), "revision": f"partial-{secrets.token_hex(8)}"})
        batch = self.client.get_max_batch_size()
        to_embed = added + reworded
        total = len(to_embed)
        if progress:
            progress(stage, 0, total)
        for start in range(0, total, batch):
            rows = to_embed[start : start + batch]
            collection.upsert(
                ids=[ids[i] for i in rows],
                embeddings=self.embedder.embed([documents[i] for i in rows]),
                documents=[documents[i] for i in rows] if keep_documents else None,
                metadatas=[metadatas[i] for i in rows],
            )
            if progress:
                progress(stage, start + len(rows), total)
        for start in range(0, len(retagged), batch):
            rows = retagged[start : start + batch]
            collection.update(
                ids=[ids[i] for i in rows],
                documents=[documents[i] for i in rows] if keep_documents else None,
                metadatas=[metadatas[i] for i in rows],
            )
        for start in range(0, len(removed), batch):
            collection.delete(ids=removed[start : start + batch])
        return Changes(
            added=[ids[i] for i in added],
            updated=[ids[i] for i in sorted(changed)],
            removed=removed,
            unchanged=len(ids) - len(added) - len(changed),
            embedded=total,
        )

    # ---- collections -----------------------------------------------------------------------------

    def _collection(self, kind: str, *, create: bool = False) -> Collection:
        from chromadb.errors import NotFoundError as ChromaNotFound

        from contentgen.catalog.chroma import SPACE, check_embedder, collection_name

        name = collection_name(self.kit.id, kind)
        try:
            collection = self.client.get_collection(name, embedding_function=self._function)  # type: ignore[arg-type]
        except ChromaNotFound:
            if not create:
                raise self._not_ingested() from None
            collection = self.client.create_collection(
                name,
                embedding_function=self._function,  # type: ignore[arg-type]
                # One build thread: a multi-threaded HNSW build can order near-ties differently run to run.
                configuration={"hnsw": {"space": SPACE, "num_threads": 1}},
                metadata={"kit": self.kit.id},
            )
        except ValueError as err:  # Chroma refuses a collection persisted with another embedding function
            raise ConfigError(
                f"Chroma collection '{name}': {err}; re-ingest with "
                f"`contentgen catalog ingest --kit {self.kit.id} --rebuild`"
            ) from None
        check_embedder(collection, self.embedder, self.kit.id)
        return collection

    def _drop(self, kind: str) -> None:
        from chromadb.errors import NotFoundError as ChromaNotFound

        from contentgen.catalog.chroma import collection_name

        self._seen.pop(kind, None)
        with contextlib.suppress(ChromaNotFound):
            self.client.delete_collection(collection_name(self.kit.id, kind))

    def _not_ingested(self) -> NotIngestedError:
        server = f" --chroma-url {self.location}" if self.location.startswith(("http://", "https://")) else ""
        return NotIngestedError(
            f"the catalog of kit '{self.kit.id}' is not ingested in {self.location}; "
            f"run `contentgen catalog ingest --kit {self.kit.id}{server}` first"
        )

    def _revision(self, kind: str) -> tuple[Collection, str]:
        """The collection and its revision stamp (what caches are keyed by), read fresh (another process may
        ingest), or at most `fresh_s` seconds old."""
        seen = self._seen.get(kind)
        if seen is not None and time.monotonic() - seen[0] < self.fresh_s:
            return seen[1], seen[2]
        collection = self._collection(kind)
        revision = (collection.metadata or {}).get("revision")
        if not isinstance(revision, str):
            raise self._not_ingested()  # created, but an ingest never finished
        if self.fresh_s > 0:
            self._seen[kind] = (time.monotonic(), collection, revision)
        return collection, revision

    # ---- indexes ---------------------------------------------------------------------------------

    def _product_index(self) -> tuple[Collection, _ProductIndex]:
        collection, revision = self._revision(PRODUCTS)
        with self._lock:
            if self._products is None or self._products.revision != revision:
                self._products = self._load_product_index(collection, revision)
            return collection, self._products

    def _load_product_index(self, collection: Collection, revision: str) -> _ProductIndex:
        import numpy as np

        cache = self._cache_file(collection.name, revision)
        if cache is not None and cache.is_file():
            try:
                with np.load(cache, allow_pickle=False) as data:
                    return _ProductIndex(
                        revision,
                        data["ids"].tolist(),
                        data["price"],
                        data["stock"],
                        data["category"],
                        KeywordIndex.from_arrays(data),
                        KeywordIndex.from_arrays(data, prefix="grams_"),
                    )
            except (OSError, KeyError, ValueError):
                pass  # a damaged or old cache is rebuilt below
        ids: list[str] = []
        price: list[float] = []
        stock: list[int] = []
        category: list[str] = []
        terms: list[list[str]] = []
        grams: list[list[str]] = []
        for record_id, meta, _ in _records(collection):
            ids.append(record_id)
            price.append(float(meta["price"]))
            stock.append(int(meta["stock"]))
            category.append(str(meta["category"]))
            product = Product.model_validate_json(str(meta["record"]))
            fields = keyword_fields(product)
            terms.append([term for text in fields for term in tokenize(text)])
            grams.append([gram for text in fields for gram in char_ngrams(text)])
        index = _ProductIndex(
            revision,
            ids,
            np.asarray(price, dtype=np.float64),
            np.asarray(stock, dtype=np.int64),
            np.asarray(category, dtype=str),
            KeywordIndex.build(terms),
            KeywordIndex.build(grams),
        )
        if cache is not None and not revision.startswith("partial-"):
            self._save_cache(cache, collection.name, index)
        return index

    def _cache_file(self, collection: str, revision: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{collection}-{revision}-v{INDEX_FORMAT}.npz"

    def _save_cache(self, cache: Path, collection: str, index: _ProductIndex) -> None:
        import numpy as np

        from contentgen.fileio import atomic_path

        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob(f"{collection}-*.npz"):
            old.unlink(missing_ok=True)  # earlier revisions of this catalog
        arrays: dict[str, Any] = {
            "ids": np.asarray(index.ids, dtype=str),
            "price": index.price,
            "stock": index.stock,
            "category": index.category,
            **index.keyword.arrays(),
            **index.grams.arrays(prefix="grams_"),
        }
        with atomic_path(cache) as tmp, tmp.open("wb") as handle:
            np.savez(handle, **arrays)

    def _policy_index(self) -> tuple[Collection, _PolicyIndex]:
        collection, revision = self._revision(POLICIES)
        with self._lock:
            if self._policies is None or self._policies.revision != revision:
                rows = sorted(_records(collection, documents=True), key=lambda row: int(row[1].get("order", 0)))
                self._policies = _PolicyIndex(
                    revision,
                    [r[0] for r in rows],
                    [str(r[1].get("policy", "")) for r in rows],
                    [str(r[1].get("heading", "")) for r in rows],
                    [str(r[1].get("text", "")) for r in rows],
                    KeywordIndex.build(tokenize(r[2]) for r in rows),
                )
            return collection, self._policies

    # ---- Retriever -------------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, *, filters: Filters | None = None) -> SearchResult:
        """Products for a question, best first, and the policy passages it touches.

        With `filters` None they are parsed from the question (and their phrases left out of the search);
        given filters are used as they are and the query is searched whole.
        """
        if k < 1:
            raise ConfigError(f"k must be at least 1, not {k}")
        collection, index = self._product_index()
        tuning = self.tuning
        read = normalize_query(query) if tuning.normalize else query
        if filters is None:
            filters, text = parse_filters(read, index.categories, self.kit.locale)
        else:
            text = read
        terms = tokenize(text)
        grams: list[str] = []
        mask = filters_mask(filters, index.price, index.stock, index.category)
        candidates = max(CANDIDATES, 3 * k)
        vector = self._query_vector(text) if terms else None
        if terms:
            keyword = index.keyword.top(terms, candidates, mask)
            dense = self._dense(collection, index, vector, candidates, k, filters, mask)
            legs: list[tuple[float, list[int]]] = [
                (tuning.dense, [r for r, _ in dense]),
                (tuning.words, [r for r, _, _ in keyword]),
            ]
            grams = char_ngrams(text) if tuning.grams > 0 and has_han(text) else []
            if grams:  # for a question without Chinese the grams are its words again: no second vote
                legs.append((tuning.grams, [r for r, _, _ in index.grams.top(grams, candidates, mask)]))
            scores = _weighted_scores(legs)
            rows = sorted(scores, key=lambda r: (-scores[r], r))[:k]
            dense_at = {row: (rank, sim) for rank, (row, sim) in enumerate(dense, start=1)}
            keyword_at = {row: (rank, cov) for rank, (row, _, cov) in enumerate(keyword, start=1)}
        elif filters:
            rows = [int(r) for r in (mask.nonzero()[0] if mask is not None else range(len(index.ids)))][:k]
            dense_at, keyword_at = {}, {}
        else:
            rows, dense_at, keyword_at = [], {}, {}
        products = self._fetch(collection, index, [index.ids[r] for r in rows])
        best = (tuning.dense + tuning.words + (tuning.grams if grams else 0.0)) / (RRF_K + 1)
        hits = []
        for row in rows:
            d_rank, d_sim = dense_at.get(row, (None, None))
            k_rank, k_cov = keyword_at.get(row, (None, None))
            hits.append(
                Hit(
                    product=products[index.ids[row]],
                    score=round(scores[row] / best, 6) if terms else 0.0,
                    dense_rank=d_rank,
                    keyword_rank=k_rank,
                    dense_score=d_sim,
                    keyword_score=k_cov,
                )
            )
        bar = max((h.keyword_score or 0.0 for h in hits), default=0.0)
        return SearchResult(query, filters, hits, self._search_policies(vector, terms, bar), searched=text)

    def _query_vector(self, text: str) -> np.ndarray | None:
        """The question embedded without its small talk; None when nothing is left to embed."""
        query = content_text(text)
        if not query.strip():
            return None
        vector = self.embedder.embed([query])
        return vector if vector.any() else None  # a zero vector (no known token) has no direction

    def _dense(
        self,
        collection: Collection,
        index: _ProductIndex,
        vector: np.ndarray | None,
        n: int,
        k: int,
        filters: Filters,
        mask: np.ndarray | None,
    ) -> list[tuple[int, float]]:
        """(row, similarity) of the nearest products the filters allow, best first."""
        if vector is None:
            return []
        size = len(index.ids)
        fetch = min(size, n if mask is None else n * DENSE_OVERFETCH)
        found = _neighbours(collection.query(query_embeddings=vector, n_results=fetch, include=["distances"]))
        rows = [(index.row[i], d) for i, d in found if i in index.row]
        if mask is not None:
            allowed = int(mask.sum())
            rows = [(r, d) for r, d in rows if mask[r]]
            if len(rows) < min(k, allowed):
                found = _neighbours(
                    collection.query(
                        query_embeddings=vector,
                        n_results=min(n, allowed),
                        where=where_clause(filters),
                        include=["distances"],
                    )
                )
                rows = [(index.row[i], d) for i, d in found if i in index.row and mask[index.row[i]]]
        return [(r, similarity(d)) for r, d in rows[:n]]

    def _fetch(self, collection: Collection, index: _ProductIndex, ids: Sequence[str]) -> dict[str, Product]:
        missing = [i for i in ids if i not in index.records]
        if missing:
            page = collection.get(ids=missing, include=["metadatas"])
            metas = page["metadatas"] or []
            for record_id, meta in zip(page["ids"], metas, strict=True):
                index.records[record_id] = Product.model_validate_json(str((meta or {})["record"]))
        return {i: index.records[i] for i in ids if i in index.records}

    def _search_policies(self, vector: np.ndarray | None, terms: Sequence[str], bar: float) -> list[PolicyPassage]:
        """Passages that match the question's terms better than any product does (`bar`: the products' best share).

        A product question ("200元以内的面霜") then brings no policy text, a policy question ("怎么退货", "can I
        return opened tea") does; the dense leg only orders the passages that qualify.
        """
        if not terms:
            return []
        try:
            collection, index = self._policy_index()
        except NotIngestedError:
            return []
        if not index.ids:
            return []
        keyword = index.keyword.top(terms, len(index.ids))
        qualified = {row for row, _, share in keyword if share >= POLICY_MIN_SHARE and share > bar}
        if not qualified:
            return []  # the dense leg only orders passages that qualify: no round trip to Chroma for none
        dense: list[int] = []
        if vector is not None:
            found = _neighbours(
                collection.query(query_embeddings=vector, n_results=len(index.ids), include=["distances"])
            )
            dense = [index.row[i] for i, _ in found if i in index.row]
        scores = _fusion_scores(dense, [r for r, _, _ in keyword])
        rows = [r for r in sorted(scores, key=lambda r: (-scores[r], r)) if r in qualified]
        best = 2 / (RRF_K + 1)
        return [
            PolicyPassage(index.policy[r], index.text[r].strip(), round(scores[r] / best, 6), index.heading[r])
            for r in rows[:POLICY_PASSAGES]
        ]

    def get(self, sku: str) -> Product:
        """The product with this SKU, as last ingested."""
        collection, index = self._product_index()
        if sku not in index.row:
            raise NotFoundError("SKU", sku, index.ids)
        return self._fetch(collection, index, [sku])[sku]

    def policies(self) -> dict[str, str]:
        """Policy name → its full Markdown text, as last ingested."""
        _, index = self._policy_index()
        texts: dict[str, str] = {}
        for name, text in zip(index.policy, index.text, strict=True):
            texts[name] = texts.get(name, "") + text
        return texts

    def info(self) -> dict[str, Any]:
        """Where the catalog lives and what it holds: counts, categories, revision, embedder, source."""
        collection, index = self._product_index()
        meta = dict(collection.metadata or {})
        try:
            policies = sorted(self.policies())
        except NotIngestedError:
            policies = []
        return {
            "kit": self.kit.id,
            "locale": self.kit.locale,
            "location": self.location,
            "collection": collection.name,
            "products": len(index.ids),
            "in_stock": int((index.stock > 0).sum()),
            "categories": index.categories,
            "policies": policies,
            "revision": index.revision,
            "embedder": meta.get("embedder"),
            "embedder_model": meta.get("embedder_model"),
            "source": meta.get("source"),
            "ingested_at": meta.get("ingested_at"),
        }

    @property
    def categories(self) -> list[str]:
        return self._product_index()[1].categories

    def close(self) -> None:
        """Drop the cached indexes (the Chroma client needs no closing)."""
        with self._lock:
            self._products = self._policies = None
            self._seen.clear()


def _fusion_scores(*legs: Sequence[int]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for leg in legs:
        for rank, row in enumerate(leg, start=1):
            scores[row] = scores.get(row, 0.0) + 1 / (RRF_K + rank)
    return scores


def _weighted_scores(legs: Sequence[tuple[float, Sequence[int]]]) -> dict[int, float]:
    """Weighted reciprocal rank fusion: each leg adds weight / (RRF_K + rank) to the rows it ranks."""
    scores: dict[int, float] = {}
    for weight, leg in legs:
        if weight <= 0:
            continue
        for rank, row in enumerate(leg, start=1):
            scores[row] = scores.get(row, 0.0) + weight / (RRF_K + rank)
    return scores


def _neighbours(result: Any) -> list[tuple[str, float]]:
    ids = (result.get("ids") or [[]])[0]
    distances = (result.get("distances") or [[]])[0]
    return list(zip(ids, distances, strict=True))


def _records(collection: Collection, *, documents: bool = False) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Every record of a collection as (id, metadata, document), fetched a page at a time."""
    step = 5000
    for offset in range(0, collection.count(), step):
        page = collection.get(
            include=["metadatas", "documents"] if documents else ["metadatas"], limit=step, offset=offset
        )
        metas = page["metadatas"] or [{}] * len(page["ids"])
        texts = page["documents"] or [""] * len(page["ids"])
        for record_id, meta, text in zip(page["ids"], metas, texts, strict=True):
            yield record_id, dict(meta or {}), text or ""


def _stamp(collection: Collection, changes: Changes, metadata: dict[str, Any]) -> None:
    """Record the revision and provenance, unless nothing changed (then the collection is left as it was)."""
    if changes.changed or (collection.metadata or {}).get("revision") != metadata["revision"]:
        collection.modify(metadata=metadata)


def _revision(ids: Sequence[str], metadatas: Sequence[Mapping[str, Any]]) -> str:
    """A stamp of a collection's content: the same records give the same stamp, in any order, in any process."""
    return digest("\n".join(sorted(f"{i}\t{m['hash']}" for i, m in zip(ids, metadatas, strict=True))))


def open_catalog(
    kit: BrandKit | str,
    *,
    chroma_url: str | None = None,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    fresh_s: float = 0.0,
) -> CatalogStore:
    """The catalog store of a kit: embedded Chroma under `<home>/chroma`, or the Chroma server at `chroma_url`;
    `fresh_s` as in `CatalogStore` (0: every search reads the catalog's revision)."""
    from contentgen.catalog.chroma import connect
    from contentgen.config import load_settings
    from contentgen.domain.loaders import load_brand_kit
    from contentgen.providers.base import Embedder
    from contentgen.providers.registry import from_settings

    settings = settings or load_settings()
    brand = kit if isinstance(kit, BrandKit) else load_brand_kit(kit, extra=settings.kits_path)
    if embedder is None:
        built = from_settings("embed", settings)
        assert isinstance(built, Embedder)
        embedder = built
    client, location = connect(chroma_url, settings.home / "chroma")
    return CatalogStore(
        brand, client, embedder, location=location, cache_dir=settings.home / "keyword", fresh_s=fresh_s
    )


def _is_a_retriever(store: CatalogStore) -> Retriever:
    """Never called: mypy checks here that CatalogStore implements the agent's Retriever protocol."""
    return store
