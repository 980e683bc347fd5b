"""Synthetic customers and event streams for journeys, written in chunks so any size fits in little memory.

customers.csv: customer_id, time_zone, consents, locale, tier, name, birthday, recommendations
events.jsonl:  {"customer_id", "event", "sku", "time", "order_id"}

Behaviour follows the planted RFM groups of `synth.BEHAVIOURS`: orders in the history window, product views and
carts (some abandoned) in the last days, live-room clicks, points expiring, stock and price alerts, a few sign-ups
and unsubscribes. Names are made up; the same seed writes the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from contentgen.customers.synth import BEHAVIOURS, END, _people, _products
from contentgen.errors import ConfigError
from contentgen.fileio import atomic_path

CHUNK = 20_000
ZONES = {
    "zh-CN": ("Asia/Shanghai",) * 18 + ("Asia/Hong_Kong", "Asia/Singapore"),
    "en-US": ("America/New_York",) * 6 + ("America/Chicago",) * 4 + ("America/Los_Angeles",) * 5
    + ("America/Denver", "Pacific/Honolulu", "Pacific/Kiritimati", "Pacific/Pago_Pago"),
}  # fmt: skip
CHANNELS = ("sms", "email", "wecom", "app-push")
CONSENT_P = {"sms": 0.8, "email": 0.6, "wecom": 0.55, "app-push": 0.5, "name": 0.5}
RECENT = ("product_viewed", "cart_abandoned", "live_room_click_without_order", "points_expiring",
          "back_in_stock", "price_drop")  # fmt: skip
RECENT_P = (0.30, 0.12, 0.06, 0.05, 0.03, 0.03)


@dataclass(frozen=True)
class StreamStats:
    customers: int
    events: int
    end: dt.date


def write_journey_inputs(
    customers_path: Path, events_path: Path, n: int, *, seed: int = 7, kit: object | None = None
) -> StreamStats:
    """Write `n` customers and their events, CHUNK customers at a time; both files atomically."""
    if n < 1:
        raise ConfigError(f"the number of customers must be at least 1, got {n}")
    if isinstance(kit, str):
        from contentgen.domain.loaders import load_brand_kit

        kit = load_brand_kit(kit)
    locale = getattr(kit, "locale", "zh-CN")
    skus, prices = _products(kit)  # type: ignore[arg-type]
    weights = prices**-0.3
    weights /= weights.sum()
    rng = np.random.default_rng(seed)
    groups = list(BEHAVIOURS)
    shares = np.array([BEHAVIOURS[g].share for g in groups])
    end = dt.datetime.combine(END, dt.time(12), tzinfo=dt.UTC)
    zones = ZONES[locale]
    total_events = 0
    with atomic_path(customers_path) as tmp_c, atomic_path(events_path) as tmp_e:  # noqa: SIM117
        with tmp_c.open("w", encoding="utf-8", newline="") as out_c, tmp_e.open("w", encoding="utf-8") as out_e:
            writer = csv.writer(out_c, lineterminator="\n")
            writer.writerow(("customer_id", "time_zone", "consents", "locale", "tier", "name", "birthday",
                             "recommendations"))  # fmt: skip
            order_no = 0
            for start in range(0, n, CHUNK):
                size = min(CHUNK, n - start)
                people = _people(rng, locale, size)  # type: ignore[arg-type]
                planted = rng.choice(len(groups), size=size, p=shares / shares.sum())
                zone_ix = rng.integers(0, len(zones), size)
                consent = {c: rng.random(size) < p for c, p in CONSENT_P.items()}
                births = rng.integers(0, 365, size)
                recs_off = rng.random(size) < 0.1
                has_tier = rng.random(size) < 0.7
                recent = rng.random((size, len(RECENT))) < np.array(RECENT_P)
                signed = rng.random(size) < 0.02
                unsub = rng.random(size) < 0.01
                lines = []
                for i in range(size):
                    cid = f"C{seed:02d}{start + i:08d}"
                    group = groups[planted[i]]
                    b = BEHAVIOURS[group]
                    consents = ";".join(c for c in (*CHANNELS, "name") if consent[c][i])
                    birthday = (dt.date(2001, 1, 1) + dt.timedelta(days=int(births[i]))).strftime("%m-%d")
                    writer.writerow((cid, zones[zone_ix[i]], consents, locale, group if has_tier[i] else "",
                                     people[i][0], birthday, "off" if recs_off[i] else "on"))  # fmt: skip
                    orders = int(rng.integers(b.orders[0], b.orders[1], endpoint=True))
                    last = int(rng.integers(b.last[0], b.last[1], endpoint=True))
                    backs = np.sort(rng.integers(last, last + max(1, b.span[1] // 3) + 1, orders))
                    for back in backs:
                        order_no += 1
                        when = end - dt.timedelta(days=int(back), seconds=int(rng.integers(0, 86400)))
                        for sku_ix in rng.choice(len(skus), size=int(rng.integers(1, 3)), p=weights):
                            lines.append((cid, "order_placed", skus[sku_ix], when, f"O{seed:02d}{order_no:09d}"))
                    for j, event in enumerate(RECENT):
                        if recent[i, j]:
                            when = end - dt.timedelta(seconds=int(rng.integers(600, 2 * 86400)))
                            lines.append((cid, event, skus[int(rng.choice(len(skus), p=weights))], when, ""))
                    if signed[i]:
                        lines.append((cid, "signed_up", "", end - dt.timedelta(hours=int(rng.integers(1, 48))), ""))
                    if unsub[i]:
                        lines.append((cid, "unsubscribed", "", end - dt.timedelta(days=int(rng.integers(1, 30))), ""))
                for cid, event, sku, when, order in lines:
                    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
                    row = {"customer_id": cid, "event": event, "sku": sku, "time": stamp, "order_id": order}
                    out_e.write(json.dumps(row) + "\n")
                total_events += len(lines)
    return StreamStats(n, total_events, END)
