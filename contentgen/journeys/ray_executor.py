"""Buckets on Ray (an extra: pip install 'contentgen[ray]'): the same bucket functions as the local executor, one
Ray task per bucket; each task writes its own part file atomically, the driver merges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from contentgen.errors import MissingExtraError

if TYPE_CHECKING:
    from contentgen.journeys.runner import RunSpec


def ray_map(
    fn: Callable[[RunSpec, int], dict[str, Any]],
    spec: RunSpec,
    buckets: Sequence[int],
    workers: int,
    address: str | None,
) -> list[dict[str, Any]]:
    try:
        import ray
    except ImportError:
        raise MissingExtraError("ray", "ray", "--executor ray") from None
    if not ray.is_initialized():
        if address:
            ray.init(address=address, ignore_reinit_error=True)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, ignore_reinit_error=True)
    remote = ray.remote(fn)
    return list(ray.get([remote.remote(spec, b) for b in buckets]))
