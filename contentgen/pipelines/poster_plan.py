"""Poster matrix planning: which posters a run makes (segments × channels × sizes × layouts × products).

The CLI (`contentgen poster`) and the campaign poster deliverable both plan through `plan_posters`, so the order of
the matrix and the size and layout defaults are defined once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from contentgen.errors import NotFoundError

if TYPE_CHECKING:
    from contentgen.domain.brief import Brief
    from contentgen.domain.channel import Channel
    from contentgen.domain.layout import Layout
    from contentgen.domain.product import Product
    from contentgen.domain.segment import Segment
    from contentgen.pipelines.poster import PosterCopy, PosterRequest

DEFAULT_LAYOUTS = ("hero-product",)
"""The layouts a run uses when none is named."""


def plan_posters(
    segments: Sequence[Segment | None],
    channels: Sequence[Channel],
    products: Sequence[Product],
    *,
    layouts: Sequence[str] = DEFAULT_LAYOUTS,
    sizes: Sequence[str] = (),
    available: Mapping[str, Layout] | None = None,
    copy: PosterCopy | None = None,
    brief: Brief | None = None,
    seed: int = 0,
) -> list[PosterRequest]:
    """One request per segment × channel × size × layout × product, in that order.

    `sizes` are size names or WxH picked from each channel (`pick_size`); empty: every poster size of the channel.
    `available` are the poster layouts to choose from (default: the shipped ones); an unknown layout id raises
    `NotFoundError` naming the valid ones.
    """
    from contentgen.pipelines.poster import PosterRequest, pick_size

    if available is None:
        from contentgen.domain.layout import poster_layouts

        available = poster_layouts()
    check_layouts(layouts, available)
    return [
        PosterRequest(
            segment=segment,
            channel=channel,
            size=size,
            layout=available[name],
            product=product,
            copy=copy,
            brief=brief,
            seed=seed,
        )
        for segment in segments
        for channel in channels
        for size in ([pick_size(channel, s) for s in sizes] if sizes else channel.poster_sizes)
        for name in layouts
        for product in products
    ]


def check_layouts(layouts: Sequence[str], available: Mapping[str, Layout]) -> None:
    """Raise `NotFoundError` (naming the valid ids) for the first layout id that is not in `available`."""
    for name in layouts:
        if name not in available:
            raise NotFoundError("layout", name, available)
