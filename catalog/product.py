"""The shared catalogue schema: one `Product` that every marketplace connector projects from.

Its JSON form is `Product.model_validate(obj)` / `product.model_dump(mode="json", exclude_none=True)`;
prices travel as strings ("12.50"), never floats. Unknown fields are rejected: a typo is an error, not
lost data.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from catalog import checks, hashing
from catalog.errors import fail

# Most checks are declared as constraints so that pydantic's compiled validators run them; `catalog.errors`
# words their failures for a seller. Python validators are kept for what constraints cannot say.
_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


Sku = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=checks.SKU_PATTERN)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
EbayTitle = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Description = Annotated[str, StringConstraints(min_length=1, max_length=25_000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
AttributeValue = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
ImageUrl = Annotated[
    str, StringConstraints(min_length=1, max_length=checks.MAX_URL, pattern=checks.URL_PATTERN)
]
Currency = Annotated[str, StringConstraints(to_upper=True, pattern=checks.CURRENCY_PATTERN)]
Price = Annotated[Decimal, Field(gt=0, lt=checks.MAX_PRICE, allow_inf_nan=False)]
ProductType = Annotated[
    str, StringConstraints(min_length=1, max_length=100, to_upper=True, pattern=r"^(?i:[A-Z][A-Z0-9_]*)$")
]
CategoryId = Annotated[str, StringConstraints(min_length=1, max_length=10, pattern=r"^[0-9]+$")]
TmallProps = Annotated[
    str, StringConstraints(min_length=1, max_length=1000, pattern=r"^[0-9]+:[0-9]+(?:;[0-9]+:[0-9]+)*;?$")
]
Locale = Annotated[str, AfterValidator(checks.locale)]


class Condition(StrEnum):
    """An item's condition, in the catalogue's words; connectors map it to each marketplace's codes."""

    NEW = "new"
    USED_LIKE_NEW = "used_like_new"
    USED_VERY_GOOD = "used_very_good"
    USED_GOOD = "used_good"
    USED_ACCEPTABLE = "used_acceptable"
    REFURBISHED = "refurbished"


class LocalizedText(BaseModel):
    """Title and description in one locale (Tmall needs zh-CN); at least one of the two is given."""

    model_config = _CONFIG

    title: Title | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> LocalizedText:
        if self.title is None and self.description is None:
            fail("localized text", " needs a title or a description")
        return self


class AmazonOverrides(BaseModel):
    """What differs on Amazon: its product type, and optionally title, price, a held-back quantity, or off.

    `price` is in the product's currency.
    """

    model_config = _CONFIG

    product_type: ProductType | None = None
    title: Title | None = None
    price: Price | None = None
    quantity_buffer: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    enabled: bool = True


class EbayOverrides(BaseModel):
    """What differs on eBay: its leaf category id, and optionally a title (80 at most), price, or off.

    `price` is in the product's currency.
    """

    model_config = _CONFIG

    category_id: CategoryId | None = None
    title: EbayTitle | None = None
    price: Price | None = None
    enabled: bool = True


class TmallOverrides(BaseModel):
    """What differs on Tmall: leaf category id (cid), item properties ("pid:vid;pid:vid"), CNY price, off."""

    model_config = _CONFIG

    cid: Annotated[int, Field(gt=0)] | None = None
    props: TmallProps | None = None
    price_cny: Price | None = None
    enabled: bool = True

    @field_validator("price_cny")
    @classmethod
    def _price_cny(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else checks.price(value, "CNY", "price_cny")


class Product(BaseModel):
    """One sellable item in a seller's catalogue, identified by its SKU.

    `currency` comes before `price` so that the price can be checked against the currency's minor units.
    `parent_sku` names the variation family the item belongs to (which need not be a product of its own);
    `variation_theme` says what varies ("Size", "Color", "SizeColor").
    """

    model_config = _CONFIG

    sku: Sku
    title: Title
    description: Description | None = None
    brand: Name | None = None
    gtin: Name | None = None
    mpn: Name | None = None
    condition: Condition = Condition.NEW
    currency: Currency
    price: Price
    quantity: Annotated[int, Field(ge=0, le=1_000_000_000)]
    image_urls: Annotated[list[ImageUrl], Field(min_length=1, max_length=12)]
    localized: dict[Locale, LocalizedText] = Field(default_factory=dict)
    attributes: Annotated[dict[Name, AttributeValue], Field(max_length=100)] = Field(default_factory=dict)
    parent_sku: Sku | None = None
    variation_theme: Name | None = None
    amazon: AmazonOverrides | None = None
    ebay: EbayOverrides | None = None
    tmall: TmallOverrides | None = None

    @field_validator("gtin")
    @classmethod
    def _gtin(cls, value: str | None) -> str | None:
        return None if value is None else checks.gtin(value)

    @field_validator("price")
    @classmethod
    def _price(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        return checks.price(value, info.data.get("currency"))

    @field_validator("image_urls")
    @classmethod
    def _image_urls(cls, value: list[str]) -> list[str]:
        return checks.distinct(value, "image_urls")

    @model_validator(mode="after")
    def _across_fields(self) -> Product:
        """Checks that need two fields; they run once every field on its own is valid."""
        if self.parent_sku == self.sku:
            fail(
                "parent_sku",
                " is the product's own sku; leave it out for a product without a parent",
                sub=("parent_sku",),
            )
        for name in ("amazon", "ebay"):
            override: AmazonOverrides | EbayOverrides | None = getattr(self, name)
            if override is not None and override.price is not None:
                quantized = checks.price(override.price, self.currency, sub=(name, "price"))
                if str(quantized) != str(override.price):
                    object.__setattr__(self, name, override.model_copy(update={"price": quantized}))
        return self

    def content_hashes(self) -> dict[str, str]:
        """SHA-256 hex digests of the field groups "content", "price", "quantity" and "images".

        See `catalog.hashing` for which field goes in which group; equal groups give equal digests in every
        process, and golden tests pin the digests so that no upgrade changes them unnoticed.
        """
        return hashing.content_hashes(self)
