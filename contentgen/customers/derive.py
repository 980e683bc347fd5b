"""RFM segments from customer data: cluster, name the clusters after tiers, write them as Segments.

Only aggregates leave this module. Tiers smaller than `min_size` customers are merged into their nearest tier so
that no statistic describes a handful of people; customer ids stay in memory (`DerivedSegments.tier_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, PrivateAttr

from contentgen.customers.rfm import Cell, CustomerTable, read_customers, scores
from contentgen.customers.tiers import TierDefinition, load_tiers
from contentgen.domain.segment import RfmProfile, RfmStats, Segment, SegmentsFile
from contentgen.errors import ConfigError, DataError
from contentgen.fileio import write_text_atomic

MIN_SIZE = 20
MIN_CLUSTERS = 4  # fewer clusters than tiers lump together customers that marketers treat differently
MAX_CLUSTERS = 8
SILHOUETTE_SAMPLE = 3000


class Tier(BaseModel):
    """One derived tier: its segment (persona + RFM statistics and strategy) and the clusters merged into it."""

    tier: str
    clusters: int
    segment: Segment

    @property
    def rfm(self) -> RfmProfile:
        assert self.segment.rfm is not None
        return self.segment.rfm


class DerivedSegments(BaseModel):
    """What `derive_segments` found: where the data came from, how it was clustered, and the tiers."""

    source: str
    layout: Literal["orders", "customers"]
    columns: dict[str, str]
    as_of: date
    rows: int
    customers: int
    skipped: int
    k: int
    silhouette: float | None
    seed: int
    min_size: int
    merged: dict[str, str]  # tier too small to report → tier it was merged into
    tiers: list[Tier]

    _members: dict[str, str] = PrivateAttr(default_factory=dict)  # customer id → tier; never serialised

    @property
    def segments(self) -> list[Segment]:
        return [t.segment for t in self.tiers]

    def segments_file(self) -> SegmentsFile:
        return SegmentsFile(segments=self.segments)

    def tier_of(self, customer_id: str) -> str:
        """The tier a customer landed in (in memory only: outputs carry no customer ids)."""
        return self._members[customer_id]

    def to_yaml(self) -> str:
        """A segments file that `load_segments` (and a kit's `segments:`) accepts."""
        data = self.segments_file().model_dump(mode="json", exclude_none=True)
        header = (
            f"# RFM segments from `contentgen segments derive` on {Path(self.source).name}, as of {self.as_of}:\n"
            f"# {self.customers} customers in {len(self.tiers)} tiers (k={self.k}, seed={self.seed}).\n"
            f"# Aggregates only: no personal data, and no tier of fewer than {self.min_size} customers.\n"
        )
        return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)

    def write(self, path: Path) -> None:
        write_text_atomic(path, self.to_yaml())


def derive_segments(
    source: Path | str | Iterable[Mapping[str, Cell]],
    *,
    as_of: date | None = None,
    k: int | None = None,
    seed: int = 0,
    min_size: int = MIN_SIZE,
    tiers: Path | str | Sequence[TierDefinition] | None = None,
    currency: str | None = None,
) -> DerivedSegments:
    """RFM tiers with statistics, strategy and a persona each, from an order or customer file (or rows)."""
    if min_size < 1:
        raise ConfigError(f"min_size must be at least 1, got {min_size}")
    definitions = load_tiers(Path(tiers)) if isinstance(tiers, str | Path) else list(tiers or load_tiers())
    table = read_customers(source, as_of=as_of)
    n = len(table)
    if n < min_size:
        raise DataError(
            table.source,
            f"{n} customers are fewer than the minimum tier size of {min_size}",
            hint="statistics of so few people could identify them; derive segments from a larger file",
        )
    score = scores(table)
    labels, k, silhouette = _cluster(_features(table), k, seed, min_size)
    centres = np.array([d.centre.vector() for d in definitions])
    names = [_nearest(score[labels == c].mean(axis=0), centres) for c in range(k)]
    tier_of = np.array([names[c] for c in labels])
    merged = _merge_small(tier_of, score, centres, min_size)
    members = dict(zip(table.ids, (definitions[i].tier for i in tier_of), strict=True))
    result = DerivedSegments(
        source=table.source,
        layout=table.layout,
        columns=table.columns,
        as_of=table.as_of,
        rows=table.rows,
        customers=n,
        skipped=table.skipped,
        k=k,
        silhouette=silhouette,
        seed=seed,
        min_size=min_size,
        merged={definitions[a].tier: definitions[b].tier for a, b in merged.items()},
        tiers=[
            Tier(
                tier=d.tier,
                clusters=sum(1 for c in range(k) if merged.get(names[c], names[c]) == i),
                segment=_segment(d, _stats(table, tier_of == i), table.as_of, currency),
            )
            for i, d in enumerate(definitions)
            if (tier_of == i).any()
        ],
    )
    result._members = members
    return result


def _features(table: CustomerTable) -> npt.NDArray[np.float64]:
    """Standardised log recency, frequency and monetary value: the space the clusters are found in."""
    raw = np.log1p(np.column_stack([table.recency, table.frequency, table.monetary]))
    spread = raw.std(axis=0)
    standard: npt.NDArray[np.float64] = (raw - raw.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    return standard


def _cluster(
    x: npt.NDArray[np.float64], k: int | None, seed: int, min_size: int
) -> tuple[npt.NDArray[np.int_], int, float | None]:
    """K-means labels, the k used and its silhouette; unless given, k is the best by silhouette from 4 to 8."""
    from sklearn.cluster import KMeans  # type: ignore[import-untyped]
    from sklearn.metrics import silhouette_score  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    most = min(len(x) // min_size, len(np.unique(x, axis=0)))
    if k is not None and not 1 <= k <= most:
        raise ConfigError(
            f"k must be between 1 and {most} for {len(x)} customers with at least {min_size} per tier, got {k}"
        )
    candidates = [k] if k is not None else list(range(min(MIN_CLUSTERS, most), min(MAX_CLUSTERS, most) + 1))
    best: tuple[float, npt.NDArray[np.int_], int] | None = None
    # Three features: starting threads costs more than they save, and on a busy machine OpenMP threads that wait
    # on each other made these fits 15 times slower.
    with threadpool_limits(limits=1):
        for count in candidates:
            labels = KMeans(n_clusters=count, n_init=10, random_state=seed).fit_predict(x)
            if count == 1:
                return labels, 1, None
            sample = min(len(x), SILHOUETTE_SAMPLE)
            quality = float(silhouette_score(x, labels, sample_size=sample, random_state=seed))
            if best is None or quality > best[0]:
                best = (quality, labels, count)
    assert best is not None
    quality, labels, count = best
    return labels, count, round(quality, 4)


def _nearest(point: npt.NDArray[np.float64], centres: npt.NDArray[np.float64]) -> int:
    return int(np.argmin(((centres - point) ** 2).sum(axis=1)))


def _merge_small(
    tier_of: npt.NDArray[np.int_], score: npt.NDArray[np.float64], centres: npt.NDArray[np.float64], min_size: int
) -> dict[int, int]:
    """Fold tiers under `min_size` customers into the tier whose definition is nearest; returns small → kept."""
    merged: dict[int, int] = {}
    while True:
        present, sizes = np.unique(tier_of, return_counts=True)
        if len(present) < 2 or sizes.min() >= min_size:
            return merged
        small = int(present[sizes.argmin()])
        others = [int(t) for t in present if t != small]
        mean = score[tier_of == small].mean(axis=0)
        target = others[_nearest(mean, centres[others])]
        tier_of[tier_of == small] = target
        merged = {a: (target if b == small else b) for a, b in merged.items()}
        merged[small] = target


def _stats(table: CustomerTable, mask: npt.NDArray[np.bool_]) -> RfmStats:
    total = float(table.monetary.sum())
    spent = table.monetary[mask]
    return RfmStats(
        customers=int(mask.sum()),
        share=round(float(mask.mean()), 4),
        recency_days_median=round(float(np.median(table.recency[mask])), 1),
        frequency_mean=round(float(table.frequency[mask].mean()), 2),
        monetary_mean=round(float(spent.mean()), 2),
        monetary_median=round(float(np.median(spent)), 2),
        revenue_share=round(float(spent.sum()) / total, 4) if total > 0 else 0.0,
    )


def _segment(definition: TierDefinition, stats: RfmStats, as_of: date, currency: str | None) -> Segment:
    profile = RfmProfile(
        tier=definition.tier, as_of=as_of, currency=currency, stats=stats, strategy=definition.strategy
    )
    return Segment.model_validate({**definition.persona.model_dump(), "rfm": profile})
