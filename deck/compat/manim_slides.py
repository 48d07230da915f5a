"""manim-slides' internals the deck reaches into (see deck/compat/__init__.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

LIBRARY, CHECKED = "manim-slides", "5.7"


# ── manim-slides: what a Slide has recorded ──────────────────────────────
# manim-slides 5.7's Slide keeps the slides closed so far in `_slides` and the open one's
# options in `_base_slide_config`, both with `.notes`; the open slide is closed only when
# the scene is saved, so a scene that was constructed but not rendered still holds it.
def recorded_slide_notes(scene) -> list[str]:
    """The notes of every slide `scene` has recorded, the still-open last one included."""
    return [s.notes for s in scene._slides] + [scene._base_slide_config.notes]


# ── manim-slides: reading a rendered deck ────────────────────────────────
# manim-slides 5.7 writes `<folder>/<Scene>.json` with each slide's `file` and `rev_file`
# as `<folder>/files/<Scene>/<name>.mp4` (absolute when the folder it was given is), and
# `src`, the video a slide was copied from, as given. PresentationConfig.from_file
# resolves relative paths against the folder's parent and validates the rest (pydantic,
# raising ValidationError), `src` included: it must still exist.
SLIDE_VIDEO_FIELDS = ("file", "rev_file")


def slide_video(config_file: Path, file: str) -> Path:
    """A video path from a slide config, resolved as PresentationConfig.from_file does."""
    return Path(config_file).parent.parent / file


def make_portable(raw: dict, config_file: Path) -> bool:
    """Rewrite the slide config `raw`, read from `config_file`, so that it still holds
    once the project is moved: video paths relative to the config's folder's parent
    (what from_file resolves them against), and no `src` (the slide's own copy is its
    `file`). A path into another folder (the project before it moved) is taken to be the
    same video in this one. Return whether anything changed."""
    folder = Path(config_file).parent
    changed = False
    for slide in raw.get("slides", []) if isinstance(raw.get("slides"), list) else []:
        if not isinstance(slide, dict):
            continue
        if slide.get("src") is not None:
            slide["src"], changed = None, True
        for field in SLIDE_VIDEO_FIELDS:
            value = slide.get(field)
            if isinstance(value, str) and Path(value).is_absolute():
                path = Path(value)
                if path.is_relative_to(folder.parent):
                    relative = path.relative_to(folder.parent)
                else:
                    relative = Path(folder.name, "files", Path(config_file).stem, path.name)
                slide[field], changed = relative.as_posix(), True
    return changed


def load_presentation(config_file: Path) -> PresentationConfig:
    from manim_slides.config import PresentationConfig

    return PresentationConfig.from_file(Path(config_file))


# ── manim-slides: the live presenter ─────────────────────────────────────
# manim-slides 5.7's `manim_slides.present.present` is the click command behind
# `manim-slides present`. Called directly it skips the command group, which asks PyPI for
# a newer release at every start (2 s without a network). Its key bindings are
# `manim_slides.config.Config` (a pydantic model: `keys.<ACTION>.ids`, Qt key codes from
# `key_id("PageDown")`), read from the TOML file given by `--config`.
def run_presenter(args: list[str]) -> None:
    """`manim-slides present ARGS` in this process (exits when the player closes)."""
    from manim_slides.present import present

    present.main(args=args, prog_name="manim-slides present")


def write_presenter_keys(path: Path, extra: dict[str, tuple[str, ...]]) -> None:
    """A presenter config with the default keys plus `extra` Qt key names per action
    (e.g. {"NEXT": ("PageDown",)})."""
    from manim_slides.config import Config, key_id

    config = Config()
    for action, names in extra.items():
        key = getattr(config.keys, action)
        # plain ints: PySide6's enum members do not serialise to TOML
        key.set_ids(*key.ids, *(int(getattr(k, "value", k)) for k in map(key_id, names)))
    config.to_file(path)


def presenter_keys(path: Path) -> dict[str, set[int]]:
    """The Qt key codes of each action in a presenter config, as the player reads it."""
    from manim_slides.config import Config

    return {action: set(key.ids) for action, key in Config.from_file(path).keys}


# ── manim-slides: the player's windows (present/player.py's Player and Info) ──
# manim-slides 5.7's info window previews the next slide by looping its video, whose first
# frames are this deck's cross-fade from the current slide (a blend of both); its notes
# are a QLabel in Qt's default 12–13 px, 360 px wide; on one screen it opens at the same
# corner as the slide window, over it. `stage_player` patches the two classes before
# `run_presenter` makes them (in the presenter's own process only).
NOTES_PX = 20  # the notes, read at arm's length
LABELS_PX = 16  # the info window's other text: "Next slide", slide number, times
NOTES_WIDTH = 560  # px: 9–10 words a line at NOTES_PX
SLIDE_SHARE = 0.55  # one screen: the slide window's share of its width, the notes below it


def stage_player(stills: dict[str, Path]) -> None:
    """The next slide previewed as its last frame (`stills`: a video's resolved path →
    that picture), the notes at NOTES_PX, and on one screen the slide window at the top
    left with the info window below it (without its copy of the current slide)."""
    from manim_slides.present.player import Info, Player
    from qtpy.QtCore import Qt, QTimer
    from qtpy.QtGui import QPixmap
    from qtpy.QtWidgets import QLabel

    info_init, preview, show = Info.__init__, Player.preview_next_slide, Player.show

    def staged_info(self, **kwargs) -> None:
        info_init(self, **kwargs)
        self.setStyleSheet(f"QLabel {{ font-size: {LABELS_PX}px; }}")
        self.slide_notes.setStyleSheet(f"font-size: {NOTES_PX}px;")
        self.slide_notes.setFixedWidth(NOTES_WIDTH)

    def preview_still(self) -> None:
        slide = self.next_slide_config
        still = slide and stills.get(str(Path(slide.file).resolve()))
        if not still:
            return preview(self)
        self.info.next_media_player.stop()
        self.info.next_video_widget.hide()
        label = self.info.next_image_label
        box = label.parentWidget().size()  # the preview's fixed 360 × 240
        label.setPixmap(
            QPixmap(str(still)).scaled(
                box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        label.show()

    def staged_show(self, screens) -> None:
        one_screen = not (self.hide_info_window or self.isFullScreen() or len(screens) > 1)
        if one_screen:
            tile(self)  # before the windows are mapped: their first geometry
        show(self, screens)
        if one_screen:  # once mapped, their frames (title bars) are known
            QTimer.singleShot(0, lambda: below(self))

    def tile(self) -> None:
        current = self.info.main_video_widget.parentWidget()
        current.hide()  # the slide window beside it shows the current slide
        for label in self.info.findChildren(QLabel):
            if label.text() == "Current slide":
                label.hide()
        # manim-slides holds the window at the videos' size or more (its picture label's
        # minimum, for image slides, which this deck has none of): a 1080p deck on a
        # 1080p screen would fill it
        self.image_label.setMinimumSize(1, 1)
        area = self.screen().availableGeometry()
        w, h = self.current_presentation_config.resolution
        width = round(area.width() * SLIDE_SHARE)
        height = round(width * h / w)
        self.setGeometry(area.x(), area.y(), width, height)
        self.info.setGeometry(area.x(), area.y() + height, area.width(), area.height() - height)

    def below(self) -> None:
        """The info window's frame just under the slide window's, to the screen's foot."""
        area = self.screen().availableGeometry()
        top = self.frameGeometry().bottom() + 1
        decoration = self.info.frameGeometry().height() - self.info.height()
        self.info.move(self.frameGeometry().x(), top)
        self.info.resize(area.width(), max(area.bottom() + 1 - top - decoration, 1))

    Info.__init__ = staged_info
    Player.preview_next_slide = preview_still
    Player.show = staged_show
