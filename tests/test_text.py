"""contentgen.text: the one sentence splitter and the one zh/en number parser."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contentgen.text.numbers import chinese_number, parse_number
from contentgen.text.sentences import SentenceBuffer, split_sentences


def test_split_sentences_keeps_ends_and_joins_back() -> None:
    text = 'Hi there. It costs $5.95! Ok?  "Yes." Next\n\n好的。真的」吗？好… end'
    parts = split_sentences(text)
    assert parts == [
        "Hi there. ",
        "It costs $5.95! ",
        "Ok?  ",
        '"Yes." ',
        "Next\n\n",
        "好的。",
        "真的」吗？",
        "好… ",
        "end",
    ]
    assert "".join(parts) == text
    assert split_sentences(text, keep_ends=False)[0] == "Hi there."


def test_split_clauses_not_inside_numbers() -> None:
    assert split_sentences("a, b、c: 1,000 and 10:30.", clauses=True) == ["a, ", "b、", "c: ", "1,000 and 10:30."]
    assert split_sentences("   ") == []


def test_sentence_buffer_waits_for_a_full_stop_at_the_end() -> None:
    buffer = SentenceBuffer()
    out = [list(buffer.feed(piece)) for piece in ["Hi. It is $5.", "95 now.", " Ok"]]
    assert out == [["Hi. "], [], ["It is $5.95 now. "]]
    assert list(buffer.flush()) == ["Ok"]


@pytest.mark.parametrize(
    ("text", "plain", "colloquial"),
    [("一百五", 105, 150), ("两千五", 2005, 2500), ("一百零五", 105, 105), ("两千五百", 2500, 2500), ("十五", 15, 15)],
)
def test_colloquial_chinese_numbers(text: str, plain: int, colloquial: int) -> None:
    assert chinese_number(text) == Decimal(plain)
    assert parse_number(text, colloquial=True) == Decimal(colloquial)


def test_parse_number_forms() -> None:
    assert parse_number("1,299.00") == Decimal("1299.00")
    assert parse_number("10万") == Decimal(100000)
    assert parse_number("twenty one") == Decimal(21)
    assert parse_number("百") is None


def test_an_initialism_does_not_end_a_sentence_before_a_lower_case_word() -> None:
    from contentgen.text.sentences import SentenceBuffer, split_sentences

    assert split_sentences("We ship to P.O. boxes. Not overnight.") == ["We ship to P.O. boxes. ", "Not overnight."]
    assert split_sentences("Order by 12:00 p.m. on Fridays.") == ["Order by 12:00 p.m. on Fridays."]
    assert split_sentences("We ship in the U.S. We don't ship abroad.") == [
        "We ship in the U.S. ",
        "We don't ship abroad.",
    ]
    buffer = SentenceBuffer()
    streamed = [s for piece in ("We ship to P.", "O.", " ", "boxes. Not", " overnight.") for s in buffer.feed(piece)]
    assert [*streamed, *buffer.flush()] == ["We ship to P.O. boxes. ", "Not overnight."]
