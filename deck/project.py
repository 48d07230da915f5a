"""Where a build's files are: the project, and one talk built at one quality in it.

`Project` is the folder a `deck` command works in (its talk file, `build/` and
`presentations/`) and the deck's code that a build's stamps hash. `Build` is made once
per command from the project, the talk and the quality, and passed down to the renders,
the slide cache, the stamps and the exports: none of them builds a path of its own, so a
test points a whole build at a temporary folder by making its own `Project`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deck.content.model import DEFAULT_PRESET
from deck.talk import Talk

PACKAGE = Path(__file__).resolve().parent  # the deck's own code


@dataclass(frozen=True)
class Project:
    root: Path = PACKAGE.parent
    code: Path = PACKAGE  # hashed as a build input: a copy can be edited in a test

    @property
    def talk_file(self) -> Path:
        """The talk file a command reads when `--talk` names none (if it exists)."""
        return self.root / "talk.toml"

    @property
    def presentations(self) -> Path:
        return self.root / "presentations"

    @property
    def attention_cache(self) -> Path:
        """Real attention weights computed from checkpoints (deck/content/realattention.py)."""
        return self.root / "build" / "attention"

    def build(self, talk: Talk, quality: str) -> Build:
        return Build(
            talk=talk,
            quality=quality,
            folder=self.root / "build" / talk.slug / quality,
            out_dir=self.presentations,
            stem=export_stem(talk.slug),
            project=self,
        )


THIS_PROJECT = Project()  # the checkout this code is in: what `deck` works on


def export_stem(slug: str) -> str:
    """`gqa` for the default talk; `gqa-<model>[-<theme>]` for any other."""
    return "gqa" if slug == DEFAULT_PRESET else f"gqa-{slug}"


@dataclass(frozen=True)
class Build:
    """One talk at one quality: what is rendered (`folder`) and exported (`out_dir`/`stem`)."""

    talk: Talk
    quality: str
    folder: Path  # build/<talk>/<quality>/: the renders, the slide cache, the lock
    out_dir: Path  # presentations/
    stem: str  # the exports' file names: <stem>.html, <stem>.pdf, ...
    project: Project = THIS_PROJECT

    @property
    def slides(self) -> Path:
        """manim-slides' output: one JSON per scene and its videos."""
        return self.folder / "slides"

    @property
    def beats(self) -> Path:
        """The slide cache (deck/build/beatcache.py)."""
        return self.folder / "beats"

    @property
    def pictures(self) -> Path:
        """The slides' pictures the exports embed, kept between exports."""
        return self.folder / "pictures"

    @property
    def media(self) -> Path:
        """manim's own output, with one text and formula cache per scene."""
        return self.folder / "media"

    @property
    def present(self) -> Path:
        """The presenter's folder: the deck as one presentation, its keys."""
        return self.folder / "present"

    def log(self, scene: str) -> Path:
        return self.folder / "logs" / f"{scene}.log"

    def stats(self, scene: str) -> Path:
        """Wall time and peak memory of the scene's last render (read by bench/)."""
        return self.folder / "logs" / f"{scene}.stats.json"
