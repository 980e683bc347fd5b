"""Products and the catalog: the only source of facts that generated content may state."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from contentgen.domain.common import Model
from contentgen.errors import DataError, NotFoundError

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}
#: The currency a catalog is in when it has no currency column, from the kit's locale.
LOCALE_CURRENCY = {"zh-CN": "CNY", "en-US": "USD"}


class FAQ(Model):
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class Product(Model):
    """One sellable item. Money is Decimal so that prices print exactly as the catalog holds them."""

    sku: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    list_price: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    stock: int = Field(ge=0)
    description: str = ""
    attributes: dict[str, str] = {}
    selling_points: list[str] = []
    specs: dict[str, str] = {}
    ingredients: list[str] = []
    images: list[str] = []
    image_urls: list[str] = []
    """Images given as URLs: kept for reference, never fetched; posters use `images` (local files) only."""
    faqs: list[FAQ] = []
    tags: list[str] = []

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _list_price_not_below_price(self) -> Product:
        if self.list_price is not None and self.list_price < self.price:
            raise ValueError(
                f"list_price {self.list_price} is below price {self.price}; a list price must be the real "
                "higher price, or leave it empty"
            )
        return self

    @property
    def on_sale(self) -> bool:
        return self.list_price is not None and self.list_price > self.price

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def money(self, amount: Decimal | None = None) -> str:
        """Format a price of this product as the catalog states it: ¥129, $24.99."""
        value = self.price if amount is None else amount
        text = f"{value:.2f}".rstrip("0").rstrip(".") if value == value.to_integral_value() else f"{value:.2f}"
        return f"{CURRENCY_SYMBOLS.get(self.currency, self.currency + ' ')}{text}"


class Catalog:
    """An ordered, SKU-indexed set of products loaded from one file."""

    def __init__(
        self,
        products: Sequence[Product],
        source: Path | None = None,
        warnings: Sequence[str] = (),
        images_root: Path | None = None,
    ) -> None:
        self.products = list(products)
        self.source = source
        self.images_root = images_root
        """The folder the products' image paths are relative to (a kit's catalog: the kit folder; a catalog
        file of its own: its folder); None: the kit folder of whoever renders them."""
        self.warnings = list(warnings)
        """One line each, naming file, line and field: things that load but need a person's attention."""
        self._by_sku = {p.sku: p for p in self.products}

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __contains__(self, sku: object) -> bool:
        return sku in self._by_sku

    def get(self, sku: str) -> Product:
        try:
            return self._by_sku[sku]
        except KeyError:
            raise NotFoundError("SKU", sku, self._by_sku) from None

    def default_product(self) -> Product:
        """The product a command makes content about when none is named: the first in stock, else the first."""
        if not self.products:
            raise DataError(self.source or "catalog", "the catalog has no products", hint="add at least one row")
        return next((p for p in self.products if p.in_stock), self.products[0])

    @property
    def categories(self) -> list[str]:
        return sorted({p.category for p in self.products})
