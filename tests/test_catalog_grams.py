"""The character n-gram leg, query normalisation and weighted fusion of product search (issue 14 item 10).

A small marketplace-style catalog (keyword-stuffed titles that share brands, series and nouns) is ingested
into a fresh embedded Chroma with the offline static embedder; questions are written as shoppers type them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from contentgen.catalog.chroma import connect
from contentgen.catalog.keyword import char_ngrams, has_han, normalize_query, normalize_text
from contentgen.catalog.store import CatalogStore, SearchTuning
from contentgen.domain.loaders import load_brand_kit
from contentgen.domain.product import Catalog, Product
from contentgen.providers.embed.static import StaticEmbedder

TITLES = {
    "T1": ("青禾积雪草修护精华液30ml 舒缓泛红敏感肌补水保湿精华 官方正品", "护肤"),
    "T2": ("青禾玻尿酸精华液50ml 补水保湿提亮肤色 旗舰店", "护肤"),
    "T3": ("雪颜积雪草面霜50g 修护屏障乳霜 包邮", "护肤"),
    "T4": ("雪颜积雪草精华液30ml 敏感肌舒缓 新品", "护肤"),
    "T5": ("吴裕泰明前绿茶250g 2024新茶龙井 礼盒装", "茶饮"),
    "T6": ("吴裕泰浓香型铁观音乌龙茶500g 口粮茶", "茶饮"),
    "T7": ("安晒水感防晒霜SPF50 40ml 清爽不油腻隔离霜", "防晒"),
    "T8": ("三只松鼠每日坚果750g 30包 混合果仁 大礼包", "零食"),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CatalogStore:
    products = [
        Product(sku=sku, name=name, category=category, price=Decimal("99"), currency="CNY", stock=5)
        for sku, (name, category) in TITLES.items()
    ]
    client, location = connect(None, Path(tmp_path_factory.mktemp("grams")) / "chroma")
    built = CatalogStore(load_brand_kit("qinghe"), client, StaticEmbedder(), location=location)
    built.ingest(Catalog(products=products), policies={})
    return built


def tuned(store: CatalogStore, tuning: SearchTuning) -> CatalogStore:
    return CatalogStore(store.kit, store.client, store.embedder, location=store.location, tuning=tuning)


def test_char_ngrams_are_bigrams_and_trigrams_of_chinese_and_words_elsewhere() -> None:
    grams = char_ngrams("積雪草精華 30ML")
    assert {"积雪", "雪草", "草精", "精华", "积雪草", "雪草精", "草精华"} <= set(grams)
    assert "30ml" in grams
    assert char_ngrams("Green teas") == ["green", "tea"]


def test_normalize_query_reads_traditional_full_width_and_unit_words() -> None:
    assert normalize_query("積雪草精華３０毫升") == "积雪草精华30ml"
    assert normalize_query("坚果1公斤") == "坚果1kg"
    assert normalize_query("巧克力500克") == "巧克力500g"
    assert normalize_query("巧克力") == "巧克力"  # 克 is a unit only after a number
    assert normalize_text("ＱＨ－ＳＵＮ－００８（小）") == "QH-SUN-008（小）"
    assert has_han("積") and not has_han("tea")


@pytest.mark.parametrize(
    ("question", "sku"),
    [
        ("青禾积雪草修护精华", "T1"),
        ("有没有青禾的積雪草修護精華", "T1"),  # traditional characters, filler words
        ("雪颜积雪草精化30毫升", "T4"),  # a typo of a similar character, a unit word
        ("雪颜积雪草乳霜", "T3"),
        ("吴裕泰铁观音", "T6"),
        ("想要三只松鼠坚果", "T8"),
    ],
)
def test_shopper_questions_find_their_title_first(store: CatalogStore, question: str, sku: str) -> None:
    assert store.search(question, k=3).hits[0].product.sku == sku


def test_traditional_question_ranks_like_its_simplified_form(store: CatalogStore) -> None:
    simplified = [h.product.sku for h in store.search("青禾积雪草修护精华", k=5).hits]
    traditional = [h.product.sku for h in store.search("青禾積雪草修護精華", k=5).hits]
    assert traditional == simplified


def test_the_old_search_is_one_tuning(store: CatalogStore) -> None:
    old = tuned(store, SearchTuning(1, 1, 0, normalize=False))
    assert old.tuning.grams == 0
    # Without normalisation the traditional question keeps its characters; the dense and word legs still run.
    assert old.search("積雪草精華", k=3).searched == "積雪草精華"
    assert store.search("積雪草精華", k=3).searched == "积雪草精华"


def test_scores_are_deterministic_and_ties_go_to_catalog_order(store: CatalogStore) -> None:
    first = [(h.product.sku, h.score) for h in store.search("积雪草", k=8).hits]
    again = [(h.product.sku, h.score) for h in tuned(store, SearchTuning()).search("积雪草", k=8).hits]
    assert first == again
    assert all(0 < score <= 1 for _, score in first)


def test_english_questions_get_no_grams_vote(store: CatalogStore) -> None:
    with_grams = [h.product.sku for h in store.search("green tea", k=5).hits]
    without = [h.product.sku for h in tuned(store, SearchTuning(grams=0)).search("green tea", k=5).hits]
    assert with_grams == without
