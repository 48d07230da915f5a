"""Write the last frame of every slide as a PNG, without rendering video.

    uv run python scripts/stills.py [--talk FILE] [--theme light|dark]
                                    [--preset NAME | --model CONFIG [--name NAME]]
                                    [--height 1080] [--scene NAME ...] [OUT_DIR]

For reviewing the deck's pictures: one file per slide, `NN-Scene-beat.png`. The talk
is chosen as for `deck build` (the options override the talk file).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from manim import tempconfig

from deck import theme
from deck.compat.manim import CONSTRUCT_ONLY
from deck.scenes import SCENES, make_scene, scenes_of
from deck.talk.options import add_talk_options, resolve_talk
from deck.testing.frames import CapturesFrames


def main() -> int:
    parser = argparse.ArgumentParser(prog="stills", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="build/stills", type=Path)
    add_talk_options(parser)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument(
        "--scene",
        action="append",
        choices=[s.__name__ for s in SCENES],
        default=None,
        help="only this scene's slides (repeatable); default: every scene",
    )
    args = parser.parse_args()
    args.command = "build"  # a build's talk: with the real attention heads when there are weights
    try:
        talk = resolve_talk(args)
    except ValueError as err:  # one line naming the file
        parser.error(str(err))
    args.out.mkdir(parents=True, exist_ok=True)
    options = {
        "pixel_height": args.height,
        "pixel_width": args.height * 16 // 9,
        "media_dir": tempfile.mkdtemp(),
        "skip_animations": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.palette(talk.theme).BACKGROUND,
    }
    for scene_cls in scenes_of(talk):
        if args.scene and scene_cls.__name__ not in args.scene:
            continue
        with tempconfig(options):
            scene = make_scene(scene_cls, talk, CapturesFrames, **CONSTRUCT_ONLY)
            scene.setup()
            scene.construct()
        first = scene.placement.first_slide
        for offset, (name, frame) in enumerate(
            zip(scene.placement.slides, scene.frames, strict=True)
        ):
            path = args.out / f"{first + offset:02d}-{scene_cls.__name__}-{name}.png"
            frame.save(path)
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
