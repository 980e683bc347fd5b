"""The agent on its labelled sets (contentgen/agent/eval/<kit>.yaml): retrieval recall@k and MRR, intent accuracy,
answer accuracy, refusal and hand-off precision and recall, and the count of unverified numbers and promises.

An item passes when the outcome has the expected kind and, for answers, cites what it must, contains what it must
and nothing it must not. Unverified claims are counted by an audit independent of the engine's own check: every
number an answer states must appear in the text of what it cites (records, the policies it quotes, the order
record), and every price, discount, stock or promise claim outside a policy quote must ground against the cited
records and the policies.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from contentgen.agent.outcomes import Answer, Intent, Outcome
from contentgen.domain.common import Model
from contentgen.errors import NotFoundError
from contentgen.fileio import load_model

if TYPE_CHECKING:
    from rich.table import Table

    from contentgen.agent.core import Agent

EVAL_DIR = Path(__file__).resolve().parent / "eval"
K = 5
# eval/<folder>/<kit>.yaml merged into a kit's shipped set, with the batch name its items get; all in-sample
IN_SAMPLE = (
    ("hard", "dev"),
    ("blind", "blind1"),
    ("blind2", "blind2"),
    ("dev2", "dev2"),
    ("check", "check"),
    ("blind3", "blind3"),
    ("blind4", "blind4"),
    ("dev3", "dev3"),
    ("dev4", "dev4"),
)
BLIND_DIR = "blind5"  # the current blind batch (batch "blind"); a kit without eval/blind5/<kit>.yaml has none
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_ENUMERATOR = re.compile(r"(?m)^\s*\d{1,2}\.\s")


class EvalItem(Model):
    id: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    blind: bool = False
    # in-sample: "dev" (eval/hard/), "blind1" … "blind4" (eval/blind/, eval/blind2/, eval/blind3/, eval/blind4/:
    # earlier blind batches, looked at, now in-sample), "dev2" / "check" (eval/dev2/, eval/check/: session-5
    # development cases and the check set kept aside until scored once after the changes, now in-sample), "dev3" /
    # "dev4" (eval/dev3/, eval/dev4/: session-7 development cases for the fourth batch's causes); "blind"
    # (eval/blind5/: the current blind batch, written by someone else, scored once, never tuned on; absent until
    # it is dropped in)
    batch: str = "dev"
    turns: list[str] = []
    intent: Intent | None = None
    outcome: Literal["answer", "refusal", "handoff", "any"]
    relevant: list[str] = []
    cite: list[str] = []
    cite_any: list[str] = []
    cite_only: list[str] = []
    contains: list[str] = []
    contains_any: list[str] = []
    absent: list[str] = []
    price_max: Decimal | None = None
    private: list[str] = []  # personal data that must not appear in the answer, transcript, export or logs
    # host mode: the comments a live show receives, the product on screen, what is never / must be said aloud,
    # and the moderation reasons that must be logged
    comments: list[str] = []
    screen: str | None = None
    spoken_absent: list[str] = []
    spoken_contains: list[str] = []
    logged: list[str] = []

    @model_validator(mode="after")
    def _asks_something(self) -> EvalItem:
        if not self.turns and not self.comments:
            raise ValueError("an item needs `turns` (chat) or `comments` (host mode)")
        return self


class EvalSet(Model):
    kit: str
    agent: str
    items: list[EvalItem] = Field(min_length=1)


def eval_sets() -> dict[str, Path]:
    """Kit → its shipped labelled set."""
    return {p.stem: p for p in sorted(EVAL_DIR.glob("*.yaml"))}


def load_eval_set(ref: str | Path) -> EvalSet:
    """A labelled set by kit id (the shipped one, with the in-sample batches of `IN_SAMPLE` and, when its folder
    exists, the current blind batch from eval/blind5/) or file path (taken as it is)."""
    sets = eval_sets()
    path = sets.get(str(ref)) or Path(ref)
    if not path.is_file():
        raise NotFoundError("labelled set", str(ref), sets)
    labelled = load_model(EvalSet, path)
    if path.parent != EVAL_DIR:
        return labelled
    items = list(labelled.items)
    for folder, batch in (*IN_SAMPLE, (BLIND_DIR, "blind")):
        extra = EVAL_DIR / folder / path.name
        if extra.is_file():
            more = load_model(EvalSet, extra)
            items += [i.model_copy(update={"batch": batch, "blind": batch == "blind"}) for i in more.items]
    return labelled.model_copy(update={"items": items})


@dataclass(frozen=True)
class ItemResult:
    item: EvalItem
    outcome: Outcome
    retrieved: tuple[str, ...]
    passed: bool
    problems: tuple[str, ...]
    unverified: tuple[str, ...]
    ms: float


@dataclass(frozen=True)
class Ratio:
    hit: int
    total: int

    @property
    def value(self) -> float:
        return self.hit / self.total if self.total else 1.0


@dataclass
class KitReport:
    kit: str
    results: list[ItemResult] = field(default_factory=list)

    @property
    def has_blind(self) -> bool:
        """Whether the blind batch (eval/blind5/) was run for this kit."""
        return any(r.item.batch == "blind" for r in self.results)

    def subset(self, blind: bool | None) -> list[ItemResult]:
        """All items (None), the blind batch (True) or everything else, the in-sample items (False)."""
        return [r for r in self.results if blind is None or (r.item.batch == "blind") == blind]

    def metrics(self, blind: bool | None = None) -> dict[str, float | int]:
        rows = self.subset(blind)
        ranked = [r for r in rows if r.item.relevant]
        recall = sum(len(set(r.item.relevant) & set(r.retrieved[:K])) / len(r.item.relevant) for r in ranked)
        mrr = sum(_reciprocal_rank(r.item.relevant, r.retrieved) for r in ranked)
        labelled = [r for r in rows if r.item.intent is not None]
        intent_ok = sum(r.outcome.intent == r.item.intent for r in labelled)
        out: dict[str, float | int] = {
            "items": len(rows),
            f"recall@{K}": recall / len(ranked) if ranked else 1.0,
            "mrr": mrr / len(ranked) if ranked else 1.0,
            "intent_accuracy": intent_ok / len(labelled) if labelled else 1.0,
            "answer_accuracy": sum(r.passed for r in rows) / len(rows) if rows else 1.0,
        }
        for kind in ("refusal", "handoff"):
            predicted = [r for r in rows if r.outcome.kind == kind]
            expected = [r for r in rows if r.item.outcome == kind]
            both = [r for r in predicted if r.item.outcome == kind]
            out[f"{kind}_precision"] = len(both) / len(predicted) if predicted else 1.0
            out[f"{kind}_recall"] = len(both) / len(expected) if expected else 1.0
        out["unverified"] = sum(len(r.unverified) for r in rows)
        times = sorted(r.ms for r in rows)
        out["p50_ms"] = times[len(times) // 2] if times else 0.0
        out["p95_ms"] = times[min(len(times) - 1, int(len(times) * 0.95))] if times else 0.0
        return out

    def by_kind(self, blind: bool | None = None) -> dict[str, Ratio]:
        kinds: dict[str, list[bool]] = {}
        for r in self.subset(blind):
            kinds.setdefault(r.item.kind, []).append(r.passed and not r.unverified)
        return {k: Ratio(sum(v), len(v)) for k, v in sorted(kinds.items())}

    @property
    def failures(self) -> list[ItemResult]:
        return [r for r in self.results if not r.passed or r.unverified]


def _reciprocal_rank(relevant: Sequence[str], retrieved: Sequence[str]) -> float:
    for rank, sku in enumerate(retrieved, start=1):
        if sku in relevant:
            return 1 / rank
    return 0.0


def evaluate_kit(agent: Agent, labelled: EvalSet, progress: Callable[[int, int], None] | None = None) -> KitReport:
    """Run every item through `agent` (memory reset per item, earlier turns asked first)."""
    report = KitReport(labelled.kit)
    for i, item in enumerate(labelled.items):
        agent.reset()
        if item.comments:
            report.results.append(_host_item(agent, item))
            if progress:
                progress(i + 1, len(labelled.items))
            continue
        for turn in item.turns[:-1]:
            agent.ask(turn)
        with _captured_logs() as records:
            started = time.perf_counter()
            outcome = agent.ask(item.turns[-1])
            ms = (time.perf_counter() - started) * 1000
        retrieved = agent.history[-1].retrieved if agent.history else ()
        problems = _problems(item, outcome, agent)
        problems += _leaks(item, agent, records)
        report.results.append(
            ItemResult(item, outcome, tuple(retrieved), not problems, tuple(problems), tuple(audit(agent, outcome)), ms)
        )
        if progress:
            progress(i + 1, len(labelled.items))
    return report


@contextmanager
def _captured_logs() -> Iterator[list[str]]:
    """Every agent log record (all levels) while the block runs, formatted as a handler would write it."""
    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("contentgen")
    handler, level = _Keep(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _leaks(item: EvalItem, agent: Agent, records: Sequence[str]) -> list[str]:
    """Personal data of the item found in the transcript, the Markdown export or the logs."""
    if not item.private:
        return []
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        exported = agent.export(Path(folder) / "chat.md").read_text(encoding="utf-8")
    places = {
        "transcript": json.dumps(agent.transcript(), ensure_ascii=False),
        "export": exported,
        "log": "\n".join(records),
    }
    return [f"{where} shows '{value}'" for value in item.private for where, text in places.items() if value in text]


def _host_item(agent: Agent, item: EvalItem) -> ItemResult:
    """A host-mode item: the comments go through moderation and the queue with the `screen` product on air."""
    from contentgen.agent.host import Host

    host = Host(agent)
    with _captured_logs() as records:
        started = time.perf_counter()
        screen = agent.products([item.screen]) if item.screen else []
        lines = list(host.answer_comments(item.comments, on_screen=screen[0] if screen else None))
        ms = (time.perf_counter() - started) * 1000
    spoken = "\n".join(line.text for line in lines)
    lowered = spoken.lower()
    problems = [f"says '{w}' aloud" for w in item.spoken_absent if w.lower() in lowered]
    problems += [f"never says '{w}'" for w in item.spoken_contains if w.lower() not in lowered]
    reasons = {d.reason for d in host.decisions}
    problems += [f"no moderation decision '{r}' logged" for r in item.logged if r not in reasons]
    problems += _leaks(item, agent, records)
    outcome = Answer(spoken, tuple(s for s in {line.sku for line in lines} if s), "small_talk")
    return ItemResult(item, outcome, (), not problems, tuple(problems), (), ms)


def _problems(item: EvalItem, outcome: Outcome, agent: Agent) -> list[str]:
    problems = []
    if item.outcome != "any" and outcome.kind != item.outcome:
        problems.append(f"expected {item.outcome}, got {outcome.kind} ({getattr(outcome, 'reason', outcome.intent)})")
    text = outcome.text.lower()
    for word in item.absent:
        if word.lower() in text:
            problems.append(f"says '{word}'")
    if not isinstance(outcome, Answer) or outcome.kind != item.outcome:
        return problems
    cited = set(outcome.citations)
    missing = [s for s in item.cite if s not in cited]
    if missing:
        problems.append(f"does not cite {', '.join(missing)}")
    if item.cite_any and not cited & set(item.cite_any):
        problems.append(f"cites none of {', '.join(item.cite_any)}")
    stray = sorted(cited - set(item.cite_only)) if item.cite_only else []
    if stray:
        problems.append(f"cites {', '.join(stray)}, outside {', '.join(item.cite_only)}")
    for word in item.contains:
        if word.lower() not in text:
            problems.append(f"lacks '{word}'")
    if item.contains_any and not any(w.lower() in text for w in item.contains_any):
        problems.append(f"lacks all of {item.contains_any}")
    if item.price_max is not None:
        dear = [p.sku for p in agent.products(outcome.citations) if p.price > item.price_max]
        if dear:
            problems.append(f"cites {', '.join(dear)} above {item.price_max}")
    return problems


def audit(agent: Agent, outcome: Outcome) -> list[str]:
    """Numbers and promises in an answer that its cited sources do not hold (independent of the engine's check)."""
    from contentgen.compliance.grounding import ground
    from contentgen.text.sentences import split_sentences

    if not isinstance(outcome, Answer) or outcome.intent == "small_talk":
        return []
    products = agent.products(outcome.citations)
    quoted = "\n".join(agent.policies.get(name, "") for name in outcome.policies)
    sources = "\n".join([*(p.model_dump_json() for p in products), quoted, *_order_records(agent, outcome.text)])
    held = {_value(n) for n in _NUMBER.findall(sources)} | {Decimal(len(outcome.citations))}
    stated = _ENUMERATOR.sub(" ", outcome.text)  # "1. …" list numbers are not claims
    problems = [f"number {n}" for n in _NUMBER.findall(stated) if _value(n) not in held]
    if outcome.intent in {"policy", "order_status"}:
        return problems  # policy passages and order records are quoted; their numbers are checked above
    sheet = agent.verifier.sheet(products)
    for sentence in split_sentences(outcome.text):
        for finding in ground(sentence, sheet, locale=agent.locale):
            problems.append(f"{finding.rule}: {finding.text}")
    return problems


def _value(number: str) -> Decimal | str:
    """A number as a value, so that 69.90 and 69.9 are the same; times and dates stay text."""
    try:
        return Decimal(number.replace(",", ""))
    except ArithmeticError:
        return number


def _order_records(agent: Agent, text: str) -> list[str]:
    tool = agent.tools.get("order_status")
    if tool is None:
        return []
    order_id = tool.order_id(text)
    order = tool.lookup(order_id) if order_id else None
    return [order.record()] if order else []


def render_table(reports: Sequence[KitReport]) -> Table:
    """One column per kit (and its blind subset); one row per metric."""
    from rich.table import Table

    table = Table(title=f"Shopping agent on its labelled sets (recall and MRR at k={K})")
    table.add_column("metric")
    columns: list[dict[str, float | int]] = []
    for report in reports:
        blind = report.has_blind
        table.add_column(f"{report.kit} in-sample" if blind else report.kit, justify="right")
        columns.append(report.metrics(blind=False if blind else None))
        if blind:
            table.add_column(f"{report.kit} blind", justify="right")
            columns.append(report.metrics(blind=True))
    for key in columns[0]:
        cells = []
        for metrics in columns:
            value = metrics[key]
            if key in {"items", "unverified"}:
                cells.append(str(int(value)))
            elif key.endswith("_ms"):
                cells.append(f"{value:.1f}")
            else:
                cells.append(f"{value:.1%}")
        table.add_row(key.replace("_", " "), *cells)
    return table


FAMILIES = (
    "superlative",
    "multi-part",
    "attribute",
    "names",
    "policy",
    "follow-up",
    "emotion",
    "host-moderation",
    "pii",
    "grounded",
    "injection",
    "off-catalog",
)


def render_families(reports: Sequence[KitReport]) -> Table:
    """Pass rate per family (passed with no unverified claim), in-sample and blind, one column pair per kit; the
    issue-14 families first, then the other kinds of the labelled sets."""
    from rich.table import Table

    table = Table(title="Shopping agent by family (passed / items)")
    table.add_column("family")
    cells: list[dict[str, Ratio]] = []
    for report in reports:
        table.add_column(f"{report.kit} in-sample", justify="right")
        cells.append(report.by_kind(blind=False))
        if report.has_blind:
            table.add_column(f"{report.kit} blind", justify="right")
            cells.append(report.by_kind(blind=True))
    kinds = {k for side in cells for k in side}
    order = [f for f in FAMILIES if f in kinds] + sorted(kinds - set(FAMILIES))

    def cell(ratio: Ratio | None) -> str:
        return "-" if ratio is None else f"{ratio.hit}/{ratio.total} ({ratio.value:.0%})"

    for kind in order:
        table.add_row(kind, *(cell(side.get(kind)) for side in cells))
    return table
