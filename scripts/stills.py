"""Write the last frame of every slide as a PNG, without rendering video.

    uv run python scripts/stills.py [--preset NAME] [--height 1080] [OUT_DIR]

For reviewing the deck's pictures: one file per slide, `NN-Scene-beat.png`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from manim import tempconfig

from deck import theme
from deck.frames import CapturesFrames
from deck.model import DEFAULT_PRESET, PRESETS
from deck.scenes import SCENES, make_scene
from deck.talk import Talk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="build/stills", type=Path)
    parser.add_argument("--preset", default=DEFAULT_PRESET, choices=list(PRESETS))
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    options = {
        "pixel_height": args.height,
        "pixel_width": args.height * 16 // 9,
        "media_dir": tempfile.mkdtemp(),
        "skip_animations": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.BACKGROUND,
    }
    talk = Talk.for_preset(args.preset)
    for scene_cls in SCENES:
        with tempconfig(options):
            scene = make_scene(scene_cls, talk, CapturesFrames)
            scene.setup()
            scene.construct()
        first = scene.placement.first_slide
        for offset, (name, frame) in enumerate(
            zip(scene_cls.beat_names(), scene.frames, strict=True)
        ):
            path = args.out / f"{first + offset:02d}-{scene_cls.__name__}-{name}.png"
            frame.save(path)
            print(path)


if __name__ == "__main__":
    main()
