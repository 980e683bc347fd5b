"""Retrieval over the shipped catalogs: real questions, expectations read from the catalog files themselves.

Both shipped kits are ingested once (module fixture) into a home of their own; every expectation below is
derived from the products as the catalog file holds them (category, price, stock, attributes), never from
what the search returned before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli

from contentgen.catalog.filters import filters_mask, parse_filters, where_clause
from contentgen.catalog.keyword import tokenize
from contentgen.catalog.store import CatalogStore, open_catalog
from contentgen.catalog.types import Filters, NotIngestedError
from contentgen.config import Settings, load_settings
from contentgen.domain import load_brand_kit
from contentgen.domain.loaders import load_kit_catalog
from contentgen.domain.product import Catalog, Product
from contentgen.errors import NotFoundError

ZH_CATEGORIES = ["化妆水", "唇部护理", "套装", "洁面", "精华", "身体护理", "防晒", "面膜", "面霜"]
EN_CATEGORIES = ["Black Tea", "Cold Brew", "Gift Sets", "Green Tea", "Herbal Blends", "Matcha", "Oolong", "Snacks"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("catalog-home")


@pytest.fixture(scope="module")
def settings(home: Path) -> Settings:
    return load_settings(home=home)


@pytest.fixture(scope="module")
def stores(settings: Settings) -> dict[str, CatalogStore]:
    """Both shipped kits, ingested once for the module."""
    opened = {}
    for kit in ("qinghe", "morrow"):
        store = open_catalog(kit, settings=settings)
        store.ingest()
        opened[kit] = store
    return opened


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {kit: load_kit_catalog(load_brand_kit(kit)) for kit in ("qinghe", "morrow")}


def skus(products: list[Product], keep: Callable[[Product], bool]) -> set[str]:
    return {p.sku for p in products if keep(p)}


# ---- filters parsed from questions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "price_min", "price_max"),
    [
        ("200元以内的面霜", None, "200"),
        ("200块以下的洁面", None, "200"),
        ("不超过150元的面膜", None, "150"),
        ("100到200元的精华", "100", "200"),
        ("¥100-¥200 的精华", "100", "200"),
        ("一百元左右的面膜", "80", "120"),
        ("两百元以上的套装", "200", None),
        ("green tea under $20", None, "20"),
        ("oolong $20-$40", "20", "40"),
        ("matcha for less than 30 dollars", None, "30"),
        ("gift sets between $40 and $60", "40", "60"),
        ("teaware over $50", "50", None),
        ("something around $25", "20", "30"),
        ("green tea under $12.50.", None, "12.50"),
    ],
)
def test_price_ranges(question: str, price_min: str | None, price_max: str | None) -> None:
    filters, rest = parse_filters(question, ZH_CATEGORIES + EN_CATEGORIES, "zh-CN" if question[0] > "~" else "en-US")
    assert filters.price_min == (Decimal(price_min) if price_min else None)
    assert filters.price_max == (Decimal(price_max) if price_max else None)
    assert not any(c.isdigit() for c in rest), rest  # the price phrase is not searched as text


@pytest.mark.parametrize(
    "question",
    ["SPF50以上的防晒", "50ml以内的小样", "under 50 ml", "a teapot for 4 cups", "PA++++ 防晒"],
)
def test_numbers_that_are_not_prices(question: str) -> None:
    filters, rest = parse_filters(question, ZH_CATEGORIES, "zh-CN")
    assert filters.price_min is None and filters.price_max is None
    assert rest == question


@pytest.mark.parametrize(
    ("question", "categories", "category"),
    [
        ("200元以内的面霜", ZH_CATEGORIES, "面霜"),
        ("敏感肌洁面", ZH_CATEGORIES, "洁面"),
        ("面霜有哪些推荐", ZH_CATEGORIES, "面霜"),
        ("防晒润唇膏", ZH_CATEGORIES, None),  # a lip balm: 防晒 is not the head of the phrase
        ("洁面和面霜哪个好", ZH_CATEGORIES, None),  # two categories: no filter
        ("green teas under $20", EN_CATEGORIES, "Green Tea"),
        ("matcha whisk", EN_CATEGORIES, None),  # a whisk is teaware
        ("oolong for my dad", EN_CATEGORIES, "Oolong"),
    ],
)
def test_category_from_the_catalog(question: str, categories: list[str], category: str | None) -> None:
    assert parse_filters(question, categories, "zh-CN")[0].category == category


@pytest.mark.parametrize("question", ["有货的防晒", "现货面膜", "teapot in stock", "in-stock matcha"])
def test_in_stock(question: str) -> None:
    filters, rest = parse_filters(question, [], "zh-CN")
    assert filters.in_stock is True
    assert not any(word in rest for word in ("有货", "现货", "stock"))


def test_where_clause_keeps_one_key_per_dict() -> None:
    assert where_clause(Filters()) is None
    assert where_clause(Filters(category="面霜")) == {"category": {"$eq": "面霜"}}
    both = where_clause(Filters(price_max=Decimal(200), category="面霜", in_stock=True))
    assert both is not None and set(both) == {"$and"}
    assert all(len(clause) == 1 for clause in both["$and"])


def test_tokenize_drops_small_talk_and_stop_words() -> None:
    terms = tokenize("你好，请问有没有敏感肌洁面推荐一下？")
    assert "洁面" in terms and "敏感" in terms
    assert not {"你好", "请问", "有没有", "推荐", "一下"} & set(terms)
    assert tokenize("Hi, please recommend a jasmine green tea") == ["jasmine", "green", "tea"]
    assert tokenize("glass teapots") == tokenize("glass teapot")


# ---- retrieval over the shipped catalogs ------------------------------------------------------------


def test_sensitive_skin_cleanser(stores: dict[str, CatalogStore]) -> None:
    top = stores["qinghe"].search("敏感肌洁面", k=3).hits
    assert any(h.product.category == "洁面" and "敏感肌" in h.product.attributes.get("适用肤质", "") for h in top)


def test_face_cream_within_budget_is_exactly_the_catalog_subset(
    stores: dict[str, CatalogStore], catalogs: dict[str, Catalog]
) -> None:
    result = stores["qinghe"].search("200元以内的面霜", k=30)
    expected = skus(catalogs["qinghe"].products, lambda p: p.category == "面霜" and p.price <= 200)
    assert expected and {h.sku for h in result.hits} == expected
    assert result.filters == Filters(price_max=Decimal(200), category="面霜")


def test_green_tea_under_20(stores: dict[str, CatalogStore], catalogs: dict[str, Catalog]) -> None:
    result = stores["morrow"].search("green tea under $20", k=30)
    expected = skus(catalogs["morrow"].products, lambda p: p.category == "Green Tea" and p.price <= 20)
    assert expected and {h.sku for h in result.hits} == expected
    assert result.searched == "green tea"


def test_in_stock_sunscreen(stores: dict[str, CatalogStore], catalogs: dict[str, Catalog]) -> None:
    hits = stores["qinghe"].search("有货的防晒推荐一下", k=30).hits
    expected = skus(catalogs["qinghe"].products, lambda p: p.category == "防晒" and p.stock > 0)
    sold_out = skus(catalogs["qinghe"].products, lambda p: p.category == "防晒" and p.stock == 0)
    assert sold_out and {h.sku for h in hits} == expected


def test_small_talk_does_not_steer_the_search(stores: dict[str, CatalogStore]) -> None:
    top = stores["qinghe"].search("你好，请问有没有适合干皮的保湿面霜推荐一下", k=3).hits[0].product
    assert top.category == "面霜" and "干" in top.attributes["适用肤质"]


def test_a_lip_balm_with_spf_is_not_filtered_to_sunscreens(stores: dict[str, CatalogStore]) -> None:
    top = stores["qinghe"].search("防晒润唇膏", k=3).hits[0].product
    assert top.category == "唇部护理" and "防晒" in top.name


def test_english_name_words(stores: dict[str, CatalogStore]) -> None:
    hits = stores["morrow"].search("Hi! Please recommend a jasmine tea", k=3).hits
    assert all("jasmine" in (h.product.name + " ".join(h.product.attributes.values())).lower() for h in hits[:2])
    whisk = stores["morrow"].search("matcha whisk", k=3).hits
    assert any("Whisk" in h.product.name for h in whisk)


def test_hits_carry_scores_and_legs(stores: dict[str, CatalogStore]) -> None:
    hits = stores["morrow"].search("cold brew peach", k=5).hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0 < h.score <= 1 for h in hits)
    both = [h for h in hits if h.dense_rank and h.keyword_rank]
    assert both and all(0 <= (h.dense_score or 0) <= 1 and 0 < (h.keyword_score or 0) <= 1 for h in both)


def test_only_small_talk_finds_nothing(stores: dict[str, CatalogStore]) -> None:
    assert stores["qinghe"].search("你好").hits == []
    assert stores["morrow"].search("hello, thanks!").hits == []


def test_filters_alone_list_the_matching_products(
    stores: dict[str, CatalogStore], catalogs: dict[str, Catalog]
) -> None:
    result = stores["morrow"].search("anything", k=50, filters=Filters(price_max=Decimal(10)))
    assert {h.sku for h in result.hits} == skus(catalogs["morrow"].products, lambda p: p.price <= 10)


@pytest.mark.parametrize(
    ("kit", "question", "policy"),
    [
        ("qinghe", "怎么退货", "returns"),
        ("qinghe", "运费怎么算，多少钱包邮", "shipping"),
        ("morrow", "can I return an opened tin of tea?", "returns"),
        ("morrow", "how long does shipping take", "shipping"),
        ("morrow", "teapot warranty", "warranty"),
    ],
)
def test_policy_questions_bring_policy_passages(
    stores: dict[str, CatalogStore], kit: str, question: str, policy: str
) -> None:
    passages = stores[kit].search(question, k=3).policies
    assert passages and passages[0].policy == policy
    assert passages[0].text in stores[kit].policies()[policy]


def test_product_questions_bring_no_policy_text(stores: dict[str, CatalogStore]) -> None:
    assert stores["morrow"].search("green tea under $20").policies == []
    assert stores["qinghe"].search("敏感肌洁面").policies == []


def test_where_clause_selects_what_the_keyword_mask_selects(stores: dict[str, CatalogStore]) -> None:
    store = stores["qinghe"]
    collection, index = store._product_index()
    for filters in (
        Filters(price_max=Decimal(100)),
        Filters(price_min=Decimal(100), price_max=Decimal(200), category="精华"),
        Filters(category="防晒", in_stock=True),
        Filters(in_stock=False),
    ):
        mask = filters_mask(filters, index.price, index.stock, index.category)
        assert mask is not None
        chroma = set(collection.get(where=where_clause(filters), include=[])["ids"])
        assert chroma == {index.ids[i] for i in mask.nonzero()[0]}, filters


# ---- get, policies, info --------------------------------------------------------------------------


def test_get_returns_the_full_record(stores: dict[str, CatalogStore], catalogs: dict[str, Catalog]) -> None:
    for kit in ("qinghe", "morrow"):
        for product in catalogs[kit].products[::10]:
            assert stores[kit].get(product.sku) == product
    with pytest.raises(NotFoundError, match="did you mean 'QH-CRM-001'"):
        stores["qinghe"].get("QH-CRM-01")


def test_policies_round_trip(stores: dict[str, CatalogStore]) -> None:
    from contentgen.domain.loaders import load_policies

    for kit in ("qinghe", "morrow"):
        assert stores[kit].policies() == load_policies(load_brand_kit(kit))


def test_info(stores: dict[str, CatalogStore], catalogs: dict[str, Catalog]) -> None:
    info = stores["qinghe"].info()
    assert info["products"] == len(catalogs["qinghe"]) and info["categories"] == catalogs["qinghe"].categories
    assert info["in_stock"] == sum(p.in_stock for p in catalogs["qinghe"])
    assert info["embedder"] == "static" and info["policies"] == ["membership", "returns", "shipping", "warranty"]


def test_collection_names_its_embedding_function(stores: dict[str, CatalogStore]) -> None:
    """Reopened by a plain Chroma client, the collection embeds queries with our function, not Chroma's default."""
    from contentgen.catalog.chroma import ContentgenEmbeddingFunction

    store = stores["morrow"]
    plain = store.client.get_collection("contentgen.morrow.products")
    persisted = plain.configuration_json["embedding_function"]
    assert persisted["name"] == "contentgen"
    assert persisted["config"]["provider"] == "static" and persisted["config"]["model"] == store.embedder.model
    assert isinstance(plain.configuration["embedding_function"], ContentgenEmbeddingFunction)
    found = plain.query(query_texts=["Jasmine Pearls green tea"], n_results=1)
    assert found["ids"][0] == ["MT-GRN-004"]


# ---- errors and CLI --------------------------------------------------------------------------------


def test_never_ingested_kit(tmp_path: Path) -> None:
    store = open_catalog("morrow", settings=load_settings(home=tmp_path))
    with pytest.raises(NotIngestedError, match="run `contentgen catalog ingest --kit morrow`") as err:
        store.search("tea")
    assert "\n" not in str(err.value)


def test_unknown_kit(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'qinghe'"):
        open_catalog("qinhe", settings=load_settings(home=tmp_path))


def test_cli_search(cli: Cli, stores: dict[str, CatalogStore], home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTGEN_HOME", str(home))
    result = cli("catalog", "search", "200元以内的面霜", "--kit", "qinghe", "-k", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["hits"]) == 3 and data["filters"] == {"price_max": "200", "category": "面霜"}
    assert all(h["category"] == "面霜" and Decimal(h["price"]) <= 200 for h in data["hits"])
    table = cli("catalog", "search", "jasmine", "--kit", "morrow", "-k", "2")
    assert table.exit_code == 0 and "MT-" in table.stdout


def test_cli_search_errors(cli: Cli) -> None:
    never = cli("catalog", "search", "tea", "--kit", "morrow")
    assert never.exit_code == 1 and "contentgen catalog ingest --kit morrow" in never.stderr
    unknown = cli("catalog", "search", "tea", "--kit", "morow")
    assert unknown.exit_code == 1 and "did you mean 'morrow'" in unknown.stderr
