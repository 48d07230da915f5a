"""The talk file, `talk.toml`: who gives the talk, where, about which model, in which theme.

    title = "Grouped-Query Attention"
    subtitle = ""              # empty: the title slide says how the model shares K and V
    speaker = "Ada Lovelace"
    affiliation = "Analytical Engines"
    event = "ML reading group"
    date = 2026-12-01          # a TOML date (no quotes)
    minutes = 20               # the slot's length
    model = "demo-1b"          # a preset, or a config.json (or its folder), relative to this file
    model_name = "Our 1B"      # the model's name on the slides, with a config.json
    theme = "dark"             # or "light"
    attention_text = "The cat sat on the mat"   # with a model folder that has weights:
    attention_layer = 16       # the real heads shown, layer and KV group from 0
    attention_group = 0        # (defaults: this sentence, the middle layer, group 0)
    cut = "lightning"          # a named cut of the talk (deck/talk/lineup.py; default "talk")
    sections = ["why_gqa", "family", "evidence"]   # or the sections by name, in this order
    skip = ["family.one_group"]                    # single slides left out, `section.beat`

    [notes]                    # a slide's own notes replaced; {m.…} fields are the model's
    "family.highlight_gqa" = "Our {m.n_heads} query heads share {m.n_kv_heads} KV heads."

    [[slide]]                  # a slide of the speaker's own (deck/talk/own_slides.py)
    after = "evidence.models_table"
    title = "Our results"
    image = "results.png"      # or points = ["…", "…"], up to six

Every key is optional; what is left out keeps its default (deck/talk/__init__.py). The file is
read with the standard library's `tomllib`. An unknown key, a wrong type or a model that
is neither a preset nor a file raises `TalkFileError`: one line naming the file and the
key. The command line overrides the file (deck/talk/options.py, `resolve_talk`).
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deck import theme
from deck.content.hfconfig import load_config
from deck.content.model import PRESETS, Model, preset_name
from deck.failure import TalkFileError
from deck.system.characters import refusal
from deck.system.textfile import nesting, read_text
from deck.talk import own_slides
from deck.talk.lineup import DEFAULT_CUT, Chosen, catalogue, choose, did_you_mean, whole_talk
from deck.talk.own_slides import OwnSlide

# The keys that become `Talk` fields as they are, with the type each must have.
TEXT_KEYS = ("title", "subtitle", "speaker", "affiliation", "event")
MODEL_KEYS = ("model", "model_name")
ATTENTION_KEYS = ("attention_text", "attention_layer", "attention_group")
LINEUP_KEYS = ("cut", "sections", "skip")
KEYS = (
    *TEXT_KEYS,
    "date",
    "minutes",
    *MODEL_KEYS,
    "theme",
    *ATTENTION_KEYS,
    *LINEUP_KEYS,
    "notes",
    "slide",
)
# Notes are not drawn with the slides' font but shown as text by the speaker view, the
# presenter and PowerPoint, and set in the handout's fonts (deck/export/pdf_base.py):
# DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew …) and WenQuanYi Micro Hei (Chinese,
# Japanese, Korean). A character neither has would print as an empty box (an emoji).
NOTES_FONTS = ("DejaVu Sans", "WenQuanYi Micro Hei")
MAX_NOTES_CHARS = 4000  # a slide's notes: several minutes of speech
LONGEST_TALK_MINUTES = 24 * 60  # anything longer is a typo (seconds, or a year)
# The longest line each text may be, in characters: what its slide holds at its size
# (the title slide and the closing byline keep their layout at these lengths; tested with
# lines this long in tests/scenes/test_layout.py). A longer one is refused, not shrunk.
MAX_CHARS = {
    "title": 90,  # three lines at the title's size
    "subtitle": 140,  # two lines
    "speaker": 60,
    "affiliation": 80,
    "event": 80,
    "model": 4096,  # a path (PATH_MAX)
    "model_name": 40,  # the model's name sits inside headings and table cells
    "attention_text": 80,  # a sentence; its tokens are checked against the slide's room too
}
WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)  # what deck/export/html.py refuses
WEB_ADDRESS_REFUSED = (
    "holds a web address, which the offline HTML deck refuses; "
    "write it without the scheme (example.org/talk)"
)
MAX_TALK_FILE_BYTES = 64 * 1024  # a talk file is a dozen lines
MAX_NESTING = 8  # a talk file has no tables; TOML nested deeper is no talk file


@dataclass(frozen=True)
class TalkFile:
    """What a talk file says. The model is only referred to here; `model()` loads it."""

    path: Path
    details: dict[str, Any] = field(default_factory=dict)  # Talk fields other than the model
    preset: str | None = None
    config: Path | None = None  # absolute
    model_name: str | None = None

    def fail(self, key: str, reason: str) -> TalkFileError:
        return TalkFileError(self.path, f"{key}: {reason}")

    def model(self, name: str | None = None) -> Model | None:
        """The model the file names (None: it names none); `name` overrides `model_name`."""
        if self.config is not None:
            try:
                return load_config(self.config, name if name is not None else self.model_name)
            except ValueError as err:  # ConfigError: one line naming the config
                raise self.fail("model", str(err)) from None
        return None if self.preset is None else PRESETS[self.preset]


def _text(f: TalkFile, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise f.fail(key, f"must be a string in quotes, got {value!r}")
    if "\n" in value:
        raise f.fail(key, "must be one line")
    if len(value) > MAX_CHARS[key]:
        raise f.fail(key, f"is {len(value)} characters long; at most {MAX_CHARS[key]} fit")
    if key == "model":
        return value.strip()  # a path, which never reaches a slide
    reason = refusal(value, theme.FONT)
    if reason is not None:
        raise f.fail(key, reason)
    if WEB_ADDRESS.search(value):
        raise f.fail(key, WEB_ADDRESS_REFUSED)
    return value.strip()


def _date(f: TalkFile, value: Any) -> datetime.date:
    # a TOML date-time is a datetime, which is also a date: the slides show a day
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise f.fail("date", f"must be a TOML date such as 2026-12-01 (no quotes), got {value!r}")
    return value


def _minutes(f: TalkFile, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise f.fail("minutes", f"must be a whole number of minutes, got {value!r}")
    if not 0 < value <= LONGEST_TALK_MINUTES:
        raise f.fail("minutes", f"must be between 1 and {LONGEST_TALK_MINUTES}, got {value}")
    return value


def _index(f: TalkFile, key: str, value: Any) -> int:
    """A layer or KV group, counted from 0 (its range is the model's, checked when computed)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise f.fail(key, f"must be a whole number from 0, got {value!r}")
    return value


def minutes_option(text: str) -> int:
    """`--minutes` as the file's `minutes`: whole minutes, 1 to a day (argparse's type)."""
    if not text.strip().isdigit() or not 0 < int(text) <= LONGEST_TALK_MINUTES:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of minutes from 1 to {LONGEST_TALK_MINUTES}, got {text!r}"
        )
    return int(text)


def _theme(f: TalkFile, value: Any) -> str:
    if value not in theme.THEMES:
        raise f.fail("theme", f"must be one of {', '.join(theme.THEMES)}, got {value!r}")
    return value


def _model_reference(f: TalkFile, value: str) -> dict[str, Any]:
    """`preset` when `value` names one, else `config`: a file or folder beside the talk file."""
    if preset_name(value) in PRESETS:  # a former name (gqa-1b) still works
        return {"preset": preset_name(value)}
    path = Path(value).expanduser()
    path = path if path.is_absolute() else f.path.resolve().parent / path
    if not path.exists():
        raise f.fail(
            "model",
            f"{value!r} is neither a preset ({', '.join(PRESETS)}) nor a file (looked for {path})",
        )
    return {"config": path}


def _names(f: TalkFile, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise f.fail(key, f'must be a list of names in quotes, such as ["family"], got {value!r}')
    return tuple(v.strip() for v in value)


def _lineup(f: TalkFile, data: dict[str, Any]) -> Chosen | None:
    """The sections and slides `cut`, `sections` and `skip` choose (None: the whole talk)."""
    cut = data.get("cut", DEFAULT_CUT)
    if not isinstance(cut, str):
        raise f.fail("cut", f"must be a cut's name in quotes, got {cut!r}")
    sections = _names(f, "sections", data.get("sections", []))
    if "sections" in data and not sections:
        raise f.fail("sections", "must name at least one section (leave the key out for the cut's)")
    skip = _names(f, "skip", data.get("skip", []))
    try:
        chosen = choose(cut.strip(), sections, skip)
    except ValueError as err:  # one line that starts with the key
        raise TalkFileError(f.path, str(err)) from None
    return None if chosen.slides() == whole_talk().slides() else chosen


def _notes(f: TalkFile, value: Any, chosen: Chosen) -> tuple[tuple[str, str], ...]:
    """`[notes]`: "section.beat" = the slide's notes, checked character by character (their
    fields are checked against the model once it is known: `check_notes`)."""
    if not isinstance(value, dict):
        raise f.fail("notes", 'must be a table: [notes] then "section.beat" = "what to say"')
    slides = [f"{s}.{b}" for s, beats in catalogue().items() for b in beats]
    shown = set(chosen.slides())
    found = []
    for slide, text in value.items():
        key = f"notes: {slide!r}"
        if slide not in slides:
            raise f.fail("notes", f"no slide {slide!r}{did_you_mean(slide, slides)}")
        if slide not in shown:
            raise TalkFileError(f.path, f"{key}: a slide the talk leaves out")
        if not isinstance(text, str) or not text.strip():
            raise TalkFileError(f.path, f"{key}: must be the notes' text in quotes, not empty")
        problem = notes_text_problem(text)
        if problem is not None:
            raise TalkFileError(f.path, f"{key}: {problem}")
        found.append((slide, text))
    return tuple(found)


def notes_text_problem(text: str) -> str | None:
    """Why `text` cannot be a slide's notes (a clause), or None."""
    if len(text) > MAX_NOTES_CHARS:
        return f"is {len(text)} characters long; at most {MAX_NOTES_CHARS}"
    for line in text.split("\n"):  # paragraphs are blank lines apart
        reason = refusal(line, NOTES_FONTS)
        if reason is not None:
            return reason
    if WEB_ADDRESS.search(text):
        return WEB_ADDRESS_REFUSED
    return None


def _slide_text(where: str, key: str, value, kind: str) -> str:
    """A title, point or source line of an own slide (`kind`): one line of the slides' font."""
    limit = own_slides.MAX_CHARS[kind]
    if not isinstance(value, str):
        raise ValueError(f"{where}: {key}: must be a string in quotes, got {value!r}")
    if len(value) > limit:
        raise ValueError(f"{where}: {key}: is {len(value)} characters long; at most {limit}")
    if "\n" in value:
        raise ValueError(f"{where}: {key}: must be one line")
    reason = refusal(value, theme.FONT)
    if reason is not None:
        raise ValueError(f"{where}: {key}: {reason}")
    if WEB_ADDRESS.search(value):
        raise ValueError(f"{where}: {key}: {WEB_ADDRESS_REFUSED}")
    return value.strip()


def _own_slide(f: TalkFile, number: int, table, chosen: Chosen) -> OwnSlide:
    """The `number`th `[[slide]]` table, checked; ValueError with one line otherwise."""
    where = f"slide {number}"
    if not isinstance(table, dict):
        raise ValueError(f"{where}: must be a table: [[slide]] then after = …, title = …")
    for key in table:
        if key not in own_slides.KEYS:
            hint = did_you_mean(key, own_slides.KEYS)
            raise ValueError(
                f"{where}: {key}: unknown key{hint} (keys: {', '.join(own_slides.KEYS)})"
            )
    for key in ("after", "title"):
        if key not in table:
            raise ValueError(f"{where}: {key}: missing; every own slide has one")
    after = _after(where, table["after"], chosen)
    title = _slide_text(where, "title", table["title"], "title")
    if not title:
        raise ValueError(f"{where}: title: must not be empty")
    shows = [key for key in ("image", "points") if key in table]
    if len(shows) != 1:
        raise ValueError(
            f'{where}: needs either image = "file.png" or points = ["…"], '
            + ("not both" if shows else "and has neither")
        )
    found: dict = {}
    if "image" in table:
        found |= _image(f, where, table["image"])
    else:
        found["points"] = _points(where, table["points"])
    if "source" in table:
        found["source"] = _slide_text(where, "source", table["source"], "source")
    notes = table.get("notes", "")
    if not isinstance(notes, str):
        raise ValueError(f"{where}: notes: must be the notes' text in quotes, got {notes!r}")
    problem = notes_text_problem(notes)
    if problem is not None:
        raise ValueError(f"{where}: notes: {problem}")
    return OwnSlide(number, after, title, notes=notes, **found)


def _after(where: str, value, chosen: Chosen) -> str:
    """The slide an own slide follows: a slide the talk shows, or a section's last."""
    if not isinstance(value, str):
        raise ValueError(f"{where}: after: must be a slide's name in quotes, got {value!r}")
    value = value.strip()
    shown = chosen.slides()
    if value in shown:
        return value
    kept = dict(chosen.sections)
    if value in kept:
        return f"{value}.{kept[value][-1]}"
    every = [f"{s}.{b}" for s, beats in catalogue().items() for b in beats]
    if value in every or value in catalogue():
        raise ValueError(
            f"{where}: after: {value!r} is left out of the talk; put the slide after one it shows"
        )
    hint = did_you_mean(value, [*every, *catalogue()])
    raise ValueError(f"{where}: after: no slide or section {value!r}{hint}")


def _image(f: TalkFile, where: str, value) -> dict:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: image: must be a file name in quotes, got {value!r}")
    path = Path(value.strip()).expanduser()
    path = path if path.is_absolute() else f.path.resolve().parent / path
    problem = own_slides.image_problem(path)
    if problem is not None:
        raise ValueError(f"{where}: image: {value.strip()!r} {problem}")
    return {"image": path, "image_digest": own_slides.file_digest(path)}


def _points(where: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError(f'{where}: points: must be a list of lines, such as ["One", "Two"]')
    if len(value) > own_slides.MAX_POINTS:
        raise ValueError(
            f"{where}: points: {len(value)} points; at most {own_slides.MAX_POINTS} fit a slide"
        )
    points = []
    for index, point in enumerate(value, 1):
        text = _slide_text(where, f"point {index}", point, "point")
        if not text:
            raise ValueError(f"{where}: point {index}: is empty")
        points.append(text)
    return tuple(points)


def _own_slides(f: TalkFile, value, chosen: Chosen) -> tuple[OwnSlide, ...]:
    if not isinstance(value, list):
        raise f.fail("slide", "must be tables: write [[slide]] (two brackets) before each")
    try:
        return tuple(_own_slide(f, n, table, chosen) for n, table in enumerate(value, 1))
    except ValueError as err:
        raise TalkFileError(f.path, str(err)) from None


def notes_problem(template: str, model: Model) -> str | None:
    """Why `template` cannot be filled in for `model` (a clause), or None. Own notes may
    use the model's fields, `{m.n_kv_heads}`, as the deck's own notes do."""
    try:
        template.format(m=model)
    except (KeyError, IndexError):
        return "a field other than the model's {m.…}; write {{ and }} for a brace"
    except AttributeError as err:
        name = getattr(err, "name", None) or str(err).rsplit("'", 2)[-2]
        known = [n for n in dir(model) if not n.startswith("_")]
        return f"the model has no field {name!r}{did_you_mean(name, known)}"
    except ValueError as err:
        return f"{err} (write {{{{ and }}}} for a brace)"
    formatter = string.Formatter()
    for _, field_name, _, _ in formatter.parse(template):
        if field_name and callable(formatter.get_field(field_name, (), {"m": model})[0]):
            # a method would be written as "<bound method …>": the figures are attributes
            return f"{{{field_name}}} is a computation, not a figure; use one such as {{m.n_heads}}"
    return None


def check_notes(path: Path, notes: tuple[tuple[str, str], ...], model: Model) -> None:
    """Raise `TalkFileError` for the first own notes whose fields `model` does not have."""
    for slide, template in notes:
        problem = notes_problem(template, model)
        if problem is not None:
            raise TalkFileError(path, f"notes: {slide!r}: {problem}")


def fill_own_slides(path: Path, slides: tuple[OwnSlide, ...], model: Model) -> tuple[OwnSlide, ...]:
    """The speaker's own slides with the model's fields filled in (their title, points,
    source and notes may use them, as own notes do), each checked to fit its slide.
    Raises `TalkFileError` for the first field the model lacks or line that does not fit."""
    done = []
    for slide in slides:
        texts = {"title": slide.title, "source": slide.source, "notes": slide.notes}
        texts |= {f"point {i}": p for i, p in enumerate(slide.points, 1)}
        for key, template in texts.items():
            problem = notes_problem(template, model)
            if problem is not None:
                raise TalkFileError(path, f"slide {slide.number}: {key}: {problem}")
        filled = own_slides.filled(slide, model)
        problem = own_slides.fit_problem(filled)
        if problem is not None:
            raise TalkFileError(path, f"slide {slide.number}: {problem}")
        done.append(filled)
    return tuple(done)


def _unknown(f: TalkFile, key: str) -> TalkFileError:
    close = difflib.get_close_matches(key, KEYS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f.fail(key, f"unknown key; {hint}known keys: {', '.join(KEYS)}")


def read_talk_file(path: Path | str) -> TalkFile:
    """Read and check a talk file (the model it names is checked to exist, not loaded)."""
    path = Path(path)
    text = read_text(
        path,
        TalkFileError,
        folder="is a folder; give the talk file (talk.toml)",
        max_bytes=MAX_TALK_FILE_BYTES,
        too_large=f"too large for a talk file (over {MAX_TALK_FILE_BYTES // 1024} KiB)",
    )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TalkFileError(path, f"not valid TOML: {err}") from None
    except RecursionError:  # tomllib recurses per level of nesting
        raise TalkFileError(path, f"nested deeper than {MAX_NESTING} levels") from None
    if nesting(data) > MAX_NESTING:
        raise TalkFileError(path, f"nested deeper than {MAX_NESTING} levels")
    f = TalkFile(path)
    details: dict[str, Any] = {}
    reference: dict[str, Any] = {}
    for key, value in data.items():
        if key in TEXT_KEYS:
            details[key] = _text(f, key, value)
        elif key == "date":
            details[key] = _date(f, value)
        elif key == "minutes":
            details[key] = _minutes(f, value)
        elif key == "theme":
            details[key] = _theme(f, value)
        elif key == "model":
            reference.update(_model_reference(f, _text(f, key, value)))
        elif key == "model_name":
            reference["model_name"] = _text(f, key, value)
        elif key == "attention_text":
            details[key] = _text(f, key, value)
            if not details[key]:
                raise f.fail(key, "must not be empty (leave the key out for the default)")
        elif key in ATTENTION_KEYS:
            details[key] = _index(f, key, value)
        elif key not in (*LINEUP_KEYS, "notes", "slide"):  # read below, together
            raise _unknown(f, key)
    lineup = _lineup(f, data)
    if lineup is not None:
        details["lineup"] = lineup
    if "notes" in data:
        details["notes"] = _notes(f, data["notes"], lineup or whole_talk())
    if "slide" in data:
        details["own_slides"] = _own_slides(f, data["slide"], lineup or whole_talk())
    if "title" in details and not details["title"]:
        raise f.fail("title", "must not be empty (leave the key out for the default title)")
    if "model_name" in reference and "config" not in reference:
        raise f.fail("model_name", "goes with a config.json model (a preset has its own name)")
    given = [k for k in ATTENTION_KEYS if k in details]
    if given and "config" not in reference:
        raise f.fail(given[0], "goes with a model folder that has weights (a preset has none)")
    return TalkFile(path, details, **reference)
