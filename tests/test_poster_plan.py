"""Poster matrix planning (`plan_posters`, the pipeline's `batches`) and the catalog's default product."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contentgen.domain import load_channels
from contentgen.domain.layout import poster_layouts
from contentgen.domain.product import Catalog, Product
from contentgen.errors import DataError, NotFoundError
from contentgen.pipelines.poster import batches
from contentgen.pipelines.poster_plan import DEFAULT_LAYOUTS, check_layouts, plan_posters


def product(sku: str, stock: int) -> Product:
    return Product(sku=sku, name=sku, category="tea", price=Decimal("10"), currency="CNY", stock=stock)


def test_default_product_is_the_first_in_stock() -> None:
    catalog = Catalog([product("A", 0), product("B", 3), product("C", 5)])
    assert catalog.default_product().sku == "B"


def test_default_product_falls_back_to_the_first_when_none_is_in_stock() -> None:
    catalog = Catalog([product("A", 0), product("B", 0)])
    assert catalog.default_product().sku == "A"


def test_default_product_of_an_empty_catalog_is_a_one_line_error() -> None:
    with pytest.raises(DataError, match="no products"):
        Catalog([]).default_product()


def test_plan_is_segment_channel_size_layout_product_in_that_order() -> None:
    channels = load_channels()
    picked = [channels["wechat-article"], channels["douyin"]]
    products = [product("A", 1), product("B", 1)]
    plan = plan_posters([None], picked, products, layouts=["hero-product", "type-only"], seed=7)
    expected = [
        (c.id, s.label, lay, p.sku)
        for c in picked
        for s in c.poster_sizes
        for lay in ("hero-product", "type-only")
        for p in products
    ]
    assert [(r.channel.id, r.size.label, r.layout.id, r.product.sku) for r in plan] == expected
    assert len(plan) == (2 + 1) * 2 * 2
    assert {r.seed for r in plan} == {7}


def test_plan_defaults_to_hero_product_at_every_size() -> None:
    channel = load_channels()["wechat-moments"]
    plan = plan_posters([None], [channel], [product("A", 1)])
    assert DEFAULT_LAYOUTS == ("hero-product",)
    assert [(r.size.label, r.layout.id) for r in plan] == [("1080x1080", "hero-product"), ("1080x1920", "hero-product")]


def test_plan_picks_named_sizes_of_each_channel() -> None:
    channel = load_channels()["wechat-moments"]
    plan = plan_posters([None], [channel], [product("A", 1)], sizes=["1080x1920"])
    assert [r.size.label for r in plan] == ["1080x1920"]


def test_unknown_layout_names_the_valid_ones() -> None:
    layouts = poster_layouts()
    with pytest.raises(NotFoundError, match="hero-product"):
        check_layouts(["hero-prodcut"], layouts)
    with pytest.raises(NotFoundError, match="did you mean 'hero-product'"):
        plan_posters([None], [load_channels()["douyin"]], [product("A", 1)], layouts=["hero-prodcut"])


def test_batches_are_consecutive_slices() -> None:
    assert [list(b) for b in batches(list(range(5)), 2)] == [[0, 1], [2, 3], [4]]
    assert list(batches([], 16)) == []
    with pytest.raises(ValueError, match="at least 1"):
        list(batches([1], 0))
