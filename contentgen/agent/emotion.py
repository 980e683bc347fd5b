"""Offline emotion of a shopper's message: neutral, negative (a complaint) or angry, in Chinese and English.

A character n-gram logistic regression (scikit-learn) trained at first use on the labelled messages that ship with
the package (`emotion/messages.yaml`, 300 messages, zh and en); training takes well under a second and the model is
kept for the process. Excitement ("第一！！！", "first!!!", "？？？") is labelled neutral in the data: repeated
punctuation alone is not anger. `evaluate()` measures it on a held-out split of the same file.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from contentgen.domain.common import Model
from contentgen.fileio import load_model

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]

__all__ = ["EMOTION_DATA", "Emotion", "EmotionReport", "classify", "evaluate", "load_messages"]

EMOTION_DATA = Path(__file__).resolve().parent / "emotion" / "messages.yaml"
Label = Literal["neutral", "negative", "angry"]
LABELS: tuple[Label, ...] = ("neutral", "negative", "angry")
# Hand off when P(negative) + P(angry) reaches this: calibrated on held-out splits of the labelled messages
# (mean over 6 splits: 0.25 → recall 0.89 / precision 0.95; 0.30 → 0.87 / 0.98; 0.20 → 0.94 / 0.85), together with
# the language pack's upset and complaint cues, which the agent checks as well.
HANDOFF = 0.25


class _ByLanguage(Model):
    zh: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


class _Messages(Model):
    neutral: _ByLanguage
    negative: _ByLanguage
    angry: _ByLanguage


class _Lexicon(Model):
    angry: list[str] = Field(min_length=1)
    negative: list[str] = Field(min_length=1)


class EmotionData(Model):
    version: int = Field(ge=1)
    messages: _Messages
    lexicon: _Lexicon


@dataclass(frozen=True)
class Emotion:
    """A message's label and the classifier's probability for it."""

    label: Label
    confidence: float

    upset: float = 0.0  # probability of negative or angry

    @property
    def handoff(self) -> bool:
        """A complaint or an angry customer: a person should take it (threshold calibrated, see `HANDOFF`)."""
        return self.upset >= HANDOFF


@dataclass(frozen=True)
class EmotionReport:
    """Held-out scores: macro-F1 over the three labels and the recall of hand-off (negative or angry)."""

    train: int
    test: int
    macro_f1: float
    handoff_recall: float
    handoff_precision: float


@functools.cache
def _data(path: Path) -> EmotionData:
    return load_model(EmotionData, path)


def load_messages(path: Path = EMOTION_DATA) -> list[tuple[str, Label, str]]:
    """(text, label, language) for every labelled message."""
    data = _data(path)
    rows: list[tuple[str, Label, str]] = []
    for label in LABELS:
        group: _ByLanguage = getattr(data.messages, label)
        rows += [(t, label, "zh") for t in group.zh] + [(t, label, "en") for t in group.en]
    return rows


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _cue_pattern(words: list[str]) -> re.Pattern[str]:
    """Latin words whole ("hell" is not in "hello"), Chinese ones anywhere."""
    parts = [rf"\b{re.escape(w.lower())}\b" if w[:1].isascii() else re.escape(w) for w in words]
    return re.compile("|".join(parts))


class _Cues:
    """Hit counts of the lexicon's cue words per label (a scikit-learn transformer)."""

    def __init__(self, lexicon: _Lexicon) -> None:
        self.lexicon = lexicon
        self._angry = _cue_pattern(lexicon.angry)
        self._negative = _cue_pattern(lexicon.negative)

    def fit(self, texts: list[str], labels: object = None) -> _Cues:
        return self

    def transform(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            lowered = _normal(text)
            angry = len(self._angry.findall(lowered))
            negative = len(self._negative.findall(lowered))
            out.append([min(angry, 3) / 3, min(negative, 3) / 3, float(angry > 0), float(negative > 0)])
        return out

    def get_params(self, deep: bool = True) -> dict[str, object]:
        return {"lexicon": self.lexicon}


def _train(rows: list[tuple[str, Label, str]], path: Path = EMOTION_DATA) -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), preprocessor=_normal, sublinear_tf=True),
        _Cues(_data(path).lexicon),
    )
    model = make_pipeline(features, LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced"))
    model.fit([r[0] for r in rows], [r[1] for r in rows])
    return model


@functools.cache
def _model() -> Pipeline:
    return _train(load_messages())


def classify(text: str) -> Emotion:
    """The emotion of one message (the model is trained on first use)."""
    model = _model()
    probabilities = model.predict_proba([text])[0]
    best = int(probabilities.argmax())
    label: Label = str(model.classes_[best])  # type: ignore[assignment]
    neutral = float(probabilities[list(model.classes_).index("neutral")])
    return Emotion(label, float(probabilities[best]), 1.0 - neutral)


def _split(rows: list[tuple[str, Label, str]], share: float, seed: int) -> tuple[list[tuple[str, Label, str]], ...]:
    """A stratified split by label and language, the same every run."""
    rng = random.Random(seed)
    train, test = [], []
    for label in LABELS:
        for language in ("zh", "en"):
            group = [r for r in rows if r[1] == label and r[2] == language]
            rng.shuffle(group)
            cut = round(len(group) * share)
            test += group[:cut]
            train += group[cut:]
    return train, test


def evaluate(
    path: Path = EMOTION_DATA,
    *,
    share: float = 0.3,
    seed: int = 14,
    cues: Callable[[str], bool] | None = None,
) -> EmotionReport:
    """Train on part of the labelled messages and score the held-out rest: macro-F1 of the labels, and hand-off
    recall/precision of the decision (the calibrated threshold, or'ed with `cues`, e.g. the agent's own cue words)."""
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]

    train, test = _split(load_messages(path), share, seed)
    model = _train(train, path)
    texts = [r[0] for r in test]
    predicted = [str(p) for p in model.predict(texts)]
    truth = [r[1] for r in test]
    macro = float(f1_score(truth, predicted, labels=list(LABELS), average="macro"))
    neutral = list(model.classes_).index("neutral")
    flags = [
        1.0 - float(p[neutral]) >= HANDOFF or (cues is not None and cues(text))
        for p, text in zip(model.predict_proba(texts), texts, strict=True)
    ]
    upset = [t != "neutral" for t in truth]
    hits = sum(f and u for f, u in zip(flags, upset, strict=True))
    recall = hits / sum(upset) if any(upset) else 1.0
    precision = hits / sum(flags) if any(flags) else 1.0
    return EmotionReport(len(train), len(test), macro, recall, precision)
