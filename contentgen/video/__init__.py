"""Short videos: a typed timeline, captions, brand cards, a fast renderer, and probes of the result.

    from contentgen.video import Timeline, Scene, KenBurns, Crossfade, CaptionStyle, render

OpenCV, imageio-ffmpeg and jieba are imported only when a video is rendered or narration is split.
"""

from contentgen.providers.base import Cue
from contentgen.video.brand import card_image, card_word_cuts, intro_card, outro_card, with_transition
from contentgen.video.captions import (
    CaptionImage,
    CaptionStyle,
    caption_area,
    caption_block,
    caption_max_chars,
    caption_word_cuts,
    cues_from_chunks,
    render_caption,
    split_captions,
    spread_cues,
    srt_text,
    vtt_text,
    write_srt,
    write_vtt,
)
from contentgen.video.encode import EncodeError, EncodeSettings
from contentgen.video.engine import RenderResult, render, render_frame
from contentgen.video.probe import MediaInfo, ProbeError, audio_rms, frame_at, probe, top_level_boxes, verify_video
from contentgen.video.timeline import (
    Crossfade,
    Cut,
    KenBurns,
    Overlay,
    Scene,
    Slide,
    Static,
    Timeline,
    TimelineError,
    View,
    frame_size,
)

__all__ = [
    "CaptionImage",
    "CaptionStyle",
    "Crossfade",
    "Cue",
    "Cut",
    "EncodeError",
    "EncodeSettings",
    "KenBurns",
    "MediaInfo",
    "Overlay",
    "ProbeError",
    "RenderResult",
    "Scene",
    "Slide",
    "Static",
    "Timeline",
    "TimelineError",
    "View",
    "audio_rms",
    "caption_area",
    "caption_block",
    "caption_max_chars",
    "caption_word_cuts",
    "card_image",
    "card_word_cuts",
    "cues_from_chunks",
    "frame_at",
    "frame_size",
    "intro_card",
    "outro_card",
    "probe",
    "render",
    "render_caption",
    "render_frame",
    "split_captions",
    "spread_cues",
    "srt_text",
    "top_level_boxes",
    "verify_video",
    "vtt_text",
    "with_transition",
    "write_srt",
    "write_vtt",
]
