"""Issue-14 families, session 7: the causes behind the fourth blind batch's misses (multi-part, attribute, names,
grounded, follow-up, policy, off-catalog, superlative), each tested with fresh wording (not the eval items'), in both
languages where the cause applies. Expected values come from the kit files loaded here, never from the agent's
answers."""

from __future__ import annotations

from agent_support import policy_text

from contentgen.agent import Agent, Answer, Handoff, Refusal
from contentgen.agent.lang import load_language
from contentgen.domain.product import Catalog

pytest_plugins = ["agent_support"]


def test_shoppers_spellings_are_rewritten_by_language_data() -> None:
    en, zh = load_language("en-US"), load_language("zh-CN")
    assert en.respelled("whats in it") == "what's in it"
    assert en.respelled("doesnt it ship to the u.s.") == "doesn't it ship to the u.s."
    assert en.respelled("price + size") == "price, and size"
    assert zh.respelled("寄到无锡几天到") == "寄到江浙沪几天到"
    assert zh.respelled("佛山运费多少") == "广东运费多少"
    assert zh.respelled("产地是广州吗") == "产地是广州吗"  # no delivery question: the city stays


def test_whats_in_a_blend_lists_its_ingredients_not_a_missing_contents_field(
    morrow: Agent, catalogs: dict[str, Catalog]
) -> None:
    blend = catalogs["morrow"].get("MT-HRB-008")
    out = morrow.ask("whats in the honeybush orange, and what does it cost?")
    assert isinstance(out, Answer) and "MT-HRB-008" in out.citations
    assert all(i in out.text for i in blend.ingredients) and blend.money() in out.text
    assert "doesn't list" not in out.text


def test_ask_wordings_the_cues_missed(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    basket = catalogs["morrow"].get("MT-WAR-001")
    out = morrow.ask("what comes with the fine mesh infuser basket set?")
    assert isinstance(out, Answer) and basket.specs["Includes"] in out.text
    peach = catalogs["morrow"].get("MT-CBR-002")
    morrow.reset()
    out = morrow.ask("how long do I let the cold brew black peach sit in the fridge?")
    assert isinstance(out, Answer) and peach.attributes["Steep time"] in out.text
    morrow.reset()
    assert isinstance(morrow.ask("can I speak with a live human please"), Handoff)


def test_a_coupon_question_about_a_product_states_its_price_only(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    hojicha = catalogs["morrow"].get("MT-GRN-006")
    out = morrow.ask("is there a coupon I can use on the kyoto hojicha?")
    assert isinstance(out, Answer) and hojicha.money() in out.text and "%" not in out.text


def test_a_record_sentence_answers_a_missing_origin_field(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    bowl = catalogs["morrow"].get("MT-WAR-003")
    assert "Origin" not in bowl.attributes
    out = morrow.ask("where is the seagrove stoneware matcha bowl from?")
    assert isinstance(out, Answer) and "MT-WAR-003" in out.citations
    assert any(line in out.text for line in bowl.selling_points if "Seagrove" in line)


def test_the_words_of_a_name_ask_for_no_field(morrow: Agent) -> None:
    # "Glass" in the name is no Material question: a fact the record lacks goes to a person
    out = morrow.ask("is the glass cold brew pitcher fair trade?")
    assert isinstance(out, Handoff) and out.reason == "ungrounded"


def test_a_medical_ask_about_a_named_product_is_refused(morrow: Agent, qinghe: Agent) -> None:
    out = morrow.ask("will the lemon ginger green cure my cold?")
    assert isinstance(out, Refusal) and out.reason == "medical"
    out = qinghe.ask("燕麦柔润足霜能治疗脚气吗")
    assert isinstance(out, Refusal) and out.reason == "medical"


def test_the_x_one_picks_the_listed_product(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    peach = catalogs["morrow"].get("MT-CBR-002")
    listed = morrow.ask("list your cold brew teas")
    assert isinstance(listed, Answer) and "MT-CBR-002" in listed.citations
    assert all(catalogs["morrow"].get(s).category == "Cold Brew" for s in listed.citations)
    # search ranks the Cold Brew Variety Box (which holds peach tea) or another peach product first; "the peach
    # one" is the listed one
    out = morrow.ask("is the peach one caffeinated?")
    assert isinstance(out, Answer) and out.citations[:1] == ("MT-CBR-002",)
    assert peach.attributes["Caffeine"] in out.text


def test_words_of_a_products_own_record_complete_a_partial_name(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    mint = catalogs["morrow"].get("MT-GRN-005")
    out = morrow.ask("what do you charge for the mint gunpowder tea")
    assert isinstance(out, Answer) and out.citations == ("MT-GRN-005",) and mint.money() in out.text


def test_an_arrival_question_is_a_shipping_question(morrow: Agent) -> None:
    standard = "3–6 business days"
    assert standard in policy_text("morrow", "shipping")
    out = morrow.ask("if I order the kyoto hojicha now, will it arrive by thursday?")
    assert isinstance(out, Answer) and out.intent == "policy" and standard in out.text


def test_zh_price_wording_and_follow_up_with_now(qinghe: Agent, catalogs: dict[str, Catalog]) -> None:
    balm = catalogs["qinghe"].get("QH-LIP-001")
    out = qinghe.ask("紫草修护润唇膏怎么卖")
    assert isinstance(out, Answer) and out.citations[:1] == ("QH-LIP-001",) and str(balm.price) in out.text
    qinghe.reset()
    qinghe.ask("燕麦舒缓沐浴露多少钱")
    out = qinghe.ask("目前有货吗")
    assert isinstance(out, Answer) and out.intent == "stock" and out.citations[:1] == ("QH-BDY-001",)


def test_zh_measure_word_narrows_no_superlative(qinghe: Agent, catalogs: dict[str, Catalog]) -> None:
    # 日常润唇三支装 is the one lip product whose record says 支: "哪支" must not narrow the ranking to it
    lips = [p for p in catalogs["qinghe"].products if p.category == "唇部护理"]
    cheapest = min(lips, key=lambda p: p.price)
    out = qinghe.ask("唇部护理类的哪支价格最低")
    assert isinstance(out, Answer) and out.citations[:1] == (cheapest.sku,)


def test_zh_question_mark_separates_two_asks(qinghe: Agent, catalogs: dict[str, Catalog]) -> None:
    mask = catalogs["qinghe"].get("QH-LIP-003")
    brush = next(line for line in mask.selling_points if "附赠" in line)
    out = qinghe.ask("蜂蜡夜间修护唇膜附赠什么？多少钱")
    assert isinstance(out, Answer) and str(mask.price) in out.text and brush.split("，")[0] in out.text


def test_zh_a_fact_the_record_lacks_after_youmeiyou_is_no_stock_question(qinghe: Agent) -> None:
    out = qinghe.ask("燕麦神经酰胺修护面霜有没有通过纯素认证")
    assert isinstance(out, Handoff) and out.reason == "ungrounded"


def test_zh_a_city_is_its_regions_row_of_the_shipping_table(qinghe: Agent) -> None:
    row = next(line for line in policy_text("qinghe", "shipping").splitlines() if line.startswith("| 江浙沪"))
    assert "1–2 天" in row
    for question in ("寄到苏州多久能到", "我住在珠海，几天能收到"):
        qinghe.reset()
        out = qinghe.ask(question)
        assert isinstance(out, Answer) and out.intent == "policy" and "1–2 天" in out.text, question
    qinghe.reset()
    out = qinghe.ask("周五下单，周日能收到吗")
    assert isinstance(out, Answer) and out.intent == "policy"


def test_plural_policy_words_and_a_what_if_about_a_product(morrow: Agent) -> None:
    slips = "Packing slips in gift orders never show prices."
    assert slips in policy_text("morrow", "shipping")
    out = morrow.ask("do packing slips list prices when I ship a present?")
    assert isinstance(out, Answer) and out.intent == "policy" and slips in out.text
    morrow.reset()
    accidental = "Accidental damage, such as drops, chips and knocks"
    assert accidental in policy_text("morrow", "warranty")
    out = morrow.ask("if the glass cold brew pitcher falls off the shelf, does the warranty cover it?")
    assert isinstance(out, Answer) and out.intent == "policy" and accidental in out.text


def test_zh_ingredients_question_about_a_quality_the_record_lacks_goes_to_a_person(
    qinghe: Agent, catalogs: dict[str, Catalog]
) -> None:
    cream = catalogs["qinghe"].get("QH-CRM-001")
    assert not any("纯素" in t for t in [cream.description, *cream.selling_points, *cream.ingredients])
    assert isinstance(qinghe.ask("燕麦神经酰胺修护面霜是纯素配方吗"), Handoff)
    qinghe.reset()
    out = qinghe.ask("燕麦神经酰胺修护面霜有哪些成分")  # a plain ingredients question is still answered
    assert isinstance(out, Answer) and all(i in out.text for i in cream.ingredients[:2])


def test_a_count_question_reads_the_field_that_says_the_counted_thing(
    morrow: Agent, catalogs: dict[str, Catalog]
) -> None:
    shortbread = catalogs["morrow"].get("MT-SNK-001")
    out = morrow.ask("how many cookies does a tin of earl grey shortbread hold?")
    assert isinstance(out, Answer) and shortbread.attributes["Size"] in out.text
    morrow.reset()
    ginger = catalogs["morrow"].get("MT-SNK-004")
    out = morrow.ask("how long could I store the crystallized ginger chunks?")
    assert isinstance(out, Answer) and ginger.specs["Shelf life"] in out.text


def test_zh_part_of_a_name_with_a_field_asked_is_a_product_question(
    qinghe: Agent, catalogs: dict[str, Catalog]
) -> None:
    serum = catalogs["qinghe"].get("QH-SER-002")
    out = qinghe.ask("神经酰胺精华的净含量是多少？保质期呢")
    assert isinstance(out, Answer) and out.citations[:1] == ("QH-SER-002",)
    assert serum.specs["净含量"] in out.text and serum.specs["保质期"] in out.text


def test_a_wish_for_a_thing_no_record_holds_is_refused(morrow: Agent, catalogs: dict[str, Catalog]) -> None:
    words = " ".join(
        " ".join([p.name, p.description, *p.selling_points, *p.ingredients]) for p in catalogs["morrow"].products
    ).lower()
    assert "matcha" in words and "boba" not in words and "kombucha" not in words
    out = morrow.ask("I'm looking for a bubble tea kit with boba")
    assert isinstance(out, Refusal) and out.reason == "not_in_catalog"
    morrow.reset()
    out = morrow.ask("looking for a matcha set for a friend")  # words the catalog holds still get picks
    assert isinstance(out, Answer) and out.intent == "recommend"
