"""Write the last frame of every slide as a PNG, without rendering video.

    uv run python scripts/stills.py [--preset NAME] [--height 1080] [OUT_DIR]

For reviewing the deck's pictures: one file per slide, `NN-Scene-beat.png`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from manim import tempconfig
from PIL import Image

from deck import theme
from deck.model import DEFAULT_PRESET, PRESETS
from deck.scenes import SCENES, first_slide_number
from deck.scenes.base import PRESET_ENV


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="build/stills", type=Path)
    parser.add_argument("--preset", default=DEFAULT_PRESET, choices=list(PRESETS))
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    os.environ[PRESET_ENV] = args.preset
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
    for scene_cls in SCENES:
        with tempconfig(options):

            class Still(scene_cls):
                def close_slide(self, name: str) -> None:
                    super().close_slide(name)
                    self.renderer.update_frame(self, ignore_skipping=True)
                    number = first_slide_number(type(self)) + len(self.snapshots) - 1
                    path = args.out / f"{number:02d}-{type(self).__bases__[0].__name__}-{name}.png"
                    Image.fromarray(self.renderer.get_frame()).convert("RGB").save(path)
                    print(path)

            scene = Still()
            scene.setup()
            scene.construct()


if __name__ == "__main__":
    main()
