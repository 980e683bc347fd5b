"""Calibrate the name-matching thresholds (agent/names.yaml) on the agent's in-sample labelled sets.

Every single-question item whose answer must cite products that the question names (price, stock, attribute, names,
grounded, multi-part, comparison … items) expects those products to be found; off-catalog, out-of-scope and
unanswerable items expect none. Each matcher is run at every candidate threshold and scored by precision and recall
of the products it finds; the middle of the best-F1 plateau is chosen. The blind batch
(eval/blind5/, batch "blind") is never used; the earlier batches (eval/blind/ … eval/blind4/) are
in-sample.

    python -m contentgen.agent.calibrate            # print the precision/recall curves and the chosen thresholds
    python -m contentgen.agent.calibrate --write    # also rewrite agent/names.yaml
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from contentgen.agent.text import has_cjk

__all__ = ["CurvePoint", "NameCalibration", "calibrate_names", "main", "write_thresholds"]

# Items whose last question names the products its answer must cite.
NAMING_KINDS = frozenset(
    {
        "price",
        "stock",
        "attribute",
        "names",
        "grounded",
        "multi-part",
        "comparison",
        "holdout-price",
        "holdout-stock",
        "holdout-attribute",
        "holdout-comparison",
        "injection",
        "pii",
    }
)
NEGATIVE_KINDS = frozenset({"off-catalog", "out-of-scope", "unanswerable"})
SHARE_GRID = [round(0.30 + 0.05 * i, 2) for i in range(13)]  # 0.30 … 0.90
FUZZY_GRID = [float(v) for v in range(60, 101, 2)]
STRONG_GRID = [round(0.10 + 0.04 * i, 2) for i in range(16)]  # 0.10 … 0.70
PLATEAU = 0.005
MIN_NAMES = 10  # fewer expected names than this in a matcher's items: its shipped threshold is kept


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    precision: float
    recall: float
    f1: float


@dataclass
class NameCalibration:
    """Chosen thresholds per matcher and script, with the curve each was chosen from."""

    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)
    curves: dict[str, list[CurvePoint]] = field(default_factory=dict)
    pairs: dict[str, tuple[int, int]] = field(default_factory=dict)  # (named products expected, items)


def _choose(points: Sequence[CurvePoint]) -> float:
    """The middle of the best-F1 plateau (points within PLATEAU of the best F1): the threshold farthest from both
    the misses and the false matches the labelled set shows."""
    best = max(p.f1 for p in points)
    plateau = [p.threshold for p in points if p.f1 >= best - PLATEAU]
    middle = (plateau[0] + plateau[-1]) / 2
    return min(plateau, key=lambda t: (abs(t - middle), -t))


def _score(predicted: Sequence[set[str]], wanted: Sequence[set[str]]) -> tuple[int, int, int]:
    """(correct, predicted, expected) product mentions over all items."""
    hit = sum(len(p & w) for p, w in zip(predicted, wanted, strict=True))
    return hit, sum(len(p) for p in predicted), sum(len(w) for w in wanted)


def _point(threshold: float, hit: int, said: int, expected: int) -> CurvePoint:
    precision = hit / said if said else 1.0
    recall = hit / expected if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CurvePoint(threshold, precision, recall, f1)


def calibrate_names(kits: Sequence[str] = ("morrow", "qinghe")) -> NameCalibration:
    """Run the matchers over the in-sample items of `kits` at every candidate threshold and pick each one.

    The token matcher (NameMatcher.mentions, with its claiming of overlapping names) is scored on every item; the
    fuzzy matcher only where it acts, on the items in which the token matcher (at its chosen threshold) names
    nothing. Scripts are scored apart (one kit's names are Latin, the other's Chinese)."""
    from contentgen.agent import load_agent
    from contentgen.agent.evaluate import load_eval_set
    from contentgen.agent.names import normalize_text, thresholds
    from contentgen.agent.text import NameMatcher

    calibration = NameCalibration()
    for kit in kits:
        labelled = load_eval_set(kit)
        agent = load_agent(labelled.agent)
        products = list(agent.lexicon.values())
        script = "cjk" if any(has_cjk(p.name) for p in products) else "latin"
        texts, wanted = [], []
        for item in labelled.items:
            if item.batch == "blind" or len(item.turns) != 1:
                continue
            if item.kind in NAMING_KINDS and item.cite:
                wanted.append(set(item.cite))
            elif item.kind in NEGATIVE_KINDS:
                wanted.append(set())
            else:
                continue
            texts.append(normalize_text(item.turns[0]))
        names = [p.name for p in products]
        points = []
        for t in SHARE_GRID:
            matcher = NameMatcher(names, share=t)
            predicted = [{m.product.sku for m in matcher.mentions(text, products)} for text in texts]
            points.append(_point(t, *_score(predicted, wanted)))
        chosen = _choose(points)
        calibration.curves[f"share.{script}"] = points
        calibration.thresholds.setdefault("share", {})[script] = chosen
        calibration.pairs[f"share.{script}"] = (sum(len(w) for w in wanted), len(texts))
        matcher = NameMatcher(names, share=chosen)
        rest = [(text, w) for text, w in zip(texts, wanted, strict=True) if not matcher.mentions(text, products)]
        points = []
        for t in FUZZY_GRID:
            predicted = []
            for text, _ in rest:
                found = agent.fuzzy.best(text, threshold=t)
                predicted.append({found[0].sku} if found else set())
            points.append(_point(t, *_score(predicted, [w for _, w in rest])))
        calibration.curves[f"fuzzy.{script}"] = points
        expected = sum(len(w) for _, w in rest)
        # Too few names left for the fuzzy leg to judge by: the shipped threshold stays.
        shipped = getattr(thresholds().fuzzy, script)
        calibration.thresholds.setdefault("fuzzy", {})[script] = _choose(points) if expected >= MIN_NAMES else shipped
        calibration.pairs[f"fuzzy.{script}"] = (sum(len(w) for _, w in rest), len(rest))
        # The last leg: the top search hit, for what neither matcher names ("防晒棒" for 便携防晒棒).
        fuzzy = calibration.thresholds["fuzzy"][script]
        left = [(text, w) for text, w in rest if agent.fuzzy.best(text, threshold=fuzzy) is None]
        ranked = [agent.retriever.search(text, agent.definition.retrieval.k).hits for text, _ in left]
        points = []
        for t in STRONG_GRID:
            predicted = []
            for (text, _), hits in zip(left, ranked, strict=True):
                strong = agent._strong_hit(text, hits, threshold=t)
                predicted.append({strong.sku} if strong else set())
            points.append(_point(t, *_score(predicted, [w for _, w in left])))
        calibration.curves[f"strong.{script}"] = points
        expected = sum(len(w) for _, w in left)
        shipped = getattr(thresholds().strong, script)
        calibration.thresholds.setdefault("strong", {})[script] = _choose(points) if expected >= MIN_NAMES else shipped
        calibration.pairs[f"strong.{script}"] = (expected, len(left))
    return calibration


def write_thresholds(calibration: NameCalibration, path: Path | None = None) -> Path:
    """Rewrite agent/names.yaml (atomically) with the chosen thresholds, keeping its header comment; a threshold not
    calibrated (a script the kits did not cover) keeps the file's value."""
    from contentgen.agent.names import THRESHOLDS_FILE, NameThresholds
    from contentgen.fileio import atomic_path, load_model

    target = path or THRESHOLDS_FILE
    header = [line for line in target.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    current = load_model(NameThresholds, target).model_dump()
    for name, value in calibration.thresholds.items():
        current.setdefault(name, {}).update(value)
    body = [f"{name}: {{cjk: {value['cjk']}, latin: {value['latin']}}}" for name, value in current.items()]
    with atomic_path(target) as tmp:
        tmp.write_text("\n".join([*header, *body]) + "\n", encoding="utf-8")
    return target


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite agent/names.yaml with the chosen thresholds")
    args = parser.parse_args(argv)
    calibration = calibrate_names()
    for name, points in calibration.curves.items():
        positives, negatives = calibration.pairs[name]
        chosen = calibration.thresholds[name.split(".")[0]][name.split(".")[1]]
        kept = " (too few names to choose by: shipped value kept)" if positives < MIN_NAMES else ""
        print(f"{name}: {negatives} items naming {positives} products; chosen {chosen}{kept}")
        print("  threshold  precision  recall   F1")
        for p in points:
            mark = " <" if p.threshold == chosen else ""
            print(f"  {p.threshold:9.2f}  {p.precision:9.3f}  {p.recall:6.3f}  {p.f1:5.3f}{mark}")
    if args.write:
        print(f"wrote {write_thresholds(calibration)}")


if __name__ == "__main__":
    main()
