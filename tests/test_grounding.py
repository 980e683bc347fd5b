"""Claim grounding against the shipped kits: every claim in copy must trace to the catalog, the brief or the policies.

The sheets are built from real products of `brand_kits/qinghe` and `brand_kits/morrow` with their real policies, and
a brief constructed here. Each table row is one rule: a grounded sentence must produce no finding, an ungrounded one
must produce a finding with exactly the expected rule, so breaking any rule fails a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest

from contentgen.compliance.grounding import (
    LOW_STOCK,
    Claim,
    FactSheet,
    chinese_number,
    extract_claims,
    ground,
    ground_fields,
    parse_number,
)
from contentgen.domain import BrandKit, Catalog, load_brand_kit, load_kit_catalog, load_policies
from contentgen.domain.brief import Brief, Coupon, Promotion
from contentgen.domain.findings import Finding, Severity

ZH_SKUS = ["QH-SER-001", "QH-SER-003", "QH-SUN-001", "QH-CLN-006", "QH-SET-005", "QH-LIP-001"]
EN_SKUS = ["MT-GRN-001", "MT-GRN-002", "MT-WAR-006", "MT-BLK-004", "MT-CBR-001", "MT-SNK-001"]
ZH_TODAY = dt.date(2025, 11, 9)  # a Sunday inside the promotion, three days before its end
EN_TODAY = dt.date(2025, 11, 29)  # a Saturday inside the promotion, three days before its end

ZH_BRIEF = Brief(
    occasion="双十一",
    key_message="修护精华限时到手价",
    promotion=Promotion(
        name="双11狂欢节",
        start=dt.date(2025, 11, 1),
        end=dt.date(2025, 11, 11),
        discount_percent=20,
        promo_prices={"QH-SER-001": Decimal(239)},
        coupon=Coupon(amount=Decimal(30), threshold=Decimal(199)),
        gift="积雪草洁面乳旅行装 30g",
    ),
)
EN_BRIEF = Brief(
    occasion="Black Friday",
    promotion=Promotion(
        name="Black Friday Tea Sale",
        start=dt.date(2025, 11, 28),
        end=dt.date(2025, 12, 1),
        discount_percent=15,
        promo_prices={"MT-GRN-001": Decimal("14.99")},
        coupon=Coupon(code="STEEP5", amount=Decimal(5), threshold=Decimal(40)),
        gift="bamboo tea scoop",
    ),
)


# ---------------------------------------------------------------------------------------------------------------
# Fixtures: the shipped kits, loaded once per module
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qinghe() -> tuple[BrandKit, Catalog, dict[str, str]]:
    kit = load_brand_kit("qinghe")
    return kit, load_kit_catalog(kit), load_policies(kit)


@pytest.fixture(scope="module")
def morrow() -> tuple[BrandKit, Catalog, dict[str, str]]:
    kit = load_brand_kit("morrow")
    return kit, load_kit_catalog(kit), load_policies(kit)


@pytest.fixture(scope="module")
def zh(qinghe: tuple[BrandKit, Catalog, dict[str, str]]) -> FactSheet:
    _, catalog, policies = qinghe
    return FactSheet.build([catalog.get(s) for s in ZH_SKUS], brief=ZH_BRIEF, policies=policies, today=ZH_TODAY)


@pytest.fixture(scope="module")
def en(morrow: tuple[BrandKit, Catalog, dict[str, str]]) -> FactSheet:
    kit, catalog, _ = morrow
    # policies come from the kit itself when not given
    return FactSheet.build([catalog.get(s) for s in EN_SKUS], brief=EN_BRIEF, brand=kit, today=EN_TODAY)


@pytest.fixture(scope="module")
def zh_plain(qinghe: tuple[BrandKit, Catalog, dict[str, str]]) -> FactSheet:
    """No brief: only the catalog and the policies."""
    _, catalog, policies = qinghe
    return FactSheet.build([catalog.get(s) for s in ZH_SKUS], policies=policies, today=ZH_TODAY)


@pytest.fixture(scope="module")
def en_plain(morrow: tuple[BrandKit, Catalog, dict[str, str]]) -> FactSheet:
    """No brief: only the catalog and the policies."""
    _, catalog, policies = morrow
    return FactSheet.build([catalog.get(s) for s in EN_SKUS], policies=policies, today=EN_TODAY)


def rules(findings: Sequence[Finding]) -> set[str]:
    return {f.rule for f in findings}


def explain(findings: Sequence[Finding]) -> str:
    return "\n".join(f"{f.rule} [{f.text}] {f.message}" for f in findings)


# ---------------------------------------------------------------------------------------------------------------
# Grounded and ungrounded sentences, zh-CN
# ---------------------------------------------------------------------------------------------------------------

ZH_GROUNDED = [
    "积雪草舒缓修护精华液到手价239元，日常价¥269。",
    "积雪草舒缓修护精华液原价¥299，现价¥269，立省30元。",
    "积雪草舒缓修护精华液活动价239元，再用满199减30的券，券后209元。",
    "双11狂欢节全场8折，活动时间11月1日至11月11日。",
    "双十一当天下单，烟酰胺5%清透精华 ￥229.00，打八折到手183.2元。",
    "烟酰胺5%清透精华到手价199元。",
    "烟酰胺5%清透精华：5%烟酰胺搭配锌PCA，净含量30ml，开封后6个月内用完。",
    "清透水感防晒乳 SPF50+ PA++++，50ml小巧好带，原价169元，现价139元。",
    "户外每2–3小时补涂一次，全脸约0.8ml就够。",
    "积雪草舒缓修护精华液早晚各2–3滴，30ml一般可用6–8周。",
    "多肽紧致臻享礼盒699元，三件单买合计¥1007，立省308元。",
    "多肽紧致臻享礼盒包含多肽紧致精华30ml、多肽紧致面霜50g、咖啡因多肽眼部精华15ml。",
    "下单即送积雪草洁面乳旅行装 30g。",
    "付款后48小时内发货，支持7天无理由退货。",
    "满99元包邮，偏远地区满199元包邮。",
    "积雪草舒缓修护精华液包邮到家。",
    "官方正品保障，假一赔三。",
    "青禾会员专享95折。",
    "新会员首单满99减15。",
    "最后3天，11月11日截止！",
    "积雪草舒缓修护精华液限时特惠，库存1320件。",
    "马齿苋舒缓卸妆膏暂时缺货，补货后第一时间通知你。",
    "第2步：取3滴精华按压至吸收，1杯温水的时间，3个理由爱上它。",
    "紫草修护润唇膏49元，净含量4g，原价59元，约8.3折，立省10元。",
    "积雪草舒缓修护精华液保质期3年（36个月），开封后6个月内用完。",
    "多肽紧致臻享礼盒一般建议连续使用4–8周。",
]

ZH_UNGROUNDED = [
    ("积雪草舒缓修护精华液到手价219元", "claim.price"),
    ("烟酰胺5%清透精华 ￥119", "claim.price"),
    ("烟酰胺5%清透精华 RMB 129", "claim.price"),
    ("烟酰胺5%清透精华原价¥299", "claim.list_price"),
    ("积雪草舒缓修护精华液原价¥399", "claim.list_price"),
    ("积雪草舒缓修护精华液专柜价399元", "claim.list_price"),
    ("积雪草舒缓修护精华液划线价¥350", "claim.list_price"),
    ("双11全场6折", "claim.discount"),
    ("积雪草舒缓修护精华液八五折", "claim.discount"),
    ("满299减50", "claim.discount"),
    ("积雪草舒缓修护精华液立减50元", "claim.discount"),
    ("买一送一", "claim.discount"),
    ("第二件半价", "claim.discount"),
    ("满99减15", "claim.discount"),
    ("积雪草舒缓修护精华液净含量50ml", "claim.number"),
    ("积雪草舒缓修护精华液含10%积雪草苷", "claim.number"),
    ("积雪草舒缓修护精华液三天见效", "claim.number"),
    ("清透水感防晒乳，防晒指数SPF30", "claim.number"),
    ("积雪草舒缓修护精华液已售10万+件", "claim.number"),
    ("活动12月12日截止", "claim.date"),
    ("双12返场", "claim.date"),
    ("618大促同价", "claim.date"),
    ("本周末专享", "claim.date"),
    ("明天截止", "claim.date"),
    ("积雪草舒缓修护精华液仅剩5件", "claim.stock"),
    ("马齿苋舒缓卸妆膏现货速发", "claim.stock"),
    ("积雪草舒缓修护精华液限量发售", "claim.stock"),
    ("积雪草舒缓修护精华液已售罄", "claim.stock"),
    ("24小时发货", "claim.promise"),
    ("15天无理由退货", "claim.promise"),
    ("假一赔十", "claim.promise"),
    ("终身保修", "claim.promise"),
    ("次日达", "claim.promise"),
    ("紫草修护润唇膏全场包邮", "claim.promise"),
    ("满59元包邮", "claim.promise"),
    ("送运费险", "claim.promise"),
    ("30天保价", "claim.promise"),
    ("积雪草舒缓修护精华液¥269，比原价省¥79", "claim.discount"),
]


@pytest.mark.parametrize("text", ZH_GROUNDED)
def test_zh_grounded_sentences_have_no_findings(zh: FactSheet, text: str) -> None:
    findings = ground(text, zh, locale="zh-CN")
    assert findings == [], explain(findings)


@pytest.mark.parametrize(("text", "rule"), ZH_UNGROUNDED)
def test_zh_ungrounded_sentences_block(zh: FactSheet, text: str, rule: str) -> None:
    findings = ground(text, zh, locale="zh-CN")
    assert rules(findings) == {rule}, explain(findings)
    assert all(f.severity is Severity.BLOCK for f in findings)


# ---------------------------------------------------------------------------------------------------------------
# Grounded and ungrounded sentences, en-US
# ---------------------------------------------------------------------------------------------------------------

EN_GROUNDED = [
    "Shizuoka Morning Sencha is $14.99 this week, regularly $18.",
    "Dragon Well (Longjing): was $32, now $28. Save $4.",
    "Take 15% off everything through Dec 1.",
    "Dragon Well (Longjing) is $23.80 for Black Friday.",
    "Use code STEEP5 for $5 off orders of $40 or more.",
    "Gooseneck Electric Kettle with Temperature Control, $109 (compare at $129).",
    "It holds temperature for up to 60 minutes and draws 1200 W.",
    "Steep Shizuoka Morning Sencha at 175°F (80°C) for 1-2 minutes.",
    "About 40 cups per 3.5 oz tin.",
    "Cold Brew Sencha Pouches: 12 pouches, and each one makes 32 oz, about four glasses.",
    "Steep 6-8 hours in the fridge, and it's less than $0.40 a glass.",
    "Free shipping on orders of $45 or more.",
    "Orders ship within 1-2 business days.",
    "Return most items within 30 days of delivery.",
    "The kettle comes with a 2-year warranty.",
    "Get a free bamboo tea scoop with every order this weekend.",
    "The Black Friday Tea Sale ends Dec 1.",
    "Earl Grey Shortbread: twelve cookies in a 6 oz tin, $9.99 (was $11.99).",
    "Darjeeling First Flush is sold out for now; we'll email you when it's back.",
    "3 reasons to brew a pot today: 1 cup of joy, step 2, and our top 5 pairings.",
    "Earl Grey Shortbread is 17% off.",
    "Only 3 days left!",
    "Dragon Well (Longjing) is 12.5% off.",
    "Free replacement for anything that arrives damaged.",
    "Shizuoka Morning Sencha: USD 18.00, or $14.99 on sale.",
    "Dragon Well (Longjing) is $28 right now, down from $32. That's $4 back in your pocket.",
]

EN_UNGROUNDED = [
    ("Shizuoka Morning Sencha is $15.99", "claim.price"),
    ("Gooseneck Electric Kettle with Temperature Control: 99 dollars", "claim.price"),
    ("Cold Brew Sencha Pouches for USD 24.99", "claim.price"),
    ("Shizuoka Morning Sencha, was $24", "claim.list_price"),
    ("Cold Brew Sencha Pouches, regular price $20", "claim.list_price"),
    ("Gooseneck Electric Kettle with Temperature Control ~~$149~~", "claim.list_price"),
    ("25% off sitewide", "claim.discount"),
    ("BOGO on all tins", "claim.discount"),
    ("Buy one, get one free", "claim.discount"),
    ("$10 off orders over $50", "claim.discount"),
    ("Save $30 on the Gooseneck Electric Kettle with Temperature Control", "claim.discount"),
    ("Use code TEA20", "claim.discount"),
    ("Sale ends Dec 15", "claim.date"),
    ("Prime Day deals", "claim.date"),
    ("Today only!", "claim.date"),
    ("Offer ends tomorrow", "claim.date"),
    ("Valid 11/20 - 11/25", "claim.date"),
    ("Only 3 left of Dragon Well (Longjing)!", "claim.stock"),
    ("Darjeeling First Flush, in stock and ready to brew", "claim.stock"),
    ("Limited stock, so grab a kettle", "claim.stock"),
    ("Shizuoka Morning Sencha comes in a 4 oz tin", "claim.number"),
    ("Steep at 212°C", "claim.number"),
    ("Makes 60 cups", "claim.number"),
    ("Over 10,000 happy customers", "claim.number"),
    ("Ships within 24 hours", "claim.promise"),
    ("Lifetime warranty", "claim.promise"),
    ("60-day returns", "claim.promise"),
    ("Free shipping on every order", "claim.promise"),
    ("Money-back guarantee", "claim.promise"),
    ("Same-day delivery", "claim.promise"),
    ("Dragon Well (Longjing) is $28, down from $35", "claim.list_price"),
    ("Dragon Well (Longjing) is $28. That's $9 back in your pocket.", "claim.discount"),
]


@pytest.mark.parametrize("text", EN_GROUNDED)
def test_en_grounded_sentences_have_no_findings(en: FactSheet, text: str) -> None:
    findings = ground(text, en, locale="en-US")
    assert findings == [], explain(findings)


@pytest.mark.parametrize(("text", "rule"), EN_UNGROUNDED)
def test_en_ungrounded_sentences_block(en: FactSheet, text: str, rule: str) -> None:
    findings = ground(text, en, locale="en-US")
    assert rules(findings) == {rule}, explain(findings)
    assert all(f.severity is Severity.BLOCK for f in findings)


# ---------------------------------------------------------------------------------------------------------------
# Property-style checks
# ---------------------------------------------------------------------------------------------------------------


def _bump(text: str, claim: Claim, *, factor: int = 1) -> tuple[str, Decimal]:
    """`text` with the claim's first number raised by one (factor 1) or multiplied by `factor`."""
    a, b = claim.parts[0]
    start = claim.span[0]
    old = parse_number(text[start + a : start + b])
    assert old is not None
    new = old + 1 if factor == 1 else old * factor
    shown = f"{new:.2f}" if "." in text[start + a : start + b] else str(new)
    return text[: start + a] + shown + text[start + b :], new


@pytest.mark.parametrize(("locale", "sentences"), [("zh-CN", ZH_GROUNDED), ("en-US", EN_GROUNDED)])
def test_a_price_raised_by_one_no_longer_grounds(
    zh: FactSheet, en: FactSheet, locale: str, sentences: list[str]
) -> None:
    sheet = zh if locale == "zh-CN" else en
    mutated = 0
    for text in sentences:
        for claim in extract_claims(text, locale):  # type: ignore[arg-type]
            if claim.kind != "price" or claim.qualifier or claim.topic:
                continue
            changed, value = _bump(text, claim)
            findings = ground(changed, sheet, locale=locale)  # type: ignore[arg-type]
            assert "claim.price" in rules(findings), f"{changed!r} ({value}) grounded"
            mutated += 1
    assert mutated >= 6


@pytest.mark.parametrize(("locale", "sentences"), [("zh-CN", ZH_GROUNDED), ("en-US", EN_GROUNDED)])
def test_a_spec_times_seven_no_longer_grounds(zh: FactSheet, en: FactSheet, locale: str, sentences: list[str]) -> None:
    sheet = zh if locale == "zh-CN" else en
    mutated = 0
    for text in sentences:
        for claim in extract_claims(text, locale):  # type: ignore[arg-type]
            if claim.kind != "number" or claim.qualifier or claim.upper is not None or not claim.parts:
                continue
            changed, _ = _bump(text, claim, factor=7)  # not +1: unit conversions have a tolerance
            assert "claim.number" in rules(ground(changed, sheet, locale=locale)), changed  # type: ignore[arg-type]
            mutated += 1
    assert mutated >= 5


def _repair(text: str, findings: Sequence[Finding]) -> str:
    for finding in sorted(findings, key=lambda f: f.span or (0, 0), reverse=True):
        assert finding.span is not None and finding.suggestion is not None
        text = text[: finding.span[0]] + finding.suggestion + text[finding.span[1] :]
    return text


@pytest.mark.parametrize(
    ("locale", "text", "fixed"),
    [
        ("zh-CN", "烟酰胺5%清透精华 ￥119", "烟酰胺5%清透精华 ￥229"),
        ("zh-CN", "积雪草舒缓修护精华液原价¥399", "积雪草舒缓修护精华液原价¥299"),
        ("zh-CN", "烟酰胺5%清透精华8.5折", "烟酰胺5%清透精华8折"),
        ("zh-CN", "积雪草舒缓修护精华液净含量50ml", "积雪草舒缓修护精华液净含量30ml"),
        ("zh-CN", "24小时内发货", "48小时内发货"),
        ("zh-CN", "活动11月15日截止", "活动11月11日截止"),
        ("zh-CN", "满299减50", "满199减30"),
        ("en-US", "Shizuoka Morning Sencha is now $15.99", "Shizuoka Morning Sencha is now $14.99"),
        ("en-US", "Shizuoka Morning Sencha costs $15.99", "Shizuoka Morning Sencha costs $18.00"),
        ("en-US", "Dragon Well (Longjing) was $35", "Dragon Well (Longjing) was $32"),
        ("en-US", "60-day returns", "30-day returns"),
        ("en-US", "Sale ends Dec 15", "Sale ends Dec 1"),
        ("en-US", "Use code TEA20", "Use code STEEP5"),
        ("en-US", "Only 8 days left", "Only 3 days left"),
    ],
)
def test_suggestions_repair_the_claim(zh: FactSheet, en: FactSheet, locale: str, text: str, fixed: str) -> None:
    sheet = zh if locale == "zh-CN" else en
    findings = ground(text, sheet, locale=locale)  # type: ignore[arg-type]
    assert findings, text
    repaired = _repair(text, findings)
    assert repaired == fixed
    assert ground(repaired, sheet, locale=locale) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------------------
# Findings: shape and messages
# ---------------------------------------------------------------------------------------------------------------


def test_price_finding_names_the_claim_and_the_catalog_price(zh: FactSheet) -> None:
    text = "烟酰胺5%清透精华，只卖 ¥119！"
    (finding,) = ground(text, zh, locale="zh-CN", field="body")
    assert finding.rule == "claim.price"
    assert finding.severity is Severity.BLOCK and finding.blocking
    assert finding.field == "body"
    assert finding.span is not None and text[finding.span[0] : finding.span[1]] == finding.text == "¥119"
    assert "¥119" in finding.message and "QH-SER-003 costs ¥229" in finding.message
    assert finding.suggestion == "¥229"
    # a promotional wording (到手, now, sale...) gets the nearest promotion price instead
    (finding,) = ground("烟酰胺5%清透精华到手价¥189", zh, locale="zh-CN")
    assert finding.suggestion == "¥183.2"


def test_list_price_without_catalog_list_price_says_so(zh: FactSheet) -> None:
    (finding,) = ground("烟酰胺5%清透精华 划线价¥299", zh, locale="zh-CN")
    assert finding.rule == "claim.list_price"
    assert "no list price" in finding.message and finding.suggestion is None


def test_promise_finding_quotes_the_policy(zh: FactSheet) -> None:
    (finding,) = ground("24小时发货", zh, locale="zh-CN")
    assert "policy:shipping" in finding.message and "48 小时内发货" in finding.message
    assert finding.suggestion == "48小时发货"


def test_gift_that_differs_from_the_brief_is_a_warning(zh: FactSheet, en: FactSheet) -> None:
    (finding,) = ground("下单送面膜一片", zh, locale="zh-CN")
    assert finding.rule == "claim.promise" and finding.severity is Severity.WARN
    assert "积雪草洁面乳旅行装" in finding.message
    (finding,) = ground("Get a free mug with every order", en, locale="en-US")
    assert finding.severity is Severity.WARN


def test_ground_fields_names_each_field(en: FactSheet) -> None:
    findings = ground_fields(
        {"title": "Shizuoka Morning Sencha $12", "body": "Ships within 24 hours.", "cta": "Shop the sale"},
        en,
        locale="en-US",
    )
    assert {(f.field, f.rule) for f in findings} == {("title", "claim.price"), ("body", "claim.promise")}


def test_empty_text_has_no_findings(zh: FactSheet) -> None:
    assert ground("  ", zh, locale="zh-CN") == []


# ---------------------------------------------------------------------------------------------------------------
# Rules that need a particular sheet
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("双11全场8折", "claim.date"),
        ("全场8折", "claim.discount"),
        ("11月11日截止", "claim.date"),
        ("限时特惠", "claim.date"),
        ("下单即送积雪草洁面乳旅行装", "claim.promise"),
        ("积雪草舒缓修护精华液到手价239元", "claim.price"),
    ],
)
def test_without_a_promotion_offers_block(zh_plain: FactSheet, text: str, rule: str) -> None:
    assert rule in rules(ground(text, zh_plain, locale="zh-CN"))


@pytest.mark.parametrize(
    "text",
    ["积雪草舒缓修护精华液原价299元，现价269元，立省30元，约9折。", "紫草修护润唇膏立省10元。", "满99元包邮。"],
)
def test_without_a_promotion_catalog_facts_still_ground(zh_plain: FactSheet, text: str) -> None:
    assert ground(text, zh_plain, locale="zh-CN") == []


def test_the_price_as_a_reference_needs_a_promotion_on_that_product(zh_plain: FactSheet, zh: FactSheet) -> None:
    # 原价 = the catalog price only while the promotion lowers it; 日常价 (the everyday price) is the price anyway
    assert ground("积雪草舒缓修护精华液原价269元", zh, locale="zh-CN") == []
    assert rules(ground("积雪草舒缓修护精华液原价269元", zh_plain, locale="zh-CN")) == {"claim.list_price"}
    assert ground("积雪草舒缓修护精华液日常价269元", zh_plain, locale="zh-CN") == []
    assert rules(ground("积雪草舒缓修护精华液日常价259元", zh_plain, locale="zh-CN")) == {"claim.list_price"}


def test_scarcity_needs_low_stock(qinghe: tuple[BrandKit, Catalog, dict[str, str]]) -> None:
    _, catalog, policies = qinghe
    product = catalog.get("QH-SER-001")
    low = product.model_copy(update={"stock": LOW_STOCK - 8})
    low_sheet = FactSheet.build([low], policies=policies, today=ZH_TODAY)
    high_sheet = FactSheet.build([product], policies=policies, today=ZH_TODAY)
    for text in ("限量发售，手慢无", "数量有限"):
        assert ground(text, low_sheet, locale="zh-CN") == []
        assert rules(ground(text, high_sheet, locale="zh-CN")) == {"claim.stock"}
    assert ground(f"仅剩{LOW_STOCK - 8}件", low_sheet, locale="zh-CN") == []
    (finding,) = ground("仅剩3件", low_sheet, locale="zh-CN")
    assert finding.suggestion == f"仅剩{LOW_STOCK - 8}件"


def test_out_of_stock_product_is_not_advertised(en: FactSheet) -> None:
    assert rules(ground("Darjeeling First Flush: order now!", en, locale="en-US")) == {"claim.stock"}
    assert ground("Dragon Well (Longjing): order now!", en, locale="en-US") == []


def test_free_shipping_without_threshold_depends_on_the_product(zh: FactSheet, en: FactSheet) -> None:
    assert ground("积雪草舒缓修护精华液包邮", zh, locale="zh-CN") == []  # ¥269 is over the ¥99 threshold
    assert rules(ground("紫草修护润唇膏包邮", zh, locale="zh-CN")) == {"claim.promise"}  # ¥49 is not
    assert ground("Gooseneck Electric Kettle with Temperature Control ships free", en, locale="en-US") == []
    assert rules(ground("Earl Grey Shortbread ships free", en, locale="en-US")) == {"claim.promise"}


def test_free_shipping_from_the_brief_is_unconditional(qinghe: tuple[BrandKit, Catalog, dict[str, str]]) -> None:
    _, catalog, policies = qinghe
    brief = ZH_BRIEF.model_copy(
        update={
            "promotion": ZH_BRIEF.promotion.model_copy(update={"free_shipping": True}) if ZH_BRIEF.promotion else None
        }
    )
    sheet = FactSheet.build([catalog.get("QH-LIP-001")], brief=brief, policies=policies, today=ZH_TODAY)
    assert ground("紫草修护润唇膏全场包邮", sheet, locale="zh-CN") == []


def test_member_only_policy_facts_need_the_condition(en: FactSheet, zh: FactSheet) -> None:
    assert ground("Morrow Circle members get free shipping on orders of $30 or more.", en, locale="en-US") == []
    assert rules(ground("Free shipping on orders of $30 or more.", en, locale="en-US")) == {"claim.promise"}
    assert ground("会员95折", zh, locale="zh-CN") == []
    assert rules(ground("积雪草舒缓修护精华液95折", zh, locale="zh-CN")) == {"claim.discount"}


def test_dispatch_promise_may_be_slower_but_not_faster(zh: FactSheet) -> None:
    assert ground("72小时内发货", zh, locale="zh-CN") == []
    assert ground("16点前下单当天发货", zh, locale="zh-CN") == []  # the cut-off is stated
    assert rules(ground("当天发货", zh, locale="zh-CN")) == {"claim.promise"}  # the policy needs a cut-off


def test_relative_dates_follow_today(qinghe: tuple[BrandKit, Catalog, dict[str, str]]) -> None:
    _, catalog, policies = qinghe
    products = [catalog.get("QH-SER-001")]
    last_day = FactSheet.build(products, brief=ZH_BRIEF, policies=policies, today=dt.date(2025, 11, 11))
    after = FactSheet.build(products, brief=ZH_BRIEF, policies=policies, today=dt.date(2025, 11, 12))
    assert ground("仅限今天！", last_day, locale="zh-CN") == []
    assert ground("最后1天", last_day, locale="zh-CN") == []
    assert rules(ground("限时特惠", after, locale="zh-CN")) == {"claim.date"}
    weekend = Brief(promotion=Promotion(name="周末闪购", start=dt.date(2025, 11, 8), end=dt.date(2025, 11, 9)))
    sheet = FactSheet.build(products, brief=weekend, today=dt.date(2025, 11, 8))
    assert ground("本周末专享", sheet, locale="zh-CN") == []
    assert ground("This weekend only!", sheet, locale="en-US") == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("11月11日前", True),
        ("11月12日前", True),
        ("11月10日前", False),
        ("从11月1日开始", True),
        ("从11月2日开始", False),
        ("11.11当天", True),
        ("11.15当天", False),
        ("2025年11月5日", True),
        ("2024年11月5日", False),
    ],
)
def test_date_roles(zh: FactSheet, text: str, ok: bool) -> None:
    assert (ground(text, zh, locale="zh-CN") == []) is ok


# ---------------------------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("¥129", "129", "CNY"),
        ("129元", "129", "CNY"),
        ("￥129.00", "129.00", "CNY"),
        ("RMB 129", "129", "CNY"),
        ("到手价129", "129", None),
        ("仅需九十九元", "99", "CNY"),
        ("$24.99", "24.99", "USD"),
        ("24.99 dollars", "24.99", "USD"),
        ("USD 24.99", "24.99", "USD"),
        ("now 24.99", "24.99", None),
        ("$1,299.00", "1299.00", "USD"),
        ("¥1,299", "1299", "CNY"),
    ],
)
def test_price_forms(text: str, value: str, currency: str | None) -> None:
    (claim,) = extract_claims(text, "zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en-US")
    assert (claim.kind, claim.value, claim.unit) == ("price", Decimal(value), currency)
    assert claim.value == Decimal(value.replace(".00", ""))  # 129 == 129.00


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("原价¥199", "list_price"),
        ("划线价199元", "list_price"),
        ("专柜价199", "list_price"),
        ("was $30", "list_price"),
        ("regular price $30", "list_price"),
        ("~~$30~~", "list_price"),
        ("compare at $30", "list_price"),
        ("<del>¥199</del>", "list_price"),
        ("a $40 value", "list_price"),
        ("8折", "discount"),
        ("八折", "discount"),
        ("打8折", "discount"),
        ("8.5折", "discount"),
        ("立减30元", "discount"),
        ("省30元", "discount"),
        ("直降30", "discount"),
        ("满199减30", "discount"),
        ("第二件半价", "discount"),
        ("买一送一", "discount"),
        ("20% off", "discount"),
        ("save $5", "discount"),
        ("BOGO", "discount"),
        ("buy one get one", "discount"),
        ("11月11日", "date"),
        ("双11", "date"),
        ("双十一", "date"),
        ("618", "date"),
        ("12月31日前", "date"),
        ("until Nov 30", "date"),
        ("through 12/31", "date"),
        ("this weekend only", "date"),
        ("11.11", "date"),
        ("仅剩100件", "stock"),
        ("库存仅100件", "stock"),
        ("only 5 left", "stock"),
        ("limited stock", "stock"),
        ("限量", "stock"),
        ("包邮", "promise"),
        ("免运费", "promise"),
        ("free shipping", "promise"),
        ("7天无理由退换", "promise"),
        ("30-day returns", "promise"),
        ("次日达", "promise"),
        ("48小时发货", "promise"),
        ("ships within 24 hours", "promise"),
        ("正品保障", "promise"),
        ("free gift", "promise"),
        ("保价", "promise"),
        ("终身保修", "promise"),
        ("lifetime warranty", "promise"),
        ("money-back guarantee", "promise"),
        ("50ml", "number"),
        ("30g", "number"),
        ("净含量50毫升", "number"),
        ("SPF50+", "number"),
        ("PA++++", "number"),
        ("含5%烟酰胺", "number"),
        ("12 servings", "number"),
        ("3 oz", "number"),
        ("16 tea bags", "number"),
        ("90°C", "number"),
        ("90℃", "number"),
        ("3-5 minutes", "number"),
        ("24 months shelf life", "number"),
        ("两瓶", "number"),
        ("十二片", "number"),
        ("三天", "number"),
    ],
)
def test_claim_kinds(text: str, kind: str) -> None:
    locale = "zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en-US"
    claims = extract_claims(text, locale)  # type: ignore[arg-type]
    assert [c.kind for c in claims] == [kind], claims


@pytest.mark.parametrize(
    "text",
    [
        "3 reasons to love it",
        "第2步",
        "1 cup of joy",
        "1. 洁面\n2. 精华",
        "1️⃣ 先洁面",
        "Top 5 picks",
        "一杯好茶",
        "one night in the fridge",
        "囤两瓶",
        "grab 2 tins",
        "since 2012",
        "2025年新品",
        "No. 1 pick",
        "24/7 support",
        "第二件",
        "今天就来一杯",
        "this weekend, brew a pot",
        "When will it be back in stock?",
        "总在为被促销诱导冲动囤货",
        "总在为限定款被黄牛炒价",
        "picked in October\n2. Light and floral",
        "2件组合更划算",
        "Perfect for a 4th of July picnic",
    ],
)
def test_numbers_that_are_not_claims(text: str) -> None:
    locale = "zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en-US"
    assert extract_claims(text, locale) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value", "unit", "upper"),
    [
        ("净含量50毫升", "50", "ml", None),
        ("50 mL", "50", "ml", None),
        ("1.5L", "1.5", "l", None),
        ("30克", "30", "g", None),
        ("3 oz", "3", "oz", None),
        ("90℃", "90", "°C", None),
        ("175°F", "175", "°F", None),
        ("90度水", "90", "°C", None),
        ("3-5分钟", "3", "min", "5"),
        ("3 to 5 minutes", "3", "min", "5"),
        ("24 hours", "24", "h", None),
        ("两周", "2", "week", None),
        ("十二片", "12", "piece", None),
        ("16 tea bags", "16", "bag", None),
        ("eight small tins", "8", "tin", None),
        ("a dozen cookies", "12", "piece", None),
        ("36个月", "36", "month", None),
        ("3年", "3", "year", None),
        ("SPF50+", "50", "SPF+", None),
        ("PA+++", "3", "PA", None),
        ("3倍", "3", "x", None),
        ("twenty-four months", "24", "month", None),
    ],
)
def test_quantities_are_normalised(text: str, value: str, unit: str, upper: str | None) -> None:
    locale = "zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en-US"
    (claim,) = extract_claims(text, locale)  # type: ignore[arg-type]
    assert (claim.value, claim.unit, claim.upper) == (Decimal(value), unit, None if upper is None else Decimal(upper))


@pytest.mark.parametrize(
    ("text", "off", "precision"),
    [
        ("8折", 20, 10),
        ("八折", 20, 10),
        ("8.5折", 15, 1),
        ("85折", 15, 1),
        ("八五折", 15, 1),
        ("9.5折", 5, 1),
        ("20% off", 20, 1),
        ("12.5% off", "12.5", "0.1"),
        ("半价", 50, 1),
        ("half price", 50, 1),
    ],
)
def test_discount_percentages(text: str, off: object, precision: object) -> None:
    (claim,) = extract_claims(text, "zh-CN")
    assert (claim.topic, claim.value, claim.precision) == ("percent", Decimal(str(off)), Decimal(str(precision)))


def test_claim_spans_point_into_the_original_text() -> None:
    text = "【双11】积雪草精华到手价２３９元，满１９９减３０，１２月１日前有效，仅剩５件。"  # full-width digits
    claims = extract_claims(text, "zh-CN")
    assert [c.kind for c in claims] == ["date", "price", "discount", "date", "stock"]
    for claim in claims:
        assert text[claim.span[0] : claim.span[1]] == claim.text
    assert claims[1].value == Decimal(239)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("八", 8),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百二十九", 129),
        ("一千零一", 1001),
        ("两万", 20000),
        ("三万五千", 35000),
        ("八点五", "8.5"),
        ("八五", 85),
        ("二零二五", 2025),
        ("零", 0),
        ("两", 2),
    ],
)
def test_chinese_numbers(text: str, value: object) -> None:
    assert chinese_number(text) == Decimal(str(value))


@pytest.mark.parametrize("text", ["", "万", "百", "点五", "八点", "abc"])
def test_chinese_numbers_reject_words(text: str) -> None:
    assert chinese_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,299.00", "1299.00"),
        ("10万", 100000),
        ("1.5万", 15000),
        ("twelve", 12),
        ("twenty-four", 24),
        ("a dozen", 12),
        ("十二", 12),
        ("0.8", "0.8"),
    ],
)
def test_parse_number(text: str, value: object) -> None:
    assert parse_number(text) == Decimal(str(value))


# ---------------------------------------------------------------------------------------------------------------
# The sheet
# ---------------------------------------------------------------------------------------------------------------


def test_describe_lists_sourced_facts(zh: FactSheet) -> None:
    facts = zh.describe()
    index = {(f.kind, f.source, str(f.value), f.unit, f.topic) for f in facts}
    assert ("price", "catalog:QH-SER-001.price", "269", "CNY", None) in index
    assert ("list_price", "catalog:QH-SER-001.list_price", "299", "CNY", None) in index
    assert ("price", "brief:promotion.promo_prices.QH-SER-001", "239", "CNY", None) in index
    assert ("number", "catalog:QH-SER-001.specs.净含量", "30", "ml", None) in index
    assert ("discount", "brief:promotion.discount_percent", "20", "%", "percent") in index
    assert ("stock", "catalog:QH-CLN-006.stock", "0", "item", None) in index
    assert ("date", "brief:promotion.end", "2025-11-11", None, "end") in index
    assert ("promise", "policy:shipping", "48", "h", "dispatch") in index
    coupon = next(f for f in facts if f.source == "brief:promotion.coupon")
    assert (coupon.kind, coupon.value, coupon.threshold) == ("discount", Decimal(30), Decimal(199))
    member = next(f for f in facts if f.source == "policy:membership" and f.topic == "threshold")
    assert member.conditions == {"member", "first_order"}
    kinds = [f.kind for f in facts]
    order = ["price", "list_price", "discount", "number", "date", "stock", "promise", "statement"]
    assert kinds == sorted(kinds, key=order.index)


def test_subjects_are_the_products_a_text_names(en: FactSheet) -> None:
    assert [p.sku for p in en.subjects("Our Dragon Well (Longjing) is back")] == ["MT-GRN-002"]
    assert [p.sku for p in en.subjects("Try the Earl Grey Shortbread")] == ["MT-SNK-001"]
    assert en.subjects("Tea for a slow morning") == []


def test_a_product_name_with_numbers_is_not_a_claim(zh: FactSheet) -> None:
    # 烟酰胺5%清透精华 and 清透水感防晒乳 SPF50+ PA++++ carry numbers in their names
    assert ground("烟酰胺5%清透精华和清透水感防晒乳 SPF50+ PA++++", zh, locale="zh-CN") == []


# ---------------------------------------------------------------------------------------------------------------
# Attribution, qualifiers and brief wording
# ---------------------------------------------------------------------------------------------------------------


def test_a_claim_is_checked_against_the_product_it_follows(zh: FactSheet) -> None:
    text = "积雪草舒缓修护精华液¥269，烟酰胺5%清透精华¥269。"
    (finding,) = ground(text, zh, locale="zh-CN")
    assert finding.rule == "claim.price" and finding.span == (text.rindex("¥269"), len(text) - 1)
    assert "QH-SER-003 costs ¥229" in finding.message and finding.suggestion == "¥229"
    # another product's list price is not this product's list price
    assert rules(ground("烟酰胺5%清透精华原价¥299", zh, locale="zh-CN")) == {"claim.list_price"}
    # with no product named, a price of any product in the sheet traces
    assert ground("只要¥229", zh, locale="zh-CN") == []


def test_currency_must_match(zh: FactSheet, en: FactSheet) -> None:
    assert rules(ground("烟酰胺5%清透精华 $229", zh, locale="zh-CN")) == {"claim.price"}
    assert rules(ground("Dragon Well (Longjing) ¥28", en, locale="en-US")) == {"claim.price"}


@pytest.mark.parametrize(
    ("locale", "text", "grounded"),
    [
        ("zh-CN", "紫草修护润唇膏每支不到50元", True),
        ("zh-CN", "紫草修护润唇膏每支不到30元", False),  # ¥39.20 at 20% off
        ("zh-CN", "烟酰胺5%清透精华不到300元", True),
        ("zh-CN", "烟酰胺5%清透精华不到200元", True),  # ¥199 with the coupon
        ("zh-CN", "烟酰胺5%清透精华不到150元", False),
        ("zh-CN", "烟酰胺5%清透精华约30ml", True),
        ("zh-CN", "烟酰胺5%清透精华约50ml", False),
        ("en-US", "Cold Brew Sencha Pouches: just $0.33 a glass", True),
        ("en-US", "Cold Brew Sencha Pouches: just $0.30 a glass", False),
        ("en-US", "Gooseneck Electric Kettle with Temperature Control, under $110", True),
        ("en-US", "Gooseneck Electric Kettle with Temperature Control, under $80", False),
        ("en-US", "Shizuoka Morning Sencha makes about 40 cups", True),
        ("en-US", "Shizuoka Morning Sencha makes over 40 cups", True),
        ("en-US", "Shizuoka Morning Sencha makes over 60 cups", False),
        ("en-US", "Shizuoka Morning Sencha: 100 g of tea", True),
        ("en-US", "Shizuoka Morning Sencha: 200 g of tea", False),
    ],
)
def test_qualified_and_per_unit_claims(zh: FactSheet, en: FactSheet, locale: str, text: str, grounded: bool) -> None:
    sheet = zh if locale == "zh-CN" else en
    assert (ground(text, sheet, locale=locale) == []) is grounded  # type: ignore[arg-type]


def test_offer_wording_in_the_brief_grounds_it(qinghe: tuple[BrandKit, Catalog, dict[str, str]]) -> None:
    _, catalog, policies = qinghe
    products = [catalog.get("QH-SER-001")]
    brief = Brief(
        key_message="前100名下单，第二件半价",
        promotion=Promotion(name="积雪草买一送一", start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 11)),
    )
    sheet = FactSheet.build(products, brief=brief, policies=policies, today=ZH_TODAY)
    assert ground("积雪草舒缓修护精华液买一送一，第二件半价，前100名有效", sheet, locale="zh-CN") == []
    assert rules(ground("前200名有效", sheet, locale="zh-CN")) == {"claim.number"}
    assert rules(ground("买二送一", sheet, locale="zh-CN")) == {"claim.discount"}


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("5颗星推荐", "number", "5", "star"),
        ("Rated 4.8 out of 5", "number", "4.8", "sales"),
        ("1,200 tea lovers", "number", "1200", "people"),
        ("已售10万+件", "number", "100000", "sales"),
        ("前100名下单", "number", "100", "first_n"),
        ("多肽紧致臻享礼盒3件套", "number", "3", "set"),
        ("¥129/50ml", "price", "129", "CNY"),
    ],
)
def test_more_claim_forms(text: str, kind: str, value: str, unit: str) -> None:
    locale = "zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en-US"
    claim = extract_claims(text, locale)[0]  # type: ignore[arg-type]
    assert (claim.kind, claim.value, claim.unit) == (kind, Decimal(value), unit)


def test_holidays_are_occasions_unless_they_date_an_offer() -> None:
    assert extract_claims("Perfect for a 4th of July picnic", "en-US") == []
    assert [c.kind for c in extract_claims("Sale ends July 4th", "en-US")] == ["discount", "date"]
    assert [c.kind for c in extract_claims("10月1日国庆出游", "zh-CN")] == []
    assert [c.kind for c in extract_claims("活动10月1日截止", "zh-CN")] == ["date"]


@pytest.mark.parametrize(("kit_id", "locale"), [("qinghe", "zh-CN"), ("morrow", "en-US")])
def test_catalog_text_grounds_against_its_own_product(
    qinghe: tuple[BrandKit, Catalog, dict[str, str]],
    morrow: tuple[BrandKit, Catalog, dict[str, str]],
    kit_id: str,
    locale: str,
) -> None:
    """Copy made purely of the catalog's own sentences is clean: extraction of claims and of facts agree."""
    _, catalog, policies = qinghe if kit_id == "qinghe" else morrow
    problems = []
    for product in catalog.products[::5]:
        sheet = FactSheet.build([product], policies=policies, today=ZH_TODAY)
        texts = [
            product.description,
            *product.selling_points,
            *(f.answer for f in product.faqs),
            *(f"{k}: {v}" for k, v in {**product.attributes, **product.specs}.items()),
        ]
        for text in texts:
            problems += [f"{product.sku}: {f.text!r} in {text!r}" for f in ground(text, sheet, locale=locale)]  # type: ignore[arg-type]
    assert problems == []


@pytest.mark.parametrize(
    ("locale", "text", "grounded"),
    [
        ("zh-CN", "积雪草舒缓修护精华液两瓶只要448元", True),  # 2 x ¥239 - ¥30 coupon
        ("zh-CN", "积雪草舒缓修护精华液两瓶只要478元", True),  # 2 x ¥239
        ("zh-CN", "积雪草舒缓修护精华液两瓶只要399元", False),
        ("zh-CN", "积雪草舒缓修护精华液今天只要二百三十九", True),
        ("zh-CN", "积雪草舒缓修护精华液今天只要一百九十九", False),
        ("en-US", "Earl Grey Shortbread: 2 tins for $19.98", True),
        ("en-US", "Earl Grey Shortbread: 2 tins for $15", False),
    ],
)
def test_multi_buy_and_spelled_out_prices(zh: FactSheet, en: FactSheet, locale: str, text: str, grounded: bool) -> None:
    sheet = zh if locale == "zh-CN" else en
    findings = ground(text, sheet, locale=locale)  # type: ignore[arg-type]
    assert (findings == []) is grounded, explain(findings)
    assert rules(findings) <= {"claim.price"}


@pytest.mark.parametrize(
    ("locale", "text", "grounded"),
    [
        ("zh-CN", "多肽紧致臻享礼盒6.9折", True),  # 699 / 1007 = 0.694
        ("zh-CN", "多肽紧致臻享礼盒7折", False),  # a whole 折 is still compared to 1%: 31% off is not 30% off
        ("zh-CN", "多肽紧致臻享礼盒约7折", True),  # "about" allows the stated precision
        ("zh-CN", "多肽紧致臻享礼盒立省308元", True),
        ("zh-CN", "多肽紧致臻享礼盒立省300元", False),
        ("zh-CN", "紫草修护润唇膏8.3折", True),  # 49 / 59 = 0.831
        ("zh-CN", "紫草修护润唇膏8.4折", False),
        ("en-US", "Earl Grey Shortbread: save $2", True),  # 11.99 -> 9.99
        ("en-US", "Earl Grey Shortbread: 17% off", True),  # 16.7%
        ("en-US", "Earl Grey Shortbread: 16.7% off", True),
        ("en-US", "Earl Grey Shortbread: 16.5% off", False),
        ("en-US", "Earl Grey Shortbread: 20% off", False),
    ],
)
def test_discounts_derived_from_the_list_price(
    zh_plain: FactSheet, en_plain: FactSheet, locale: str, text: str, grounded: bool
) -> None:
    sheet = zh_plain if locale == "zh-CN" else en_plain
    findings = ground(text, sheet, locale=locale)  # type: ignore[arg-type]
    assert (findings == []) is grounded, explain(findings)
    assert rules(findings) <= {"claim.discount"}


@pytest.mark.parametrize(("locale", "table"), [("zh-CN", ZH_UNGROUNDED), ("en-US", EN_UNGROUNDED)])
def test_every_suggestion_repairs_its_claim(
    zh: FactSheet, en: FactSheet, locale: str, table: list[tuple[str, str]]
) -> None:
    sheet = zh if locale == "zh-CN" else en
    repaired = 0
    for text, _ in table:
        for finding in ground(text, sheet, locale=locale):  # type: ignore[arg-type]
            if finding.suggestion is None or finding.span is None:
                continue
            fixed = text[: finding.span[0]] + finding.suggestion + text[finding.span[1] :]
            still = [f for f in ground(fixed, sheet, locale=locale) if f.span and f.span[0] == finding.span[0]]  # type: ignore[arg-type]
            assert still == [], f"{text!r} -> {fixed!r}"
            repaired += 1
    assert repaired >= 10


def test_a_decimal_range_before_a_new_line_is_not_a_date() -> None:
    """'pH 5.5–6.5' at a line end followed by a line about a promotion must not read as a dated offer."""
    from contentgen.domain import load_brand_kit, load_kit_catalog, load_policies

    brand = load_brand_kit("qinghe")
    product = load_kit_catalog(brand).get("QH-CLN-001")
    facts = FactSheet.build([product], policies=load_policies(brand), brand=brand)
    text = "弱酸性配方，pH值约5.5–6.5\n\n活动期间欢迎选购。"
    assert not [f for f in ground(text, facts, locale="zh-CN") if f.rule == "claim.date"]
