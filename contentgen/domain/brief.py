"""Briefs and promotion terms: the only source of discounts, coupons and dates in generated content."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field, model_validator

from contentgen.domain.common import Model
from contentgen.domain.product import Product


class Coupon(Model):
    """A coupon: `amount` off when the order reaches `threshold` (满threshold减amount)."""

    code: str | None = None
    amount: Decimal = Field(gt=0, decimal_places=2)
    threshold: Decimal = Field(default=Decimal(0), ge=0, decimal_places=2)


class Promotion(Model):
    """Promotion terms. Every discount, price cut, coupon, gift or date that copy states must come from here."""

    name: str = Field(min_length=1, description="e.g. 618年中大促, Spring Tea Week")
    start: dt.date
    end: dt.date
    discount_percent: int | None = Field(default=None, gt=0, lt=100, description="percent off the price")
    promo_prices: dict[str, Decimal] = Field(default={}, description="SKU → promotional price")
    coupon: Coupon | None = None
    gift: str | None = Field(default=None, description="free gift with purchase, as it may be stated")
    free_shipping: bool = False

    @model_validator(mode="after")
    def _dates(self) -> Promotion:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Brief(Model):
    """What a piece of copy is for: occasion, key message, promotion terms."""

    occasion: str | None = Field(default=None, description="e.g. 开学季, Mother's Day, weekend family day")
    key_message: str | None = None
    promotion: Promotion | None = None

    def promo_price(self, product: Product) -> Decimal | None:
        """The promotional price the brief sets for a product: its own promo price, else the percent off."""
        promotion = self.promotion
        if promotion is None:
            return None
        if product.sku in promotion.promo_prices:
            return Decimal(promotion.promo_prices[product.sku])
        if promotion.discount_percent:
            cut = product.price * Decimal(100 - promotion.discount_percent) / Decimal(100)
            return cut.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return None
