"""Journeys as data: trigger, steps, exits, experiment; the contact policy (caps, quiet hours) all journeys share."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator, Field, field_validator, model_validator

from contentgen.domain.brief import Promotion
from contentgen.domain.common import Model, Slug, first_repeat
from contentgen.domain.experiment import Experiment

# Events read from the events file besides the triggers: an unsubscribe withdraws every consent from that time on.
OTHER_EVENTS = ("unsubscribed",)
Event = Literal[
    "signed_up",
    "cart_abandoned",
    "order_placed",
    "product_viewed",
    "points_expiring",
    "birthday",
    "live_room_click_without_order",
    "back_in_stock",
    "price_drop",
]
EVENTS: tuple[str, ...] = get_args(Event)
Tier = Literal["high-value", "potential", "new", "at-risk", "dormant"]
TIERS: tuple[Tier, ...] = ("high-value", "potential", "new", "at-risk", "dormant")
Exit = Literal["ordered", "unsubscribed", "higher_priority"]
OfferKind = Literal["coupon", "discount", "promo_price", "free_shipping", "gift"]

_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|w)\s*$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: object) -> object:
    """'30m', '2h', '3d', '1w' or 0 → timedelta; anything else is left for pydantic to refuse."""
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return dt.timedelta(0)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"'{value}' is not a duration like 30m, 2h, 3d or 1w")
        return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    return value


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]


def _clock(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):  # YAML reads 21:00 as sexagesimal 1260
        return dt.time(value // 60 % 24, value % 60)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a time of day like 21:00") from None
    return value


Clock = Annotated[dt.time, BeforeValidator(_clock)]


class QuietHours(Model):
    """No message is sent between `start` and `end` in the customer's own time zone; it waits for `end`."""

    start: Clock
    end: Clock

    def contains(self, local: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class Caps(Model):
    """Messages per customer across all journeys: per local calendar day and per ISO week."""

    per_day: int = Field(default=1, ge=1)
    per_week: int = Field(default=3, ge=1)


class ContactPolicy(Model):
    """`journeys/_contact.yaml`: the frequency cap and quiet hours every journey of a kit obeys."""

    caps: Caps = Caps()
    quiet_hours: QuietHours = QuietHours(start=dt.time(21), end=dt.time(9))


class UsageState(Model):
    """A product is running out: last bought + (its size ÷ daily use) − `days_before`."""

    days_before: int = Field(default=7, ge=0)
    daily_use: dict[str, float] = Field(
        min_length=1, description="catalog category → amount used a day, in the unit of its size (g, ml, cups)"
    )

    @field_validator("daily_use")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for category, amount in value.items():
            if amount <= 0:
                raise ValueError(f"daily use of '{category}' must be above 0")
        return value


class Trigger(Model):
    """What starts a journey: exactly one event, or a state (tier and/or days since the last order, or usage)."""

    event: Event | None = None
    tiers: list[Tier] = []
    days_since_last_order: int | None = Field(default=None, ge=1)
    usage_running_out: UsageState | None = None
    within: Duration = Field(default=dt.timedelta(days=7), description="how long after the trigger it still counts")

    @model_validator(mode="after")
    def _one_kind(self) -> Trigger:
        states = bool(self.days_since_last_order) + bool(self.usage_running_out)
        if self.event is None and states == 0 and not self.tiers:
            raise ValueError("a trigger needs an event, tiers, days_since_last_order or usage_running_out")
        if self.event is not None and states:
            raise ValueError("a trigger is an event or a state, not both")
        if states > 1:
            raise ValueError("choose one of days_since_last_order and usage_running_out")
        return self

    @property
    def kind(self) -> str:
        if self.event:
            return self.event
        if self.days_since_last_order:
            return "days_since_last_order"
        if self.usage_running_out:
            return "usage_running_out"
        return "tier"


class Variation(Model):
    """What a tier gets differently in a step."""

    channel: str | None = None
    offer: OfferKind | str | None = None
    skip: bool = False


class Step(Model):
    id: Slug
    after: Duration = Field(description="time after the trigger when the step is due")
    channel: str
    surface: str | None = Field(default=None, description="a text surface from channels/surfaces; default the channel")
    offer: OfferKind | str | None = Field(default=None, description="a promotion term, or policy:<name>")
    tiers: dict[Tier, Variation] = {}

    def for_tier(self, tier: str) -> tuple[str, str | None, bool]:
        """(channel, offer, skip) for a tier."""
        variation = self.tiers.get(tier)  # type: ignore[call-overload]
        if variation is None:
            return self.channel, self.offer, False
        channel = variation.channel or self.channel
        offer = self.offer if "offer" not in variation.model_fields_set else variation.offer
        return channel, offer, variation.skip


class Journey(Model):
    id: Slug
    kit: str
    name: str = Field(min_length=1)
    priority: int = Field(default=50, ge=0, le=100, description="higher wins when a customer qualifies for two")
    trigger: Trigger
    steps: list[Step] = Field(min_length=1)
    exit: list[Exit] = ["ordered", "unsubscribed", "higher_priority"]
    occasion: str | None = None
    key_message: str | None = None
    promotion: Promotion | None = None
    default_product: str | None = Field(default=None, description="SKU for customers with no product history")
    link: str | None = Field(default=None, description="landing URL; {sku} is replaced; UTM tags are added")
    recommend: bool = Field(default=True, description="add 'you may also like' from co-purchases")
    quiet_hours: QuietHours | None = None
    experiment: Experiment | None = None
    auto_approve: bool = Field(
        default=False,
        description="approve cells that passed every check without a person (recorded as 'auto' in the audit)",
    )

    @field_validator("steps")
    @classmethod
    def _ordered(cls, steps: list[Step]) -> list[Step]:
        ids = [s.id for s in steps]
        dup = first_repeat(ids)
        if dup is not None:
            raise ValueError(f"step '{dup}' appears twice")
        for before, after in itertools.pairwise(steps):
            if after.after <= before.after:
                raise ValueError(f"step '{after.id}' must come later than '{before.id}'")
        return steps

    @property
    def arms(self) -> list[str]:
        return [a.id for a in self.experiment.arms] if self.experiment else []

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)


def journey_file_hint(path: Path) -> str:
    return f"see {path.name}"
