"""The live presenter: manim-slides' Qt player, set up for this deck.

`deck present` writes a folder beside the renders (`build/<talk>/<quality>/present/`):
- `Talk.json`: every scene's slides as ONE presentation, so the info window counts
  slides across the deck ("4/16", as the frames say) instead of within each scene
  ("4/7"), and `--start-at N` is simply slide N;
- `keys.toml`: the player's keys, with Page Down / Page Up (what presentation clickers
  send) added to next / previous;
- `stills/`: each slide's last frame, which the info window previews as "next slide"
  (its video starts as a cross-fade from the slide before: a blend of both), and
  `stills.json` naming them by video;
then runs the player in a child process, `python -m deck.commands.player ...`, which first keeps
the FFmpeg inside Qt to warnings and errors (at its default level every video it opens
prints its stream information: 363 lines in one run through the deck) and Qt's line about
a missing sound server out (the videos are silent), and stages the windows
(deck/compat/manim_slides.py `stage_player`: notes at a readable size, on one screen the
notes below the slide rather than over it).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from deck.compat.manim_slides import (
    run_presenter,
    slide_video,
    stage_player,
    write_presenter_keys,
)
from deck.compat.pyside import quiet_qt_ffmpeg, quiet_qt_messages
from deck.failure import PresentError

PRESENTATION = "Talk"  # Talk.json: the whole deck as one presentation
KEYS_FILE = "keys.toml"
STILLS, STILLS_FILE = "stills", "stills.json"
STILL_WIDTH = 720  # px: the 360 px preview, sharp on a screen at twice the pixels
# Qt key names added to manim-slides' defaults (→ next, ← previous, Space pause/resume,
# R replay, V reverse, F full screen, H mouse pointer, Q quit). Clickers send Page Down
# and Page Up; manim-slides 5.7 has no black-screen action for the B or . some also send.
EXTRA_KEYS = {"NEXT": ("PageDown",), "PREVIOUS": ("PageUp",)}
# Qt's own messages about optional libraries it did not find (PipeWire, VA-API) and about
# software decoding: noise in a talk's terminal. Warnings of other categories still show.
QUIET_QT = ";".join(
    (
        "qt.multimedia.*.info=false",
        "qt.multimedia.symbolsresolver.warning=false",
        "qt.multimedia.playbackengine.codec.warning=false",
    )
)


# What Qt Multimedia says when no PulseAudio server runs (a projector's laptop, a virtual
# display): the deck's videos are silent, so it is noise. Other messages still show.
NO_SOUND_SERVER = ("PulseAudioService: pa_context_connect() failed",)


def merged_presentation(slides_dir: Path, scene_names: Sequence[str]) -> dict:
    """The scenes' slide configs as one manim-slides presentation, with absolute video
    paths (so that it can live in any folder)."""
    slides: list[dict] = []
    first: dict | None = None
    for name in scene_names:
        path = Path(slides_dir) / f"{name}.json"
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PresentError(
                f"{path} is unreadable ({type(exc).__name__}): run `deck build` again"
            ) from None
        first = first or config
        if (config.get("resolution"), config.get("background_color")) != (
            first.get("resolution"),
            first.get("background_color"),
        ):
            raise PresentError(
                f"{path} was rendered at another size or colour than {scene_names[0]}: "
                "run `deck build` again"
            )
        for slide in config.get("slides", []):
            slide = dict(slide)
            for key in ("file", "rev_file"):
                if slide.get(key):
                    slide[key] = str(slide_video(path, slide[key]).resolve())
            slides.append(slide)
    if first is None:
        raise PresentError("no scenes to present")
    return {**first, "slides": slides}


def _temp(path: Path) -> Path:
    """A file beside `path` to write first and move into place (nothing half-written)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def prepare(slides_dir: Path, scene_names: Sequence[str], folder: Path) -> Path:
    """Write `folder/Talk.json` and `folder/keys.toml` for the renders in `slides_dir`;
    return `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    merged = merged_presentation(slides_dir, scene_names)
    temp = _temp(folder / f"{PRESENTATION}.json")
    temp.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, folder / f"{PRESENTATION}.json")
    prepare_keys(folder / KEYS_FILE)
    prepare_stills(merged["slides"], folder)
    return folder


def prepare_stills(slides: list[dict], folder: Path) -> dict[str, str]:
    """Each slide's last frame in `folder/stills/` (named by its video's scene and file
    name, which is a digest of its content: a still is made once) and
    `folder/stills.json`: video path → still."""
    from deck.export.videos import last_frame

    (folder / STILLS).mkdir(exist_ok=True)
    stills = {}
    for slide in slides:
        video = Path(slide["file"])
        still = folder / STILLS / f"{video.parent.name}-{video.stem}.jpg"  # scene, digest
        if not still.is_file():
            frame = last_frame(video)
            frame.thumbnail((STILL_WIDTH, STILL_WIDTH))
            temp = _temp(still)
            frame.convert("RGB").save(temp, "JPEG", quality=90)
            os.replace(temp, still)
        stills[str(video.resolve())] = str(still)
    temp = _temp(folder / STILLS_FILE)
    temp.write_text(json.dumps(stills, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, folder / STILLS_FILE)
    return stills


def prepare_keys(path: Path) -> Path:
    """Write the player's key file (manim-slides' defaults and `EXTRA_KEYS`) to `path`."""
    temp = _temp(path)
    write_presenter_keys(temp, EXTRA_KEYS)
    os.replace(temp, path)
    return path


def command(folder: Path, *, start_at: int = 1, info_window: bool = False) -> list[str]:
    """The child process that shows the prepared deck from slide `start_at` (1-based)."""
    cmd = [
        sys.executable,
        "-m",
        "deck.commands.player",
        "--config",
        str(folder / KEYS_FILE),
        "--folder",
        str(folder),
        PRESENTATION,
        "--start-at-slide-number",
        str(start_at - 1),
    ]
    if info_window:
        cmd.append("--show-info-window")
    return cmd


def environment() -> dict[str, str]:
    """The child's environment: Qt's multimedia chatter off, unless rules are set."""
    return {**os.environ, "QT_LOGGING_RULES": os.environ.get("QT_LOGGING_RULES", QUIET_QT)}


def main(args: list[str]) -> None:
    """In the child: quiet FFmpeg and Qt's sound-server line, stage the windows, then run
    the player (`manim-slides present ARGS`, whose --folder is the prepared one)."""
    quiet_qt_ffmpeg()
    quiet_qt_messages(NO_SOUND_SERVER)
    folder = Path(args[args.index("--folder") + 1])
    stills = json.loads((folder / STILLS_FILE).read_text(encoding="utf-8"))
    stage_player(stills)
    run_presenter(args)


if __name__ == "__main__":
    main(sys.argv[1:])
