"""Numbers as copy writes them (129, 24.99, ¥129); parsing lives in `contentgen.text.numbers` (re-exported here)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from contentgen.domain.product import CURRENCY_SYMBOLS
from contentgen.text.numbers import _ONE_WORDS, _SPACES, chinese_number, parse_number

__all__ = ["_ONE_WORDS", "_SPACES", "chinese_number", "parse_number"]


def _numeral(value: Decimal, like: str = "") -> str:
    """A number as copy writes it: 129, 24.99, 8.5; two decimals when the text replaced had them (129.00)."""
    if "." in like and len(like.rsplit(".", 1)[1]) == 2:
        return f"{value:.2f}"
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return f"{value.quantize(Decimal('0.01')):.2f}".rstrip("0").rstrip(".")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _money(amount: Decimal, currency: str | None) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency or "", "" if currency is None else currency + " ")
    return f"{symbol}{_numeral(amount)}"
