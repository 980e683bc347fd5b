"""For one customer and one journey: is it triggered, which step is due, may we send it, when, in which arm.

Pure functions over a customer's own rows; no I/O, so the executors can run them anywhere.

Tier, where the customer file has none, comes from the customer's orders (order_placed events) as of the run:
high-value ≥ 6 orders and the last within 60 days; new = 1 order within 60 days; potential ≥ 2 orders within 90 days;
at-risk ≥ 3 orders within 270 days; dormant otherwise (and customers without orders count as new).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from contentgen.journeys.inputs import NAME_CONSENT, Customer
from contentgen.journeys.model import ContactPolicy, Journey, QuietHours, Step

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(g|ml|pouches|sachets|bags|cups)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    customer_id: str
    step: str
    channel: str
    offer: str | None
    send_at: dt.datetime  # aware, in the customer's zone
    arm: str
    tier: str
    sku: str | None
    occurrence: str  # the trigger occurrence, part of the message id
    message_id: str


@dataclass(frozen=True)
class Skip:
    reason: str


def product_size(specs: Mapping[str, str]) -> float | None:
    """A product's size in its own unit (grams preferred: '3.5 oz (100 g)' → 100; '12 pouches' → 12)."""
    for key in ("净含量", "Net weight", "Net contents", "规格", "Size", "Servings"):
        value = specs.get(key)
        if value:
            matches = _SIZE.findall(value)
            if matches:
                return float(matches[-1][0])
    return None


def derive_tier(orders: Sequence[dt.datetime], as_of: dt.datetime) -> str:
    if not orders:
        return "new"
    days = (as_of - max(orders)).days
    count = len(orders)
    if count >= 6 and days <= 60:
        return "high-value"
    if count == 1 and days <= 60:
        return "new"
    if count >= 2 and days <= 90:
        return "potential"
    if count >= 3 and days <= 270:
        return "at-risk"
    return "dormant"


def order_times(customer: Customer) -> list[dt.datetime]:
    """One time per order (rows of one order share an order id, else a time)."""
    seen: dict[str, dt.datetime] = {}
    for when, event, _sku, order in customer.events:
        if event == "order_placed":
            seen.setdefault(order or when.isoformat(), when)
    return sorted(seen.values())


def message_id(journey: str, step: str, customer_id: str, occurrence: str) -> str:
    """Stable: the same journey step for the same trigger occurrence of a customer has one id, whatever the arm,
    the copy or the run; so a customer gets a step once."""
    text = f"m1|{journey}|{step}|{customer_id}|{occurrence}"
    return "M" + hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def trigger_occurrence(
    journey: Journey,
    customer: Customer,
    tier: str,
    orders: Sequence[dt.datetime],
    as_of: dt.datetime,
    catalog: Mapping[str, tuple[str, float | None]],
) -> tuple[dt.datetime, str | None] | None:
    """(when the journey started for this customer, the product it is about), or None."""
    trigger = journey.trigger
    if trigger.tiers and tier not in trigger.tiers:
        return None
    if trigger.event == "birthday" and customer.birthday:
        local = as_of.astimezone(customer.zoneinfo)
        month, day = customer.birthday
        for year in (local.year + 1, local.year, local.year - 1):
            try:
                start = dt.datetime(year, month, day, tzinfo=customer.zoneinfo)
            except ValueError:  # 29 February in a common year: the 28th
                start = dt.datetime(year, month, 28, tzinfo=customer.zoneinfo)
            if start <= as_of + dt.timedelta(days=1):
                return start.astimezone(dt.UTC), _last_sku(customer, ("order_placed", "product_viewed"))
        return None
    if trigger.event:
        hits = [(w, s) for w, e, s, _o in customer.events if e == trigger.event]
        if not hits:
            return None
        when, sku = max(hits)
        return when, sku or _last_sku(customer, ("order_placed", "product_viewed"))
    if trigger.days_since_last_order:
        if not orders:
            return None
        return orders[-1] + dt.timedelta(days=trigger.days_since_last_order), _last_sku(customer, ("order_placed",))
    if trigger.usage_running_out:
        usage = trigger.usage_running_out
        best: tuple[dt.datetime, str] | None = None
        for when, event, sku, _o in customer.events:
            if event != "order_placed" or sku not in catalog:
                continue
            category, size = catalog[sku]
            daily = usage.daily_use.get(category)
            if daily is None or size is None:
                continue
            start = when + dt.timedelta(days=size / daily - usage.days_before)
            if best is None or start > best[0]:
                best = (start, sku)
        return best
    # a tier alone: once per calendar month in the customer's zone
    local = as_of.astimezone(customer.zoneinfo)
    start = dt.datetime(local.year, local.month, 1, tzinfo=customer.zoneinfo)
    return start.astimezone(dt.UTC), _last_sku(customer, ("order_placed", "product_viewed"))


def _last_sku(customer: Customer, events: tuple[str, ...]) -> str | None:
    found = [(w, s) for w, e, s, _o in customer.events if e in events and s]
    return max(found)[1] if found else None


def after_quiet_hours(when: dt.datetime, quiet: QuietHours) -> dt.datetime:
    """`when` (aware, local) moved to the end of the quiet hours if it falls inside them."""
    if not quiet.contains(when.timetz().replace(tzinfo=None)):
        return when
    end = dt.datetime.combine(when.date(), quiet.end, tzinfo=when.tzinfo)
    if end <= when:
        end = dt.datetime.combine(when.date() + dt.timedelta(days=1), quiet.end, tzinfo=when.tzinfo)
    # through UTC, so a DST gap or fold lands on a real instant
    return end.astimezone(dt.UTC).astimezone(when.tzinfo)


@dataclass
class Context:
    journey: Journey
    higher: Sequence[Journey]  # the kit's journeys with a higher priority
    policy: ContactPolicy
    as_of: dt.datetime
    horizon: dt.timedelta
    catalog: Mapping[str, tuple[str, float | None]]  # sku → (category, size)
    locale: str
    assign: Callable[[str], str] | None


def _due_step(
    journey: Journey, start: dt.datetime, as_of: dt.datetime, horizon: dt.timedelta, sent: set[str], cid: str, occ: str
) -> tuple[Step, dt.datetime] | None:
    for step in journey.steps:
        due = start + step.after
        if due >= as_of + horizon:
            return None
        if due < as_of - journey.trigger.within:
            continue  # missed: too late to send
        if message_id(journey.id, step.id, cid, occ) in sent:
            continue
        return step, due
    return None


def decide(ctx: Context, customer: Customer, sent: set[str], history: Sequence[dt.datetime]) -> Decision | Skip | None:
    """None when the customer is not in the journey now; a Skip with its reason when they are but get nothing."""
    journey = ctx.journey
    orders = order_times(customer)
    tier = customer.tier or derive_tier(orders, ctx.as_of)
    found = trigger_occurrence(journey, customer, tier, orders, ctx.as_of, ctx.catalog)
    if found is None:
        return None
    start, sku = found
    occurrence = f"{journey.trigger.kind}@{start.isoformat()}"
    due = _due_step(journey, start, ctx.as_of, ctx.horizon, sent, customer.id, occurrence)
    if due is None:
        return None
    step, due_at = due
    if customer.locale != ctx.locale:
        return Skip("no copy in the customer's locale")
    if "ordered" in journey.exit and any(w > start for w, e, _s, _o in customer.events if e == "order_placed"):
        return Skip("exit: ordered")
    unsubscribed = any(e == "unsubscribed" for _w, e, _s, _o in customer.events)
    if "unsubscribed" in journey.exit and (unsubscribed or not customer.consents - {NAME_CONSENT}):
        return Skip("exit: unsubscribed")
    if "higher_priority" in journey.exit:
        for other in ctx.higher:
            other_found = trigger_occurrence(other, customer, tier, orders, ctx.as_of, ctx.catalog)
            if other_found is not None:
                occ = f"{other.trigger.kind}@{other_found[0].isoformat()}"
                if _due_step(other, other_found[0], ctx.as_of, ctx.horizon, set(), customer.id, occ):
                    return Skip("exit: in a higher-priority journey")
    channel, offer, skip = step.for_tier(tier)
    if skip:
        return Skip("tier excluded from the step")
    if channel not in customer.consents:
        return Skip(f"no consent for {channel}")
    if sku is None:
        sku = journey.default_product
    local = max(due_at, ctx.as_of).astimezone(customer.zoneinfo)
    send_at = after_quiet_hours(local, journey.quiet_hours or ctx.policy.quiet_hours)
    day = send_at.date()
    same_day = sum(1 for h in history if h.astimezone(customer.zoneinfo).date() == day)
    if same_day >= ctx.policy.caps.per_day:
        return Skip("frequency cap (day)")
    week = day.isocalendar()[:2]
    if sum(1 for h in history if h.astimezone(customer.zoneinfo).date().isocalendar()[:2] == week) >= (
        ctx.policy.caps.per_week
    ):
        return Skip("frequency cap (week)")
    arm = ctx.assign(customer.id) if ctx.assign else ""
    return Decision(
        customer_id=customer.id,
        step=step.id,
        channel=channel,
        offer=offer,
        send_at=send_at,
        arm=arm,
        tier=tier,
        sku=sku,
        occurrence=occurrence,
        message_id=message_id(journey.id, step.id, customer.id, occurrence),
    )
