"""`results import`: channel reports and customer outcomes read into the run's results store.

Two kinds of file, told apart by their columns:

- **channel reports** (ad platforms, SMS and e-mail tools): impressions, clicks, orders, revenue and cost per tracking
  code (a bare code, or a URL / URL-parameters cell that carries `cg=…`), per `utm_content` (artifact id + arm) or per
  artifact id, optionally per day. Column names as the platforms export them, in Chinese or English (巨量引擎/千川,
  小红书聚光, 腾讯广告, Meta and Google Ads): see `CHANNEL_ALIASES`.
- **customer outcomes** (shop or CRM exports): customer id, event (order, click), value, time, optionally an order id
  and a tracking code.

A column-mapping file (YAML: `columns: {"Header as exported": field}`, optional `kind: channel|outcomes`) names the
columns of any other export. Bad rows are counted and listed (with the reason), unknown ids are listed as unmatched,
a file whose columns cannot be mapped is refused with one line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from contentgen.errors import DataError
from contentgen.results.store import connect
from contentgen.results.units import RunIndex, Unit, load_run

Kind = Literal["channel", "outcomes"]
METRICS = ("impressions", "clicks", "orders", "revenue", "cost")


_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")


def normalise_header(header: str) -> str:
    """'Amount spent (USD)' → 'amountspent', 'Impr.' → 'impr', '消耗(元)' → '消耗': how headers are compared."""
    text = _BRACKETS.sub("", header.strip().lstrip("\ufeff")).lower()
    return re.sub(r"[\s_.\-:：/]+", "", text)


def _aliases(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {normalise_header(a): f for f, aliases in table.items() for a in (f, *aliases)}


CHANNEL_ALIASES = _aliases(
    {
        "code": [
            "tracking_code",
            "tracking code",
            "cg",
            "追踪码",
            "跟踪码",
            "监测码",
            "推广码",
            "URL parameters",
            "URL 参数",
            "链接参数",
            "Final URL",
            "最终到达网址",
            "落地页",
            "落地页链接",
            "落地页URL",
            "Website URL",
            "link",
            "链接",
            "短链",
            "短链接",
        ],
        "utm_content": ["utm_content"],
        "artifact_id": ["artifact", "artifact id"],
        "arm": ["variant", "实验组", "分组"],
        "day": ["date", "日期", "时间", "数据日期", "统计日期", "Reporting starts", "开始日期", "stat_datetime", "天"],
        "impressions": [
            "impr.",
            "impression",
            "展示数",
            "展示次数",
            "展现数",
            "展现量",
            "展现次数",
            "曝光次数",
            "曝光量",
            "曝光数",
            "show",
            "送达数",
            "delivered",
            "sent",
        ],
        "clicks": ["click", "link clicks", "点击数", "点击次数", "点击量", "链接点击量"],
        "orders": [
            "order",
            "conversions",
            "conv.",
            "purchases",
            "results",
            "转化数",
            "转化量",
            "成交订单数",
            "订单数",
            "订单量",
            "下单量",
            "下单数",
            "支付订单数",
            "成交单数",
            "直接成交订单数",
            "convert",
        ],
        "revenue": [
            "conv. value",
            "conversion value",
            "all conv. value",
            "purchases conversion value",
            "成交金额",
            "直接成交金额",
            "支付金额",
            "销售额",
            "下单金额",
            "订单金额",
            "转化金额",
            "GMV",
            "成交GMV",
        ],
        "cost": ["spend", "amount spent", "消耗", "整体消耗", "花费", "总花费", "消费", "费用", "花费金额"],
        "simulated": [],
    }
)
OUTCOME_ALIASES = _aliases(
    {
        "customer_id": [
            "customer",
            "customer id",
            "客户id",
            "客户编号",
            "用户id",
            "会员id",
            "会员号",
            "user_id",
            "buyer_id",
            "openid",
            "unionid",
        ],
        "event": ["event_type", "事件", "事件类型", "行为"],
        "value": ["amount", "revenue", "金额", "订单金额", "实付金额", "支付金额", "成交金额"],
        "at": [
            "time",
            "timestamp",
            "event_time",
            "created_at",
            "时间",
            "下单时间",
            "支付时间",
            "付款时间",
            "date",
            "日期",
        ],
        "order_id": ["order", "订单号", "订单编号", "订单id"],
        "code": ["tracking_code", "tracking code", "cg", "追踪码", "跟踪码", "utm_content"],
        "simulated": [],
    }
)
CHANNEL_FIELDS = frozenset(CHANNEL_ALIASES.values())
OUTCOME_FIELDS = frozenset(OUTCOME_ALIASES.values())
EVENTS = {
    "order": ("order", "purchase", "purchased", "下单", "支付", "成交", "购买", "付款"),
    "click": ("click", "clicked", "点击"),
}
TOTAL_WORDS = ("合计", "总计", "汇总", "total", "totals", "grand total")
_CODE = re.compile(r"(?<![0-9A-Za-z])CG[0-9A-Za-z]{8}(?![0-9A-Za-z])", re.IGNORECASE)
_NUMBER_JUNK = re.compile(r"[¥￥$€£,，\s]|元|RMB|CNY|USD", re.IGNORECASE)
EMPTY = {"", "-", "--", "—", "n/a", "null"}


@dataclass(frozen=True)
class Skip:
    line: int
    reason: str


@dataclass
class ImportResult:
    """One file's import: how many rows joined to what the run sent, and which did not and why."""

    path: Path
    kind: Kind
    file_hash: str
    rows: int = 0
    matched: int = 0
    replaced: int = 0
    unmatched: list[Skip] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    already: bool = False
    simulated: bool = False

    @property
    def join_rate(self) -> float:
        considered = self.matched + len(self.unmatched)
        return self.matched / considered if considered else 0.0


def load_mapping(path: Path) -> tuple[dict[str, str], Kind | None]:
    """A column-mapping file: {columns: {header: field}, kind: channel|outcomes}."""
    from contentgen.fileio import load_structured

    data, lines = load_structured(path)
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise DataError(
            path, 'expected `columns: {"Header as exported": field, …}`', hint="see `results import --help`"
        )
    kind = data.get("kind")
    if kind not in (None, "channel", "outcomes"):
        raise DataError(path, f"kind '{kind}' is not channel or outcomes", line=lines.get(("kind",)), field="kind")
    known = CHANNEL_FIELDS | OUTCOME_FIELDS
    columns: dict[str, str] = {}
    for header, target in data["columns"].items():
        if target not in known:
            raise DataError(
                path,
                f"'{target}' is not a field",
                line=lines.get(("columns", header)),
                field=f"columns.{header}",
                hint=f"fields: {', '.join(sorted(known))}",
            )
        columns[str(header).strip()] = str(target)
    return columns, kind


def _map_columns(
    header: Sequence[str], path: Path, mapping: Mapping[str, str], kind: Kind | None
) -> tuple[Kind, dict[str, str]]:
    """Column → field for the file, and which kind of file it is; one-line error when it cannot be mapped."""

    def resolve(aliases: Mapping[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for column in header:
            target = mapping.get(column.strip()) or aliases.get(normalise_header(column))
            if target and target not in out.values():
                out[column] = target
        return out

    outcome_columns = resolve(OUTCOME_ALIASES)
    channel_columns = resolve(CHANNEL_ALIASES)
    if kind is None:
        kind = "outcomes" if "customer_id" in outcome_columns.values() else "channel"
    shown = ", ".join(header[:12]) + (" …" if len(header) > 12 else "")
    hint = 'name them in a column-mapping file: --mapping map.yaml (`columns: {"Header": field}`)'
    if kind == "outcomes":
        fields = set(outcome_columns.values())
        need = [f for f in ("customer_id", "at") if f not in fields]
        if not need and not fields & {"event", "value"}:
            need = ["event or value"]
        if need:
            raise DataError(path, f"cannot map the columns ({shown}): no {' or '.join(need)} column", line=1, hint=hint)
        return kind, outcome_columns
    fields = set(channel_columns.values())
    if not fields & {"code", "utm_content", "artifact_id"}:
        raise DataError(
            path,
            f"cannot map the columns ({shown}): no tracking code, utm_content or artifact id column",
            line=1,
            hint=hint,
        )
    if not fields & set(METRICS):
        raise DataError(
            path,
            f"cannot map the columns ({shown}): none of impressions, clicks, orders, revenue, cost",
            line=1,
            hint=hint,
        )
    return kind, channel_columns


def _number(text: str) -> float | None:
    cleaned = _NUMBER_JUNK.sub("", text)
    if cleaned.lower() in EMPTY:
        return 0.0
    try:
        return float(cleaned.rstrip("%"))
    except ValueError:
        return None


def _day(text: str) -> dt.date | None:
    cleaned = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    if re.fullmatch(r"\d{8}", cleaned):
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    try:
        return dt.date.fromisoformat(cleaned[:10])
    except ValueError:
        return None


def _time(text: str) -> dt.datetime | None:
    cleaned = text.strip().replace("/", "-").replace("Z", "+00:00")
    try:
        value = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        day = _day(cleaned)
        if day is None:
            return None
        value = dt.datetime(day.year, day.month, day.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _event(text: str) -> str:
    lowered = text.strip().lower()
    return next((name for name, words in EVENTS.items() if lowered in words), lowered)


def _unit(run: RunIndex, cells: Mapping[str, str]) -> tuple[Unit | None, str]:
    """The unit a row is about, and the key it was looked up by (for the unmatched list)."""
    raw = cells.get("code", "")
    if raw:
        found = _CODE.search(raw)
        return (run.unit_for(found.group(0), None, None) if found else None), raw
    if cells.get("utm_content"):
        artifact, _, arm = cells["utm_content"].rpartition(".")
        if not artifact:
            artifact, arm = arm, ""
        return run.unit_for(None, artifact, arm or None), cells["utm_content"]
    artifact = cells.get("artifact_id", "")
    return (run.unit_for(None, artifact, cells.get("arm") or None) if artifact else None), artifact


def _is_total(cells: Mapping[str, str]) -> bool:
    return any(v.strip().lower() in TOTAL_WORDS for v in cells.values() if v)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def import_file(
    run: RunIndex | Path, path: Path, *, mapping: Path | None = None, now: dt.datetime | None = None
) -> ImportResult:
    """Read one report or outcome file into the run's store; the same file again changes nothing."""
    from contentgen.fileio import read_table

    index = run if isinstance(run, RunIndex) else load_run(run)
    if not path.is_file():
        raise DataError(path, "file not found")
    columns, forced = load_mapping(mapping) if mapping else ({}, None)
    digest = file_hash(path)
    rows = list(read_table(path))
    if not rows:
        raise DataError(path, "file has no data rows")
    kind, mapped = _map_columns(list(rows[0][1]), path, columns, forced)
    result = ImportResult(path=path, kind=kind, file_hash=digest)
    with connect(index.root) as db:
        if db.execute("SELECT 1 FROM imports WHERE file_hash = ?", (digest,)).fetchone():
            result.already = True
            return result
    now = now or dt.datetime.now(dt.UTC)
    simulated_column = next((c for c, f in mapped.items() if f == "simulated"), None)
    if simulated_column and rows[0][1].get(simulated_column, "").lower() in {"yes", "true", "1"}:
        now = now + dt.timedelta(days=3660)  # a simulated flight may lie ahead: only real exports cannot be future
    earliest = (index.starts - dt.timedelta(days=1)).date()
    parsed: dict[str, tuple[object, ...]] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        cells = {mapped[c]: v for c, v in row.items() if c in mapped}
        if _is_total(row):
            result.skipped.append(Skip(line, "total row"))
            continue
        result.rows += 1
        result.simulated = result.simulated or cells.get("simulated", "").lower() in {"yes", "true", "1"}
        if kind == "channel":
            entry = _channel_row(index, cells, line, earliest, now, result)
        else:
            entry = _outcome_row(index, cells, line, earliest, now, result)
        if entry is None:
            continue
        key, values = entry
        if key in first_line:
            result.skipped.append(Skip(line, f"duplicate of line {first_line[key]}"))
            continue
        first_line[key] = line
        parsed[key] = values
        result.matched += 1
    table = "channel_rows" if kind == "channel" else "outcomes"
    with connect(index.root) as db, db:  # one transaction: all of the file or nothing
        keys = list(parsed)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            result.replaced += db.execute(f"SELECT COUNT(*) FROM {table} WHERE row_key IN ({marks})", chunk).fetchone()[
                0
            ]
        width = 10 if kind == "channel" else 8
        db.executemany(
            f"INSERT OR REPLACE INTO {table} VALUES ({','.join('?' * width)})",
            [(key, digest, *values) for key, values in parsed.items()],
        )
        db.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                digest,
                str(path),
                kind,
                now.isoformat(),
                result.rows,
                result.matched,
                json.dumps([(s.line, s.reason) for s in result.skipped + result.unmatched], ensure_ascii=False),
                int(result.simulated),
            ),
        )
    return result


def _channel_row(
    run: RunIndex, cells: Mapping[str, str], line: int, earliest: dt.date, now: dt.datetime, result: ImportResult
) -> tuple[str, tuple[object, ...]] | None:
    values: dict[str, float] = {}
    for name in METRICS:
        number = _number(cells.get(name, ""))
        if number is None:
            result.skipped.append(Skip(line, f"{name}: '{cells[name]}' is not a number"))
            return None
        if number < 0:
            result.skipped.append(Skip(line, f"{name}: {cells[name]} is negative"))
            return None
        values[name] = number
    if values["clicks"] > values["impressions"] > 0:
        result.skipped.append(
            Skip(line, f"clicks ({values['clicks']:g}) exceed impressions ({values['impressions']:g})")
        )
        return None
    day = ""
    if cells.get("day"):
        parsed = _day(cells["day"])
        if parsed is None:
            result.skipped.append(Skip(line, f"day: '{cells['day']}' is not a date"))
            return None
        if parsed < earliest:
            result.skipped.append(Skip(line, f"day {parsed} is before the run's content existed ({earliest})"))
            return None
        if parsed > now.date() + dt.timedelta(days=1):
            result.skipped.append(Skip(line, f"day {parsed} is in the future"))
            return None
        day = parsed.isoformat()
    unit, looked_up = _unit(run, cells)
    if unit is None:
        result.unmatched.append(Skip(line, f"'{looked_up}' matches nothing this run sent"))
        return None
    return f"{unit.code}|{day}", (line, unit.code, day, *(values[m] for m in METRICS))


def _outcome_row(
    run: RunIndex, cells: Mapping[str, str], line: int, earliest: dt.date, now: dt.datetime, result: ImportResult
) -> tuple[str, tuple[object, ...]] | None:
    customer = cells.get("customer_id", "").strip()
    if not customer:
        result.skipped.append(Skip(line, "customer_id is empty"))
        return None
    at = _time(cells.get("at", ""))
    if at is None:
        result.skipped.append(Skip(line, f"at: '{cells.get('at', '')}' is not a date or time"))
        return None
    value = _number(cells.get("value", ""))
    if value is None:
        result.skipped.append(Skip(line, f"value: '{cells['value']}' is not a number"))
        return None
    if value < 0:
        result.skipped.append(Skip(line, f"value: {cells['value']} is negative"))
        return None
    event = _event(cells.get("event", "") or "order")
    if at.date() < earliest:
        result.skipped.append(Skip(line, f"time {at.date()} is before the run started ({earliest})"))
        return None
    if at > now + dt.timedelta(days=1):
        result.skipped.append(Skip(line, f"time {at.isoformat()} is in the future"))
        return None
    code = ""
    if cells.get("code"):
        unit, looked_up = _unit(
            run, {"code": cells["code"]} if _CODE.search(cells["code"]) else {"utm_content": cells["code"]}
        )
        if unit is None:
            result.unmatched.append(Skip(line, f"'{looked_up}' matches nothing this run sent"))
            return None
        code = unit.code
    elif run.kind == "journey" and customer not in run.customers:
        result.unmatched.append(Skip(line, f"customer '{customer}' was not in this run"))
        return None
    elif run.kind == "campaign" and customer not in run.customers:
        result.unmatched.append(Skip(line, f"customer '{customer}' has no tracking code to join a campaign item by"))
        return None
    order_id = cells.get("order_id", "").strip()
    key = f"order:{order_id}" if order_id else f"{customer}|{event}|{at.isoformat()}|{code}"
    return key, (line, customer, event, value, at.isoformat(), code)


def import_files(root: Path, paths: Sequence[Path], *, mapping: Path | None = None) -> list[ImportResult]:
    """Import several files into one run; each file is its own transaction."""
    index = load_run(root)
    return [import_file(index, path, mapping=mapping) for path in paths]
