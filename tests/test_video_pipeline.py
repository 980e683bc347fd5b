"""Short videos end to end: storyboard, scenes, voice, captions, music; the files probed, not trusted."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from conftest import Cli

from contentgen.pipelines.video import BEATS, Storyboard, load_storyboard, make_video
from contentgen.video import audio_rms, probe

SMALL = {"short_side": 360, "fps": 12}


def srt_cues(path: Path) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        h, m, rest = stamp.split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    cues = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        cues.append((seconds(start), seconds(end), " ".join(lines[2:])))
    return cues


@pytest.fixture(scope="module")
def zh_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    out = tmp_path_factory.mktemp("zh")
    return make_video("qinghe", "gen-z", "douyin", "QH-TNR-001", out_dir=out, seed=2, **SMALL), out  # type: ignore[arg-type]


def test_video_has_every_beat_voice_captions_and_files(zh_video: tuple[object, Path]) -> None:
    result, _ = zh_video
    assert result.ready, [f.message for f in result.findings]  # type: ignore[attr-defined]
    board: Storyboard = result.storyboard  # type: ignore[attr-defined]
    assert [s.beat for s in board.scenes] == list(BEATS)  # the product has selling points: every beat is there
    assert board.source.startswith("copy:")  # written (and checked) by the copy pipeline
    points = next(s for s in board.scenes if s.beat == "points")
    assert points.on_screen == "积雪草提取物与积雪草苷复配，帮助舒缓干燥不适"  # the catalog's own words

    info = probe(result.video)  # type: ignore[attr-defined]
    assert info.video is not None and (info.video.width, info.video.height) == (360, 640)
    assert (info.video.codec, info.video.pix_fmt) == ("h264", "yuv420p")
    assert abs(info.duration - result.duration) <= 0.1  # type: ignore[attr-defined]
    assert info.audio is not None and info.audio.codec == "aac"
    assert audio_rms(result.video) > 0.01  # type: ignore[attr-defined]

    cues = srt_cues(result.srt)  # type: ignore[attr-defined]
    spoken = "".join(s.narration for s in board.scenes)
    assert re.sub(r"[\s，。；、？！]", "", "".join(c[2] for c in cues)) == re.sub(r"[\s，。；、？！]", "", spoken)
    assert all(0 < a < b <= result.duration for a, b, _ in cues)  # type: ignore[attr-defined]
    assert all(b1 <= a2 for (_, b1, _), (a2, _, _) in itertools.pairwise(cues))
    # the voice is where the captions say: louder inside the first cue than in the silent intro before it
    first = cues[0]
    assert audio_rms(result.video, first[0], first[1]) > audio_rms(result.video, 0.0, 0.3)  # type: ignore[attr-defined]
    vtt = result.vtt.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert vtt.startswith("WEBVTT") and cues[0][2].split(" ")[0] in vtt
    assert result.cover.stat().st_size > 1000  # type: ignore[attr-defined]


def test_an_edited_storyboard_renders_again(zh_video: tuple[object, Path], tmp_path: Path) -> None:
    result, _ = zh_video
    data = json.loads(result.storyboard_file.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    data["scenes"][0]["narration"] = "换季了，护肤也换个思路。"
    data["scenes"][0]["on_screen"] = "换季护肤新思路"
    data["scenes"] = data["scenes"][:3] + data["scenes"][-1:]
    edited = tmp_path / "board.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = make_video("qinghe", "gen-z", "douyin", "QH-TNR-001", storyboard=edited, out_dir=tmp_path, **SMALL)  # type: ignore[arg-type]
    assert [s.beat for s in again.storyboard.scenes] == ["hook", "pain", "reveal", "cta"]
    assert "换季了" in again.srt.read_text(encoding="utf-8")
    assert again.duration < result.duration  # type: ignore[attr-defined]
    assert load_storyboard(again.storyboard_file) == again.storyboard


@pytest.mark.parametrize(("aspect", "size"), [("1:1", (360, 360)), ("16:9", (640, 360))])
def test_square_and_landscape(aspect: str, size: tuple[int, int], tmp_path: Path) -> None:
    result = make_video("morrow", "gen-z", "wechat-moments", "MT-GRN-001", aspect=aspect, out_dir=tmp_path, **SMALL)  # type: ignore[arg-type]
    info = probe(result.video)
    assert info.video is not None and (info.video.width, info.video.height) == size
    assert result.ready, [f.message for f in result.findings]
    assert srt_cues(result.srt)[0][2].isascii()  # English voice and captions for the English kit


def test_cli_video(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "video", "--kit", "morrow", "--segment", "silver-haired", "--sku", "MT-BLK-002", "--resolution", "360",
        "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ready"] and Path(data["video"]).exists() and Path(data["srt"]).exists()
    assert data["size"] == [360, 640]


def test_cli_video_bad_input(cli: Cli, tmp_path: Path) -> None:
    result = cli("video", "--kit", "morrow", "--segment", "gen-z", "--channel", "sms", "--out", str(tmp_path))
    assert result.exit_code == 1 and "takes no video" in result.output and "douyin" in result.output
    broken = tmp_path / "board.json"
    broken.write_text('{"version": 1, "brand": "morrow"}', encoding="utf-8")
    result = cli("video", "--kit", "morrow", "--segment", "gen-z", "--storyboard", str(broken))
    assert result.exit_code == 1 and "board.json" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("line", "rule"),
    [("全网第一的爽肤水", "adlaw"), ("今天只要9.9元", "claim.price"), ("医美级的爽肤水", "brand")],
)
def test_a_given_storyboard_gets_the_copy_checks(line: str, rule: str, tmp_path: Path) -> None:
    scene = {"beat": "hook", "narration": line, "on_screen": "换季干燥？", "layout": "video-title"}
    board = Storyboard.model_validate(
        {
            "brand": "qinghe",
            "segment": "gen-z",
            "channel": "douyin",
            "skus": ["QH-TNR-001"],
            "locale": "zh-CN",
            "aspect": "9:16",
            "scenes": [scene],
        }
    )
    made = make_video("qinghe", "gen-z", "douyin", storyboard=board, out_dir=tmp_path, short_side=180, fps=12)
    assert not made.ready
    blocking = [f for f in made.findings if f.blocking and f.field == "scenes.0.narration"]
    assert blocking and any(f.rule.startswith(rule) for f in blocking), made.findings
    clean = board.model_copy(update={"scenes": [board.scenes[0].model_copy(update={"narration": "换季干燥？"})]})
    again = make_video("qinghe", "gen-z", "douyin", storyboard=clean, out_dir=tmp_path, short_side=180, fps=12)
    assert again.ready, again.findings
