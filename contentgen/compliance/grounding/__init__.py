"""Claim grounding: every price, discount, number, date, stock figure and promise in generated copy must trace to
the catalog, the brief's promotion terms or the brand kit's policies. A claim that does not trace is a finding.

`FactSheet.build` turns products, a brief, policy texts and the brand kit into typed `Fact`s, derived prices and
discounts included; `extract_claims` finds typed `Claim`s in a text (zh-CN and en-US) with regular expressions
compiled once; `ground` checks each claim against the sheet and returns a `Finding` for each one that does not trace,
with a `suggestion` (the corrected text of the claim's span) wherever the sheet holds a correct value.

A claim is checked against the product it is about: the product named last before it in its sentence (else first
after it), else every product the text names, else the only product of the sheet; with none of these, the whole
sheet. Facts of no product (the brief, the policies, the brand) apply to every claim.

Rules, in brief (the tests pin each one):

* Price: equal (as a Decimal) to the price, a brief promo price, or a price derived from the brief: price x (1 -
  discount_percent) for products without a promo price, then a coupon (price - amount where price >= threshold) on
  any of these. Prices are exact: a derived ¥103.20 may not be written ¥103. Per-unit prices ("$0.33 a glass",
  "每片约¥12.9") are a price over a count in the product data; multi-buy prices ("两瓶只要448元") are N x a price,
  less a coupon the total reaches. "不到/under" needs a lower price, "约/about" one within 10%.
* List price (原价, 划线价, 专柜价, was, regular price, ~~$30~~, <del>, compare at, "a $40 value"): equal to the
  catalog `list_price`, or to the catalog `price` while the brief's promotion lowers that product's price.
* Discount: from the brief (discount_percent, coupon and its code, offer words in its texts such as 第二件半价),
  from the policies (member, first-order, birthday offers, which then need that condition in the copy) or derived
  from list price or price to an offer price. Derived percentages are compared at the precision the copy states but
  never coarser than 1% (6.9折 for 1007 -> 699; 7折 only as 约7折).
* Number: a quantity attached to a unit (`UNIT_NOTE` says which) must appear, unit-normalised (50毫升 = 50 mL,
  3年 = 36个月, 4 weeks = 28 days, °F/°C and oz/g within `CONVERSION`), in the product data, the brief's texts or
  the brand description; a policy's number counts where the sentence shares words with the policy's.
* Date: inside the promotion; a deadline (until, through, 截止, 前) must be its end, a start its start; shopping
  festivals (双11, 618, 12.12, Black Friday) need the promotion to cover or name them; urgency ("today only",
  最后3天, this weekend only, 限时) is checked against `today`. Without a promotion any dated offer blocks. Fixed
  holidays named without a deadline are occasions, not claims.
* Stock: "only N left" / 仅剩N件 must equal the stock; scarcity (limited stock, 限量, 手慢无) needs
  0 < stock <= `LOW_STOCK`; availability (in stock, 现货, 立即购买) needs stock; "sold out" needs none.
* Promise: free shipping, returns, dispatch and delivery times, warranty, price protection, authenticity, money-back,
  breakage, free returns and gifts must be in the brief or the policies, and at least as good there: a dispatch or
  delivery time no longer than claimed, a window (returns, warranty, price protection) no shorter. Unconditional
  free shipping needs the brief, a policy without threshold, or a product whose lowest offer reaches the threshold.
  A policy fact with a condition (members, first order, birthday, order cut-off, damaged items, medical records)
  grounds only copy that states the condition.
* Statements: a price, discount or promise sentence found in the catalog or brief text itself ("三支单买合计¥147.9")
  grounds the same claim in a sentence sharing its words.

Every finding is BLOCK except a gift whose wording shares nothing with the brief's gift, which is WARN: that check
compares words, so a person should look rather than the item being stopped.
"""

from __future__ import annotations

from contentgen.compliance.grounding.checks import ground, ground_fields
from contentgen.compliance.grounding.extract import extract_claims
from contentgen.compliance.grounding.facts import FactSheet
from contentgen.compliance.grounding.model import LOW_STOCK, UNIT_NOTE, Claim, Fact
from contentgen.compliance.grounding.numbers import chinese_number, parse_number

__all__ = [
    "LOW_STOCK",
    "UNIT_NOTE",
    "Claim",
    "Fact",
    "FactSheet",
    "chinese_number",
    "extract_claims",
    "ground",
    "ground_fields",
    "parse_number",
]
