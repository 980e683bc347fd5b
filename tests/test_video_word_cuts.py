"""A word wider than its line is cut only then, and the video says so, as posters do (`poster.word_cut`): on its
intro and outro cards, where narration is split into captions, and in each caption as drawn."""

from __future__ import annotations

import json
from pathlib import Path

from contentgen.domain.loaders import load_brand_kit
from contentgen.pipelines.video import make_video
from contentgen.render.poster_model import WORD_CUT
from contentgen.video import CaptionStyle, caption_block, caption_word_cuts, card_word_cuts, split_captions

LONG = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2  # 90 letters, no break opportunity
SIZE = (360, 640)


def test_cards_captions_and_chunks_report_a_cut_word_and_only_then() -> None:
    kit = load_brand_kit("morrow")
    assert card_word_cuts(kit, SIZE, extra="Shop the blend") == []  # the tagline and a short call to action fit
    ((text, block),) = card_word_cuts(kit, SIZE, extra=f"Try {LONG} now")
    assert text == f"Try {LONG} now" and block.broke_word and len(block.lines) > 1

    style = CaptionStyle.from_kit(kit)
    assert not caption_block("A calm cup of tea", style, SIZE).broke_word
    assert caption_block(LONG, style, SIZE).broke_word

    narration = f"Meet {LONG}, the longest word."
    ((clause, pieces),) = caption_word_cuts(narration, "en-US", 16)
    assert LONG in clause and "".join(pieces).replace(" ", "") == clause.replace(" ", "")
    assert split_captions(narration, "en-US", 16)  # the cues themselves are unchanged by the report
    assert caption_word_cuts("Meet the blend, a calm cup.", "en-US", 16) == []


def test_a_video_reports_its_cut_words(tmp_path: Path) -> None:
    small = {"short_side": 180, "fps": 6}
    first = make_video("morrow", "gen-z", "douyin", "MT-BLK-002", out_dir=tmp_path / "a", seed=1, **small)  # type: ignore[arg-type]
    assert not [f for f in first.findings if f.rule == WORD_CUT], [f.message for f in first.findings]
    data = json.loads(first.storyboard_file.read_text(encoding="utf-8"))
    data["scenes"][0]["narration"] = f"Meet {LONG}, the longest word."
    data["scenes"][-1]["on_screen"] = f"Try {LONG}"  # the CTA scene's line is also the outro card's
    edited = tmp_path / "board.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    again = make_video("morrow", "gen-z", "douyin", "MT-BLK-002", storyboard=edited, out_dir=tmp_path / "b", **small)  # type: ignore[arg-type]
    cuts = {f.field: f for f in again.findings if f.rule == WORD_CUT}
    assert "outro card" in cuts and LONG in (cuts["outro card"].text or "")
    assert any(f.startswith("captions of ") for f in cuts if f), cuts.keys()
    assert all(f.severity.value == "warn" for f in cuts.values())
