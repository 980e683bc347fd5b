"""Claim patterns: the regular expressions that find prices, discounts, numbers, dates, stock, promises."""

from __future__ import annotations

import re
from decimal import Decimal

from contentgen.compliance.grounding.numbers import (
    parse_number,
)

# =====================================================================================================
# Patterns
# =====================================================================================================

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_HANZI_NUM = r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?"
_EN_DIGIT_WORD = "one|two|three|four|five|six|seven|eight|nine"
_EN_NUM_WORD = (
    rf"(?i:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{_EN_DIGIT_WORD}))?|eleven|twelve|thirteen|"
    rf"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|ten|{_EN_DIGIT_WORD}|(?:half\s+a\s+|a\s+)?dozen)(?![A-Za-z])"
)
_ANY_NUMBER = rf"(?:{_ARABIC}(?:\s?万)?|{_HANZI_NUM}|(?<![A-Za-z]){_EN_NUM_WORD})"
_NUMBER_START = r"(?<![A-Za-z\d.,_])(?<!\d/)"  # a number starts here, not inside a word, SKU, decimal or fraction
_NUMBER_END = r"(?![\d])"

_WORD_END = r"(?![A-Za-z])"
_UNITS: tuple[tuple[str, str], ...] = (
    (rf"毫升|(?:ml|mL|ML|Ml){_WORD_END}|(?i:millilit(?:er|re)s?){_WORD_END}", "ml"),
    (rf"(?i:fl\.?\s?oz\.?|fluid\s+ounces?){_WORD_END}", "fl_oz"),
    (rf"升|L{_WORD_END}|(?i:lit(?:er|re)s?){_WORD_END}", "l"),
    (rf"毫克|mg{_WORD_END}|(?i:milligrams?){_WORD_END}", "mg"),
    (rf"千克|公斤|kg{_WORD_END}|(?i:kilograms?){_WORD_END}", "kg"),
    (rf"克|g{_WORD_END}|(?i:grams?){_WORD_END}", "g"),
    (rf"(?i:oz|ounces?){_WORD_END}\.?", "oz"),
    (rf"(?i:lbs?|pounds?){_WORD_END}\.?", "lb"),
    (r"斤", "jin"),
    (rf"厘米|cm{_WORD_END}|(?i:centimet(?:er|re)s?){_WORD_END}", "cm"),
    (rf"毫米|mm{_WORD_END}|(?i:millimet(?:er|re)s?){_WORD_END}", "mm"),
    (rf"(?i:inch(?:es)?){_WORD_END}|in\.", "inch"),
    (rf"°\s?C{_WORD_END}|℃|摄氏度|(?i:degrees?\s+(?:C|celsius)){_WORD_END}", "°C"),
    (rf"°\s?F{_WORD_END}|℉|(?i:degrees?\s+(?:F|fahrenheit)){_WORD_END}", "°F"),
    (rf"度|°|(?i:degrees?){_WORD_END}", "°"),
    (rf"秒钟?|(?i:seconds?|secs?){_WORD_END}", "s"),
    (rf"分钟|(?i:minutes?|mins?){_WORD_END}", "min"),
    (rf"个?小时|(?i:hours?|hrs?){_WORD_END}|h{_WORD_END}", "h"),
    (rf"个?工作日|(?i:business\s+days?|working\s+days?){_WORD_END}", "business_day"),
    (rf"天(?![然猫使生空气才堂下地真])|(?i:days?){_WORD_END}", "day"),
    (rf"个?(?:星期|礼拜)|周(?![年末边到期一二三四五六日])|(?i:weeks?){_WORD_END}", "week"),
    (rf"个月|(?i:months?){_WORD_END}", "month"),
    (rf"年(?![级代度前底初中货])|(?i:years?|yrs?){_WORD_END}", "year"),
    (rf"%|(?i:per\s?cent){_WORD_END}", "%"),
    (r"倍|[x×](?![A-Za-z\d])(?!\s*\d)", "x"),
    (rf"千卡|大卡|(?i:kcal|calories|cal){_WORD_END}", "kcal"),
    (rf"(?i:mAh){_WORD_END}", "mAh"),
    (rf"W{_WORD_END}|(?i:watts?){_WORD_END}|瓦", "W"),
    (rf"V{_WORD_END}|(?i:volts?){_WORD_END}|伏", "V"),
    (rf"(?i:quarts?|qt){_WORD_END}", "quart"),
    (rf"(?i:teaspoons?|tsp){_WORD_END}", "tsp"),
    (rf"(?i:tablespoons?|tbsp){_WORD_END}", "tbsp"),
    (rf"(?:茶|小|独立)?袋|(?i:(?:tea\s+)?bags?|sachets?|pouch(?:es)?){_WORD_END}", "bag"),
    (r"包(?![邮装括含])", "bag"),
    (rf"片|(?i:pcs|pieces?|sheets?|cookies|biscotti){_WORD_END}", "piece"),
    (rf"颗星|星(?!期)|(?i:stars?){_WORD_END}", "star"),
    (rf"粒|颗|(?i:capsules?|tablets?){_WORD_END}", "capsule"),
    (rf"瓶|(?i:bottles?){_WORD_END}", "bottle"),
    (rf"罐|(?i:(?:mini\s+)?tins?|cans?|jars?){_WORD_END}", "tin"),
    (rf"盒|(?i:box(?:es)?){_WORD_END}", "box"),
    (rf"支|(?i:tubes?|sticks?){_WORD_END}", "stick"),
    (rf"份|杯|(?i:servings?|cups?|mugs?|glass(?:es)?|sessions?){_WORD_END}", "serving"),
    (rf"(?i:infusions?|steeps?){_WORD_END}", "infusion"),
    (rf"件套|套|(?i:sets?){_WORD_END}", "set"),
    (rf"入|(?i:ct|count){_WORD_END}", "count"),
    (rf"(?i:packs?){_WORD_END}", "pack"),
    (rf"条?(?:评价|好评)|(?i:reviews?|ratings?){_WORD_END}", "review"),
    (rf"人|位|(?i:customers?|people|fans|followers|lovers|drinkers|shoppers|members){_WORD_END}", "people"),
)
_UNIT_ALT = "|".join(f"(?:{p})" for p, _ in _UNITS)
_UNIT_RES = tuple((re.compile(f"(?:{p})"), unit) for p, unit in _UNITS)
_COUNT_UNITS = frozenset(
    {
        "bag",
        "piece",
        "capsule",
        "bottle",
        "tin",
        "box",
        "stick",
        "serving",
        "infusion",
        "set",
        "count",
        "pack",
        "star",
        "review",
        "people",
    }
)
_TIME_UNITS = frozenset({"s", "min", "h", "day", "week", "business_day", "month", "year"})

# unit -> (family, factor to the family's base, exact conversion?)
_CONVERT: dict[str, tuple[str, Decimal, bool]] = {
    "ml": ("volume", Decimal(1), True),
    "l": ("volume", Decimal(1000), True),
    "fl_oz": ("volume", Decimal("29.5735"), False),
    "quart": ("volume", Decimal("946.353"), False),
    "mg": ("mass", Decimal("0.001"), True),
    "g": ("mass", Decimal(1), True),
    "kg": ("mass", Decimal(1000), True),
    "jin": ("mass", Decimal(500), True),
    "oz": ("mass", Decimal("28.3495"), False),
    "lb": ("mass", Decimal("453.592"), False),
    "mm": ("length", Decimal("0.1"), True),
    "cm": ("length", Decimal(1), True),
    "inch": ("length", Decimal("2.54"), False),
    "s": ("time", Decimal(1), True),
    "min": ("time", Decimal(60), True),
    "h": ("time", Decimal(3600), True),
    "day": ("time", Decimal(86400), True),
    "week": ("time", Decimal(604800), True),
    "month": ("months", Decimal(1), True),
    "year": ("months", Decimal(12), True),
}

_QUAL_PRE = (
    r"(?P<q>约|大约|大概|将近|接近|近|超过|超|多达|高达|最高|最多|至多|至少|不少于|不低于|不到|不足|少于|低于|~|"
    r"(?i:about|around|approx(?:imately|\.)?|nearly|almost|roughly|up\s+to|over|more\s+than|at\s+least|under|"
    r"less\s+than|fewer\s+than|just\s+under)\s+)"
)
_QUAL_POST = r"(?P<qs>\s*(?:以上|以下|以内|左右|(?i:or\s+more|or\s+less|and\s+up)))"
_QUALIFIERS = {
    "approx": {
        "约",
        "大约",
        "大概",
        "将近",
        "接近",
        "近",
        "~",
        "about",
        "around",
        "approx",
        "approx.",
        "approximately",
        "nearly",
        "almost",
        "roughly",
        "左右",
    },
    "min": {"超过", "超", "至少", "不少于", "不低于", "over", "more than", "at least", "以上", "or more", "and up"},
    "max": {
        "不到",
        "不足",
        "少于",
        "低于",
        "under",
        "less than",
        "fewer than",
        "just under",
        "以下",
        "以内",
        "or less",
    },
    "upto": {"多达", "高达", "最高", "最多", "至多", "up to"},
}
_STOP = r"(?:of|to|for|and|or|per|a|an|the|in|on|at|with|from|your|our|my|each|every|is|are|was|more|less|than)"
_ADJECTIVES = rf"(?P<adj>(?:(?!(?:{_UNIT_ALT}|{_STOP}){_WORD_END})[A-Za-z][A-Za-z-]*\s+){{1,2}}|个)"
_RANGE_SEP = r"\s*(?:-|~|–|—|至|到|(?i:to))\s*"

_QTY_RE = re.compile(
    rf"(?:{_QUAL_PRE}\s*)?{_NUMBER_START}(?P<n>{_ANY_NUMBER})(?:{_RANGE_SEP}(?P<n2>{_ANY_NUMBER}))?\s?{_ADJECTIVES}?(?P<u>{_UNIT_ALT})"
    rf"(?P<plus>\+)?{_QUAL_POST}?"
)
_SPF_RE = re.compile(r"(?i:SPF)\s*(?P<n>\d{1,3})\s*(?P<plus>\+)?")
_PA_RE = re.compile(r"(?<![A-Za-z])PA\s*(?P<p>\+{1,4})")
_ORDINAL_BEFORE = re.compile(r"(?:第|下一?|上一?|(?i:next|no\.|#|step|round|level|top|tier)\s*)\s*$")
_PURCHASE_BEFORE = re.compile(
    r"(?:买|囤|拍|入手|带走|来|加购|(?i:buy|grab|get|order|pick\s+up|stock\s+up\s+on|add))\s*$"
)

_CUR_SYM = r"US\$|HK\$|\$|¥|€|£"
_CUR_CODE = r"(?:RMB|CNY|USD|EUR|GBP|HKD)"
_CURRENCY = {
    "$": "USD",
    "US$": "USD",
    "HK$": "HKD",
    "¥": "CNY",
    "€": "EUR",
    "£": "GBP",
    "RMB": "CNY",
    "CNY": "CNY",
    "USD": "USD",
    "EUR": "EUR",
    "GBP": "GBP",
    "HKD": "HKD",
    "人民币": "CNY",
    "元": "CNY",
    "块钱": "CNY",
    "美元": "USD",
    "美金": "USD",
    "DOLLAR": "USD",
    "DOLLARS": "USD",
    "BUCKS": "USD",
}


def _money_re(tag: str) -> str:
    return (
        rf"(?:(?P<{tag}s>{_CUR_SYM}|{_CUR_CODE}\s?|人民币)\s?(?P<{tag}n>{_ARABIC}(?:\s?万)?)"
        rf"|{_NUMBER_START}(?P<{tag}m>{_ARABIC}(?:\s?万)?|{_HANZI_NUM})\s?(?P<{tag}c>元(?!硬币|宝|素|旦|气)|块钱|美元|美金|"
        rf"(?i:dollars?|bucks|usd|rmb|cny){_WORD_END}))"
    )


def _money_of(match: re.Match[str], tag: str) -> tuple[Decimal, str | None, tuple[int, int]] | None:
    """(amount, currency, span of the number) of a money group in `match`."""
    for number, cur in ((f"{tag}n", f"{tag}s"), (f"{tag}m", f"{tag}c")):
        if match.group(number) is not None:
            value = parse_number(match.group(number))
            if value is None:
                return None
            symbol = match.group(cur).strip().upper()
            return value, _CURRENCY.get(symbol, _CURRENCY.get(symbol.rstrip("S"))), match.span(number)
    return None


_MONEY = _money_re("m")
_MONEY_T = _money_re("t")

# --- dates -----------------------------------------------------------------------------------------
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_ENGLISH_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_CN_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_CN_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_DATE_ZH = re.compile(
    rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<m>{_CN_MONTH})\s*月\s*(?P<d>{_CN_DAY})\s*[日号]"
    rf"(?:\s*(?:-|~|–|—|至|到)\s*(?:(?P<m2>{_CN_MONTH})\s*月\s*)?(?P<d2>{_CN_DAY})\s*[日号])?"
    r"(?P<after>[ \t]*(?:之前|以前|前|截止|结束|为止|止))?"
)
_DATE_ISO = re.compile(
    r"(?<!\d)(?P<y>20\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)(?P<after>[ \t]*(?:之前|以前|前|截止|结束))?"
)
_DATE_EN = re.compile(
    rf"(?i:(?P<mon>{_ENGLISH_MONTH})[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_WORD_END}(?:,?[ \t]+(?P<y>20\d{{2}}))?"
    rf"(?:\s*(?:-|–|—|to|through|thru)\s*(?:(?P<mon2>{_ENGLISH_MONTH})\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?{_WORD_END})?"
    rf"|(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?(?P<mon3>{_ENGLISH_MONTH}){_WORD_END}(?:,?[ \t]+(?P<y3>20\d{{2}}))?)"
)
_DATE_SLASH = re.compile(
    r"(?<![\d/.$¥])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?(?![\d/%])"
    r"(?:\s*(?:-|–|to)\s*(?P<m2>\d{1,2})/(?P<d2>\d{1,2})(?![\d/]))?"
)
_DATE_DOT = re.compile(
    r"(?<![\d.$¥])(?P<m>1[0-2]|0?[1-9])\.(?P<d>3[01]|[12]\d|0?[1-9])(?![\d.])"
    r"(?:\s*(?:-|~|–|至|到)\s*(?P<m2>1[0-2]|0?[1-9])\.(?P<d2>3[01]|[12]\d|0?[1-9])(?![\d.]))?"
    r"(?P<after>[ \t]*(?:之前|以前|前|截止|结束|当天|零点|0点|开抢|开始|开卖|狂欢|大促|活动|晚8点|晚上))?"
)
_DATE_DOT_BEFORE = re.compile(r"(?:截止|截至|至|到|从|时间[:：]?|(?i:until|through|by|ends?|on))\s*$")
_DEADLINE_BEFORE = re.compile(
    r"(?:截止到?|截至|至|直到|到|(?i:until|till|til|through|thru|ends?|ending|expires?|by|before|valid\s+through|"
    r"offer\s+ends))\s*(?:[:：]\s*)?$"
)
_START_BEFORE = re.compile(r"(?:从|自|(?i:from|starting|starts?|begins?|beginning))\s*$")
_START_AFTER = re.compile(r"^\s*(?:起|开始|开抢|开卖)")
_HOLIDAYS = frozenset({(1, 1), (2, 14), (3, 8), (3, 17), (5, 1), (6, 1), (7, 4), (10, 1), (10, 31), (12, 24), (12, 25)})
"""Fixed-date holidays: named without a deadline or range they are an occasion ("a 4th of July picnic"), not an offer
date."""

_EVENTS: tuple[tuple[str, str], ...] = (
    (r"双\s*(?:11|十一)|(?<![\d.$¥])11\.11(?![\d])|(?i:singles'?\s+day)", "11-11"),
    (r"双\s*(?:12|十二)|(?<![\d.$¥])12\.12(?![\d])", "12-12"),
    (r"(?<![\d.$¥,/])6\.18(?![\d])|(?<![\d.$¥,/-])618(?![\d%.,]|\s*(?:元|块|ml|g|克|件))", "06-18"),
    (r"黑五|黑色星期五|(?i:black\s+friday)", "black_friday"),
    (r"(?i:cyber\s+monday)", "cyber_monday"),
    (r"(?i:prime\s+day)", "prime_day"),
    (r"年货节", "new_year_goods"),
)
_EVENT_RES = tuple((re.compile(p), key) for p, key in _EVENTS)


def _number_group(i: int) -> str:
    return rf"(?P<n{i}>{_ARABIC}|{_HANZI_NUM}|{_EN_NUM_WORD})"


_RELATIVE: tuple[tuple[str, str], ...] = (
    (
        rf"(?:最后|仅剩|还剩|只剩|倒计时)\s*{_number_group(1)}\s*(?P<u1>天|日|小时|个小时)|"
        rf"(?i:(?:last|final)\s+{_number_group(2)}\s+(?P<u2>days?|hours?)|(?:only\s+)?{_number_group(3)}\s+(?P<u3>days?|hours?)\s+left)",
        "left",
    ),
    (
        rf"限时\s*{_number_group(1)}\s*(?P<u1>天|日|小时|个小时)|(?i:{_number_group(2)}[- ](?P<u2>days?|hours?)\s+only)",
        "duration",
    ),
    (
        r"(?:仅限|只限|限)今[天日晚]|今[天日晚](?:截止|结束)|最后一天|"
        r"(?i:today\s+only|only\s+today|ends\s+(?:today|tonight)|tonight\s+only|last\s+day)",
        "today_end",
    ),
    (
        r"今[天日](?:特价|特惠|专享|限定|秒杀|优惠)|即日起|(?i:today'?s\s+deal|deal\s+of\s+the\s+day|starting\s+today)",
        "today_in",
    ),
    (r"明[天日晚](?:截止|结束)|(?i:ends\s+tomorrow)", "tomorrow_end"),
    (
        r"(?:仅限|只限)(?:本|这)?周末|(?:本|这)?周末(?:限定|专享|特惠|特价|限时|大促)|"
        r"(?i:(?:this\s+)?weekend\s+only|this\s+weekend'?s?\s+(?:sale|deal)|weekend\s+sale)",
        "weekend",
    ),
    (r"(?:仅限|只限)(?:本|这)周|(?:本|这)周(?:限定|专享|特惠|特价)|(?i:this\s+week\s+only)", "week"),
    (
        r"限时|限期|倒计时|即将(?:结束|截止)|(?i:limited[- ]time|for\s+a\s+limited\s+time|ends\s+soon|last\s+chance)",
        "limited",
    ),
)
_RELATIVE_RES = tuple((re.compile(p), key) for p, key in _RELATIVE)


# --- promises --------------------------------------------------------------------------------------
def _number_or_range(i: int) -> str:
    return rf"(?P<n{i}>{_ARABIC}|{_HANZI_NUM}|{_EN_NUM_WORD})(?:{_RANGE_SEP}(?P<r{i}>{_ARABIC}|{_HANZI_NUM}))?"


_PROMISES: tuple[tuple[str, str], ...] = (
    (
        rf"(?:(?:全场|全国|订单|单笔|实付)?满\s*(?P<t>{_ARABIC}|{_HANZI_NUM})\s*(?:元|块)?\s*(?:即可|就|即|可)?(?:享)?)?"
        r"(?:全场|全国)?(?:包邮|免运费|免邮|免配送费)",
        "free_shipping",
    ),
    (
        rf"(?i:free\s+(?:standard\s+|ground\s+|us\s+|u\.s\.\s+)?(?:shipping|delivery)|ships?\s+free|"
        r"(?:standard\s+)?(?:shipping|delivery)\s+is\s+(?:always\s+)?free)"
        rf"(?:\s+(?i:(?:on|for)\s+(?:all\s+|any\s+)?orders?\s+(?:of\s+|over\s+|above\s+)?|over\s+|above\s+|"
        rf"kicks\s+in\s+at\s+|at\s+|from\s+)(?P<thr>{_MONEY_T})(?:\+|\s+(?i:or\s+more|and\s+up))?)?",
        "free_shipping",
    ),
    (
        rf"(?i:orders?\s+(?:of\s+|over\s+|above\s+)?)(?P<tm2>{_money_re('u')})\+?\s*(?i:(?:or\s+more\s+)?(?:ship|get)\s+free"
        r"(?:\s+shipping)?)",
        "free_shipping",
    ),
    (
        rf"{_number_or_range(1)}\s*(?:天|日)\s*无理由(?:退换货?|退货|退换|换货|退款)?|无理由(?:退换货?|退货|退款)",
        "no_reason_returns",
    ),
    (r"运费险|退货包运费|免费退换|(?i:free\s+returns?|free\s+return\s+shipping)", "free_returns"),
    (
        rf"{_number_or_range(1)}\s*(?:天|日)\s*(?:内)?\s*(?:退换货?|退货|包退|包换)|"
        rf"(?i:{_number_or_range(2)}[- ]day\s+(?:hassle[- ]free\s+|easy\s+|free\s+|no[- ]questions[- ]asked\s+)?returns?(?:\s+policy)?|"
        rf"returns?\s+(?:(?:it|them|anything|most\s+items)\s+)?within\s+{_number_or_range(3)}\s+days)",
        "returns",
    ),
    (
        rf"(?P<sd1>当天|当日|今日|次日)\s*(?:下单)?\s*(?:即|就)?(?:发货|发出)|{_number_or_range(1)}\s*(?P<u1>小时|个小时|个?工作日|天|日)\s*内?"
        r"\s*(?:安排|极速|闪电)?(?:发货|发出)|"
        rf"(?i:(?:ships?|shipped|dispatch(?:es|ed)?)\s+(?:out\s+)?(?:within|in)\s+{_number_or_range(2)}\s+(?P<u2>business\s+days?|"
        rf"working\s+days?|days?|hours?)|(?P<sd2>same[- ]day)\s+(?:shipping|dispatch)|"
        rf"ships?\s+(?:the\s+)?(?P<sd3>same[- ]day|today)|(?P<sd4>next[- ]day)\s+dispatch)",
        "dispatch",
    ),
    (
        rf"(?P<sd1>次日|隔日|当日)(?:达|送达|到)|{_number_or_range(1)}\s*(?P<u1>小时|个小时|天|日)\s*(?:内)?\s*(?:送达|到货|必达)|"
        rf"(?i:(?P<sd2>next[- ]day|same[- ]day|overnight)\s+delivery|{_number_or_range(2)}[- ](?P<u2>day|business[- ]day)\s+"
        rf"(?:shipping|delivery)|(?:arrives?|delivered|delivery)\s+(?:with)?in\s+{_number_or_range(3)}\s+(?P<u3>business\s+days?|days?))",
        "delivery",
    ),
    (
        rf"正品保障|正品保证|100%\s*正品|官方正品|假一(?:赔|罚)(?P<n1>{_HANZI_NUM}|\d+)|"
        r"(?i:100%\s+authentic|authenticity\s+guaranteed?|guaranteed\s+authentic|genuine\s+guarantee)",
        "authentic",
    ),
    (
        rf"(?:{_number_or_range(1)}\s*天)?\s*(?:保价|价保)|价格保护|"
        rf"(?i:(?:{_number_or_range(2)}[- ]day\s+)?price\s+(?:protection|match(?:ing)?|guarantee))",
        "price_protection",
    ),
    (
        rf"终身(?:保修|质保)|{_number_or_range(1)}\s*(?P<u1>年|个月)\s*(?:保修|质保)|(?:保修|质保)\s*{_number_or_range(2)}\s*(?P<u2>年|个月)|"
        rf"(?i:(?P<life>lifetime)\s+(?:warranty|guarantee)|{_number_or_range(3)}[- ](?P<u3>year|month)\s+(?:limited\s+)?warranty)",
        "warranty",
    ),
    (
        rf"不满意(?:全额)?退款|无效退款|退款保证|(?i:(?:{_number_or_range(1)}[- ]day\s+)?money[- ]back(?:\s+guarantee)?|"
        r"satisfaction\s+guaranteed?|love\s+it\s+or\s+your\s+money\s+back)",
        "money_back",
    ),
    (
        r"破损(?:包赔|包退|包换|补发)|坏(?:果|损)包赔|(?i:(?:free\s+)?replacements?\s+for\s+(?:anything\s+)?"
        r"(?:that\s+)?arrives?\s+damaged)",
        "breakage",
    ),
    (
        r"(?:下单|购买|购|买|拍下?|入手|满\s*\d+\s*元?)(?:即|就|即可|还|再)?(?:送|赠|加赠|赠送)(?P<obj1>[^，。！？!?；;,\s]{1,20})|"
        r"(?:加赠|赠送|随单(?:送|赠)|免费(?:送|赠|领)|礼赠)(?P<obj2>[^，。！？!?；;,\s]{1,20})|"
        r"(?:送|附|加|附赠|有)赠品|赠品[:：]\s*(?P<obj3>[^，。！？!?；;,\s]{1,20})|好礼相送|惊喜好礼|"
        r"(?i:free\s+gift(?!\s+(?:messages?|notes?|cards?|wrap\w*|box(?:es)?|receipts?))(?:\s+with\s+purchase)?|"
        r"gift\s+with\s+purchase|\bGWP\b|bonus\s+gift|"
        r"(?:get|receive|plus|with)\s+a\s+free\s+(?P<obj4>[a-z][a-z -]{2,40}?)(?=\s+(?:with|when|on|for|in)\b|[.,!;]|$)|"
        r"free\s+(?P<obj5>(?:[a-z-]+\s+){0,3}?[a-z-]+)\s+(?:with|in)\s+(?:every|any|your|each)\s+(?:order|purchase))",
        "gift",
    ),
)
_PROMISE_RES = tuple((re.compile(p), topic) for p, topic in _PROMISES)
# dispatch/delivery: a promise of "within N" (the policy must be as fast); the rest are windows (as long).
_FASTER_IS_BETTER = frozenset({"dispatch", "delivery"})

# --- discounts -------------------------------------------------------------------------------------
_ZHE_DISCOUNT = r"(?P<z>\d(?:\.\d)?|\d{2}|[一二三四五六七八九](?:点?[一二三四五六七八九])?)\s*折(?![扣叠上])"
_DISCOUNTS: tuple[tuple[str, str], ...] = (
    (
        rf"(?:每)?满\s*(?P<t>{_ARABIC}|{_HANZI_NUM})\s*(?:元|块)?\s*(?:立|即|可|就|再)?(?:减|省|享减|-)\s*(?P<a>{_ARABIC}|{_HANZI_NUM})\s*(?:元|块)?"
        rf"|满\s*(?P<t2>{_ARABIC})\s*元?\s*可?用\s*(?P<a2>{_ARABIC})\s*元?(?:优惠)?券",
        "threshold",
    ),
    (
        rf"(?i:(?P<am>{_MONEY})\s+off\s+(?:your\s+|any\s+)?(?:orders?\s+|purchases?\s+)?(?:of\s+|over\s+|above\s+|when\s+you\s+"
        rf"spend\s+)(?P<thr>{_MONEY_T})(?:\+|\s+or\s+more)?|spend\s+(?P<tm2>{_money_re('v')})(?:\s+or\s+more)?,?\s+(?:and\s+)?"
        rf"(?:save|get)\s+(?P<am2>{_money_re('w')})(?:\s+off)?)",
        "threshold",
    ),
    (
        r"买\s*(?:一|1)\s*(?:送|赠)\s*(?:一|1)|(?i:\bBOGO\b(?:\s+free)?|buy\s+one,?\s+get\s+one(?:\s+free)?(?!\s+(?:50%|half))|"
        r"2[- ]for[- ]1|two[- ]for[- ]one)",
        "bogo",
    ),
    (
        rf"买\s*(?P<x>\d+|{_HANZI_NUM})\s*(?:送|赠)\s*(?P<y>\d+|{_HANZI_NUM})|(?i:buy\s+(?P<x2>\d+|{_EN_NUM_WORD}),?\s+get\s+(?P<y2>\d+|{_EN_NUM_WORD})"
        r"(?:\s+free)?)",
        "buy_x_get_y",
    ),
    (
        r"第(?:二|2)件(?:半价|5折|五折)|(?i:(?:second|2nd)\s+(?:one\s+|item\s+)?half\s+(?:price|off)|"
        r"buy\s+one,?\s+get\s+one\s+(?:50%|half)\s+off)",
        "second_half",
    ),
    (
        r"(?:优惠码|券码|折扣码|口令)\s*[:：]?\s*(?P<code>[A-Za-z0-9]{3,20})|(?i:(?:promo|coupon|discount)\s+code|use\s+code)"
        r"\s*:?\s*(?P<code2>[A-Z0-9]{3,20})\b",
        "code",
    ),
    (
        rf"(?:(?P<zq>打|享|低至|全场|限时|会员|正价单品)\s*)?{_ZHE_DISCOUNT}|半价|(?P<half>(?i:half[- ](?:price|off)))",
        "percent",
    ),
    (
        rf"(?i:(?:(?P<pq>up\s+to|take|save|extra|an\s+extra|enjoy)\s+)?(?P<p>{_ARABIC})\s?(?:%|percent|per\s+cent)\s*"
        rf"(?:off|discount|savings?)|save\s+(?P<p2>{_ARABIC})\s?%|(?<![\w])-(?P<p3>{_ARABIC})%)",
        "percent",
    ),
    (
        rf"(?:立减|立省|直降|节省|省|减|优惠|便宜|降价|让利|返现|返)\s*(?P<c0>[¥$]\s?)?(?P<a>{_ARABIC}|{_HANZI_NUM})\s*(?P<c>元|块)?|"
        rf"(?P<a2>{_ARABIC})\s*元?\s*(?:无门槛|生日|新人|店铺|会员)?(?:优惠)?券|"
        rf"领券(?:立)?减\s*(?P<a3>{_ARABIC})\s*元?",
        "amount",
    ),
    (rf"比[^，。！？,.!?]{{0,12}}?(?:低|便宜|省|少)\s*(?P<a>{_ARABIC}|{_HANZI_NUM})\s*(?P<c>元|块)?", "amount"),
    (
        rf"(?i:(?:save|saving|savings\s+of|you\s+save|take)\s+(?P<am>{_MONEY})|(?P<am2>{_money_re('x')})\s+(?:off{_WORD_END}|less\s+than)"
        rf"|(?P<am3>{_money_re('y')})\s+coupon|(?<![\w])-\s?(?P<am4>{_money_re('z')})"
        rf"|(?P<am5>{_money_re('k')})\s+(?:back\s+in\s+your\s+pocket|saved|in\s+savings|cheaper))",
        "amount",
    ),
    (
        r"特价|打折|折扣价|促销价|促销中|限时促销|特惠价|特惠中|限时特惠|大促价|秒杀价|让利|"
        r"(?i:on\s+sale|sale\s+price|(?<!for\s)\bsale\b(?!s)|discount(?:ed)?|markdown)",
        "sale",
    ),
)
_DISCOUNT_RES = tuple((re.compile(p), topic) for p, topic in _DISCOUNTS)
_NEGATED_BEFORE = re.compile(
    r"(?:不|没有|无|从不|绝不|被|厌倦|讨厌|拒绝|别|总在为|总被|担心|害怕|"
    r"(?i:\b(?:no|not|never|without|non|tired\s+of|hate)\b)).{0,8}$"
)

# --- list prices -----------------------------------------------------------------------------------
_LIST_KW = (
    r"原价|划线价|专柜价|吊牌价|市场价|零售价|日常价|门店价|官方价|官网价|建议零售价|指导价|参考价|正价|单买合计|单买价?|分开买|"
    r"(?i:was|were|(?:down|reduced|marked\s+down)\s+from|regular(?:ly)?(?:\s+price)?|reg\.|originally|list\s+price|msrp|"
    r"compare\s+at|retail\s+(?:price|value)|normally|usually)"
)
_LIST_PRICE_RES = (
    re.compile(
        rf"(?P<kw>{_LIST_KW})\s*[:：]?\s*(?:是|为|(?i:only)\s+)?(?:{_MONEY}|(?P<bare>{_ARABIC}){_NUMBER_END}(?!\s*(?:%|折)))"
    ),
    re.compile(rf"~~\s*(?:{_MONEY}|(?P<bare>{_ARABIC}))\s*~~"),
    re.compile(rf"<(?P<tag>del|s|strike)>\s*(?:{_MONEY}|(?P<bare>{_ARABIC}))\s*</(?P=tag)>"),
    re.compile(rf"(?:价值|(?i:worth)\s+)\s*(?:{_MONEY})"),
    re.compile(rf"(?:{_MONEY})\s+(?i:value){_WORD_END}"),
)

# --- prices ----------------------------------------------------------------------------------------
_PRICE_KW = (
    r"到手价|券后价?|活动价|促销价|秒杀价|特价|售价|现价|价格|单价|会员价|拼团价|团购价|预售价|定金|只要|仅需|仅售|只需|只卖|"
    r"低至|直降至|降至|到手|(?i:priced\s+at|price\s*:|now\s+only|for\s+just|for\s+only|sale\s+price\s*:?|now)"
)
_PRICE_RE = re.compile(rf"(?:(?P<kw>{_PRICE_KW})\s*[:：]?\s*)?{_MONEY}(?P<from>\s*起|\+)?")
_CN_AMOUNT = r"[零〇一二两三四五六七八九]*[十百千万][零〇一二两三四五六七八九十百千万]*(?:点[零〇一二三四五六七八九]+)?"
_PRICE_BARE_RE = re.compile(
    rf"(?P<kw>{_PRICE_KW})\s*[:：]?\s*{_NUMBER_START}(?P<bare>{_ARABIC}|{_CN_AMOUNT}){_NUMBER_END}(?!\s*(?:%|折|[A-Za-z]|{_UNIT_ALT}))"
    r"(?P<from>\s*起)?"
)
_MULTI_BEFORE = re.compile(
    r"(?P<n>\d+|[两二三四五六七八九十]+|(?i:two|three|four|five|six))\s*(?:瓶|件|盒|支|罐|套|袋|片|"
    r"(?i:tins?|bottles?|boxes|bags|packs|items|sets|jars|pouches)\s*)?(?:装\s*)?(?:只要|仅需?|仅售|共|合计|到手价?|才|"
    r"(?i:for(?:\s+(?:just|only))?))\s*[:：]?\s*$"
)
_PER_UNIT_AFTER = re.compile(
    r"^\s*(?:/|(?i:per|a|an|each)\s+|每)\s*(?P<u>杯|袋|片|包|份|支|粒|(?i:cups?|bags?|servings?|pouch(?:es)?|sachets?|"
    r"sticks?|pieces?|glass(?:es)?|mugs?|servings?)(?![A-Za-z]))"
)
_PER_UNIT_BEFORE = re.compile(r"(?:每|单|一)\s*(?P<u>杯|袋|片|包|份|支|粒)\s*(?:仅需?|只要|不到|低至|约|才)?\s*$")
_APPROX_BEFORE = re.compile(r"(?:约|大约|将近|近|(?i:about|around|roughly|nearly|almost))\s*$")
_PRICE_QUAL_BEFORE = re.compile(
    r"(?P<q>不到|不足|低于|少于|(?i:under|less\s+than|below|just\s+under)|约|大约|(?i:about|around|approximately))\s*$"
)

# --- stock -----------------------------------------------------------------------------------------
_STOCK_UNITS = r"件|瓶|盒|套|份|罐|支|个|单|袋"
_STOCK: tuple[tuple[str, str], ...] = (
    (
        rf"(?:仅剩|只剩|仅余|只余|剩余|还剩|库存仅剩?|库存只有|库存|最后)\s*(?P<n>{_ARABIC}|{_HANZI_NUM})\s*(?:{_STOCK_UNITS})|"
        rf"(?:仅剩|只剩|仅余|库存仅剩?|库存只有)\s*(?P<n2>{_ARABIC}|{_HANZI_NUM})(?!\s*(?:天|小时|日|元))",
        "count",
    ),
    (
        rf"(?i:(?:only|just)\s+(?P<n3>{_ARABIC}|{_EN_NUM_WORD})\s+(?:[a-z-]+\s+){{0,2}}?(?:left|remaining)|"
        rf"(?P<n4>{_ARABIC}|{_EN_NUM_WORD})\s+(?:left|remaining)\s+in\s+stock|last\s+(?P<n5>{_ARABIC}|{_EN_NUM_WORD})\s+(?:tins|units|items|bags|"
        r"boxes|sets|bottles|pieces|left))",
        "count",
    ),
    (
        rf"限量\s*(?P<n>{_ARABIC}|{_HANZI_NUM})\s*(?:{_STOCK_UNITS})|(?i:limited\s+to\s+(?P<n2>{_ARABIC})\s+(?:units|sets|tins|pieces|"
        rf"boxes)|only\s+(?P<n3>{_ARABIC})\s+made)",
        "edition_count",
    ),
    (
        r"(?:推出|上新|新品|本款|这款|此款|这个|这支|这瓶)\s*(?:限量版|限量款|限定款|限定版)|"
        r"(?:限量版|限量款|限定款|限定版)(?=\s*(?:上市|发售|开售|来了|回归|上线|开抢|[！!]))|"
        r"(?i:limited[- ](?:edition|release))",
        "edition",
    ),
    (
        r"库存告急|库存紧张|即将售罄|手慢无|数量有限|限量(?:发售|供应|抢购)?|售完即止|卖完即止|抢完即止|先到先得|最后几件|"
        r"(?i:limited\s+(?:stock|quantit(?:y|ies)|supply|supplies|availability|run)|(?:selling|going)\s+fast|"
        r"almost\s+gone|low\s+(?:in\s+)?stock|few\s+left|won'?t\s+last|before\s+(?:it'?s|they'?re)\s+gone)",
        "scarcity",
    ),
    (r"售罄|已售空|卖断货|已断货|缺货|(?i:sold\s+out|out\s+of\s+stock|currently\s+unavailable)", "sold_out"),
    (
        r"现货|有货|立即购买|立即下单|马上下单|马上抢|立即抢购|速抢|点击购买|抢购中|热卖中|补货到|"
        r"(?i:in\s+stock|available\s+now|now\s+available|shop\s+now|buy\s+now|order\s+now|add\s+to\s+(?:cart|bag)|"
        r"get\s+yours|grab\s+yours|back\s+in\s+stock)",
        "available",
    ),
)
_STOCK_RES = tuple((re.compile(p), topic) for p, topic in _STOCK)
_FIRST_N = re.compile(
    rf"前\s*(?P<n>{_ARABIC}|{_HANZI_NUM})\s*(?:名|位|单|件)|(?i:(?:the\s+)?first\s+(?P<n2>{_ARABIC}|{_EN_NUM_WORD})\s+(?:customers|orders|buyers|"
    r"people|shoppers))"
)
_SOCIAL = re.compile(
    rf"(?:已售|月销|销量|热销|累计销售|卖出|售出)\s*(?P<n>{_ARABIC}(?:\s?万)?|{_HANZI_NUM})\s*\+?\s*(?:{_STOCK_UNITS})?|"
    rf"{_NUMBER_START}(?P<n2>{_ARABIC}(?:\s?万)?)\s*\+?\s*(?:人|位)(?:回购|好评|推荐|选择|购买|种草|使用|已购)|"
    rf"(?i:rated\s+(?P<n4>{_ARABIC})\s*(?:out\s+of\s+5|/\s*5)(?:\s+stars)?)|"
    rf"(?i:{_NUMBER_START}(?P<n3>{_ARABIC})\+?\s+(?:sold|happy\s+customers|(?:five|5)[- ]star\s+reviews|orders\s+shipped))"
)

# --- masks: spans that hold no claims ---------------------------------------------------------------
_MASKS = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|\d\ufe0f?\u20e3|\b(?:24/7|7/24)\b|7\s?[x×]\s?24|"
    r"\(?\d{3}\)?[\s-]\d{3}-\d{4}|\d{1,2}[:：]\d{2}(?:\s*(?:a\.?m\.?|p\.?m\.?))?"
)
_FULLWIDTH = {i: i - 0xFEE0 for i in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_FULLWIDTH.update(
    {
        0xFFE5: ord("¥"),
        0xFF05: ord("%"),
        0xFF04: ord("$"),
        0xFF0B: ord("+"),
        0xFF0D: ord("-"),
        0xFF0E: ord("."),
        0xFF0F: ord("/"),
        0xFF5E: ord("~"),
        0x301C: ord("~"),
        0x2013: ord("-"),
        0x00A0: ord(" "),
        0x3000: ord(" "),
    }
)

# --- conditions on policy facts ---------------------------------------------------------------------
_CONDITIONS: dict[str, re.Pattern[str]] = {
    "member": re.compile(r"会员|(?i:\bmembers?(?:hip)?\b|loyalty|rewards\s+program)"),
    "first_order": re.compile(r"首单|新客|新人|新用户|(?i:first\s+order|new\s+customers?)"),
    "birthday": re.compile(r"生日|(?i:birthday)"),
    "referral": re.compile(r"邀请|推荐好友|(?i:refer(?:red|ral)?\b|a\s+friend)"),
    "cutoff": re.compile(
        r"\d{1,2}(?:[:：]\d{2}|点)\s*(?:前|以前)|(?i:(?:placed|order(?:ed)?)\s+(?:by|before)\s+(?:\d|noon|midday)|"
        r"usually|typically)|一般"
    ),
    "defect": re.compile(r"质量问题|(?i:damaged|defective|our\s+mistake|wrong\s+item)"),
    "medical": re.compile(r"就诊|医院|诊断|(?i:doctor|medical)"),
}
_NEGATION = re.compile(
    r"不支持|不提供|不参与|不享受|不适用|不包邮|不退|不可|不能|无法|暂不|不再|不予|未满|不满足|不计|由买家承担|买家承担|购买了?运费险|"
    r"(?i:\b(?:not|no|never|cannot)\b|n't\b|aren't|isn't)"
)
_POSITIVE_NO = re.compile(
    r"(?i:not\s+counting|not\s+including|no[- ]questions[- ]asked|no\s+extra\s+(?:charge|cost)|"
    r"at\s+no\s+(?:extra\s+)?(?:charge|cost)|"
    r"no\s+additional|no\s+minimum|don't\s+need\s+to\s+(?:send|return)|no\s+need)"
)
_UNCONDITIONAL = re.compile(r"不限金额|全场包邮|全国包邮|(?i:every\s+order|all\s+orders|any\s+order|no\s+minimum)")
_THRESHOLD_CUE = re.compile(
    rf"(?:满|(?i:orders?\s+(?:of|over|above)|over|above|at\s+least|kicks\s+in\s+at))\s*(?P<m>{_MONEY})|"
    rf"(?P<m2>{_money_re('q')})\s*(?:以上|起|\+|(?i:or\s+more|and\s+up|free[- ]shipping\s+threshold))"
)
_TOPIC_KEYS: dict[str, re.Pattern[str]] = {
    "free_shipping": re.compile(
        r"包邮|免运费|免邮|(?i:free[- ](?:standard\s+)?(?:shipping|delivery)|ships?\s+free|"
        r"free\s+on\s+orders)"
    ),
    "no_reason_returns": re.compile(r"无理由"),
    "returns": re.compile(r"退货|退换|(?i:\breturns?\b|\breturnable\b)"),
    "free_returns": re.compile(r"运费险|退货包运费|免费退换|(?i:free\s+returns?|return\s+labels?\s+(?:are|is)\s+free)"),
    "dispatch": re.compile(r"发货|发出|(?i:\bships?\b|\bshipped\b|dispatch\w*|processing|leave\s+the\s+same\s+day)"),
    "delivery": re.compile(r"送达|到货|次日达|(?i:\bdeliver(?:y|ed)\b(?!\s+date)|\barriv\w+)"),
    "authentic": re.compile(r"正品|(?i:authentic\w*|genuine)"),
    "price_protection": re.compile(r"保价|价保|价格保护|(?i:price\s+(?:protection|match|adjustment|guarantee))"),
    "warranty": re.compile(r"保修|质保|(?i:warrant\w*)"),
    "money_back": re.compile(r"退款保证|无效退款|不满意.{0,6}退款|(?i:money[- ]back|satisfaction\s+guarantee)"),
    "breakage": re.compile(r"破损|漏液|错发|漏发|(?i:damaged|defective|broken|wrong\s+item)"),
    "quality": re.compile(r"质量问题"),
}
_WINDOW_ANCHOR = re.compile(r"(?i:(?:of|after|from)\s+delivery)|签收")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?P<h>.+?)\s*#*\s*$")
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;\n]+|(?<=[a-z0-9)\]*])\.\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_UNIT_AHEAD = re.compile(rf"\s*(?:{_UNIT_ALT}|元)")
_NOT_MONEY_AHEAD = re.compile(rf"\s*(?:%|折|[A-Za-z]|{_UNIT_ALT})")
_BEFORE_WORD = re.compile(r"(?i:before)\s*$")
_DIGITS_DOT = re.compile(r"[\d.]+")
_KEY_UNIT = re.compile(r"[(（]\s*([^()（）]+?)\s*[)）]\s*$")
_TABLE_RULE = re.compile(r":?-{2,}:?")
_MEMBER_POLICY = re.compile(r"member|loyal|会员|reward", re.IGNORECASE)
_DELIVERY_WORDS = re.compile(r"送达|到货|(?i:deliver(?:y|ed)\s+in)")
_SAME_DAY = re.compile(r"当天|当日|(?i:same\s+day)")
_NEXT_DAY = re.compile(r"次日|(?i:next\s+(?P<b>business\s+)?day)")
_NO_AMOUNT = re.compile(r"[^\d$¥]*")
_AUTHENTIC_TIMES = re.compile(rf"(?P<n>{_ARABIC}|{_HANZI_NUM})\s*倍(?:赔偿|赔付)|假一(?:赔|罚)(?P<n2>{_HANZI_NUM}|\d+)")
_NAME_SPLIT = re.compile(r"[\s,，()（）/|·]+")
_NAME_WORD = re.compile(r"[a-z][a-z'-]+")
_EDITION_WORDS = re.compile(r"限量|限定|(?i:limited[- ](?:edition|release))")
_LATIN4 = re.compile(r"[a-z]{4,}")
_LATIN3 = re.compile(r"[a-z]{3,}")
_ZH_DATE_HEAD = re.compile(r"^(?:\d{4}\s*年\s*)?\S+?\s*月\s*\S+?\s*([日号])")
_EN_DATE_HEAD = re.compile(r"^(?i:[A-Za-z]+\.?)\s+\d{1,2}(?:st|nd|rd|th)?")
_EN_SHORT_MONTH = re.compile(r"[A-Za-z]{3}\.?\s")
_SLASH_DATE_HEAD = re.compile(r"^\d{1,2}/\d{1,2}")
_ISO_DATE_HEAD = re.compile(r"^\d{4}([-/.])\d{1,2}\1\d{1,2}")
