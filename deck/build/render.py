"""Rendering scenes: one process per scene, in parallel, skipping scenes whose inputs are unchanged.

A scene's inputs are the source of every deck module it imports (transitively), the
talk (model, theme, speaker, …), the quality, its place in the deck (section number,
slides shown, the scene before it) and the versions of manim, manim-slides and typst.
Their hash is stored beside the scene's JSON after a successful render; a scene whose
hash matches, and whose output is intact (its JSON valid, one slide per beat, every
video complete), is not rendered again. Its slides' numbers are not among its inputs:
when only they changed (a slide added before it), its videos are renumbered
(deck/build/numbering.py) instead.

The build heals itself: damaged output is rendered again, a damaged cached slide is a
cache miss, paths in the JSONs are relative (a moved project rebuilds nothing), one
build at a time holds a build folder (deck/build/buildlock.py) and workers die with the build
(deck/system/lifeline.py).
"""

from __future__ import annotations

import inspect
import json
import multiprocessing
import os
import resource
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from deck.build.encoding import X264_PRESET
from deck.build.numbering import counters_of, parse_variant, variant
from deck.build.quality import QUALITIES
from deck.compat.manim import guard_svg_caches
from deck.compat.manim_slides import make_portable, slide_video
from deck.export.videos import config_problem
from deck.failure import RenderError, where_it_failed
from deck.project import PACKAGE, Build
from deck.system import atomic, digest
from deck.system.lifeline import forked_pool
from deck.talk import EXPORT_ONLY, TALK_DETAILS
from deck.talk.own_slides import own_identity

MANIM_CACHE_ENV = "GQA_DECK_MANIM_CACHE"  # "1" turns manim's animation cache on


# ── inputs and staleness ────────────────────────────────────────────────
def source_closure(module: str, code: Path = PACKAGE) -> list[Path]:
    """The files of `module` and every deck module it imports, transitively.

    The scene list (`deck.scenes`) is left out: it imports every scene, and what a scene
    takes from it (its slide numbers) is hashed separately.
    """
    return digest.source_closure(module, code, leave_out=("deck.scenes",))


def _shared_context(scene: type, build: Build, details: bool = True) -> dict:
    """What all of a scene's slides depend on; without the talk's `details` (speaker, date,
    …) for the slide cache, which adds those a slide has read (deck/build/beatcache.py)."""
    from deck.scenes import placement

    where = placement(scene, build.talk)
    shown = {
        k: v
        for k, v in asdict(build.talk).items()
        if k not in EXPORT_ONLY and (details or k not in TALK_DETAILS)
    }
    if "notes" in shown:  # the talk's own notes for this scene's slides, not another's
        shown["notes"] = where.notes
    # the speaker's own slides in this scene, and the one it opens on, their pictures by
    # digest (an edited image under the same name renders its slide again); in the slide
    # cache each own slide's key holds its own (DeckSlide.slide_content), not every beat's
    shown.pop("own_slides", None)
    if details:
        mine = [o for _, after in where.own_slides for o in after]
        mine += [where.opens_on] if where.opens_on is not None else []
        shown["own_slides"] = [own_identity(o) for o in mine]
    # the header; for the scene, also the slides it shows and the picture it starts on (a
    # slide's key hashes what is on screen when it starts instead, so that a slide added
    # before it changes nothing in it); never the numbers the counters show, which a
    # cached slide is renumbered to (deck/build/numbering.py)
    place: list = [where.section]
    if details:
        place += [list(where.slides), None if where.previous is None else where.previous.__name__]
    return {
        "talk": shown,
        "quality": build.quality,
        "place": place,
        "versions": {p: metadata.version(p) for p in ("manim", "manim-slides", "typst")},
    }


def input_hash(scene: type, build: Build) -> str:
    """Everything a scene's render depends on; unchanged means the render can be skipped."""
    from deck.scenes import placement

    # A scene opens on the previous scene's last frame, which that scene's code draws:
    # hashing that code (rather than building the picture) keeps this check cheap. When
    # only the previous scene changed, this scene runs again but its slide cache sees
    # whether the opening picture really changed.
    before = placement(scene, build.talk).previous
    modules = [scene.__module__] + ([before.__module__] if before is not None else [])
    code = build.project.code
    files = {p for module in modules for p in source_closure(module, code)}
    return digest.scene_inputs(files, _shared_context(scene, build), code)


def beat_context(scene: type, build: Build) -> str:
    """What all of a scene's beats depend on besides their own code and starting picture."""
    from deck.build.beatcache import module_without_beats

    own = Path(inspect.getsourcefile(scene))
    beats = [getattr(scene, name) for name in scene.beat_names()]
    code = build.project.code
    others = [p for p in source_closure(scene.__module__, code) if p != own]
    context = _shared_context(scene, build, details=False)
    return digest.beat_context(module_without_beats(own.read_text(), beats), others, context, code)


def _stamp(folder: Path, scene: str) -> Path:
    return folder / f"{scene}.inputs"


def _stamp_matches(folder: Path, name: str, digest: str) -> bool:
    try:
        return _stamp(folder, name).read_text().strip() == digest
    except (OSError, UnicodeDecodeError):
        return False


def _make_portable(config_file: Path) -> None:
    """Rewrite a scene's JSON with paths relative to the build folder, if it has others."""
    try:
        raw = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # the check that follows says what is wrong with it
    if isinstance(raw, dict) and make_portable(raw, config_file):
        atomic.write_text(config_file, json.dumps(raw, indent=2))


def output_problem(scene: type, build: Build) -> str | None:
    """Why a scene's rendered output cannot be used as it is (one phrase), or None.

    Cheap: its JSON is validated and each video's packets walked, none decoded.
    """
    from deck.scenes import slides_of

    config_file = build.slides / f"{scene.__name__}.json"
    if not config_file.is_file():
        return f"{config_file.name} is missing"
    _make_portable(config_file)
    problem = config_problem(config_file, len(slides_of(scene, build.talk)))
    return None if problem is None else f"{config_file.name} {problem}"


def numbers_wrong(scene: type, build: Build) -> bool:
    """Whether the scene's videos show other numbers than its slides have now."""
    from deck.build.beatcache import read_index

    index = read_index(build.slides / f"{scene.__name__}.json") or {}
    shown = [tuple(c) for c in index.get("counters", []) if isinstance(c, list)]
    return shown != counters_of(scene, build.talk)


def is_fresh(scene: type, build: Build) -> bool:
    """Rendered from the current inputs, its output intact and numbered as it is now."""
    if not _stamp_matches(build.slides, scene.__name__, input_hash(scene, build)):
        return False
    return output_problem(scene, build) is None and not numbers_wrong(scene, build)


def renumber_scene(scene: type, build: Build) -> bool:
    """Give an unchanged scene's videos the numbers its slides have now, each from the
    cache or renumbered (deck/build/numbering.py); False when one cannot be (its corner
    holds more than the counter, or the scene's index is unreadable): render it then."""
    from deck.build.beatcache import Renumbering, read_index, write_index

    config_file = build.slides / f"{scene.__name__}.json"
    index, wanted = read_index(config_file), counters_of(scene, build.talk)
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
        keys, shown = list(index["keys"]), [tuple(c) for c in index["counters"]]
    except (OSError, ValueError, TypeError, KeyError):
        return False
    if not (len(keys) == len(shown) == len(wanted) == len(config["slides"])):
        return False
    renumbering = Renumbering(build.talk.theme, build.quality, X264_PRESET)
    slides = zip(config["slides"], keys, shown, wanted, strict=True)
    for i, (slide, name, old, new) in enumerate(slides):
        parsed = parse_variant(name)
        if old == new:
            continue
        if parsed is None:
            return False
        cached = build.beats / f"{variant(parsed[0], new)}.mp4"
        source = slide_video(config_file, slide["file"])
        if not cached.is_file() and not renumbering.renumber(source, cached, old, new):
            return False
        file = f"slides/files/{scene.__name__}/{cached.name}"
        with atomic.replacing(slide_video(config_file, file)) as temp:
            shutil.copyfile(cached, temp)
        if source != slide_video(config_file, file):
            source.unlink(missing_ok=True)
        slide["file"] = slide["rev_file"] = file
        keys[i], shown[i] = cached.stem, new
    atomic.write_text(config_file, json.dumps(config, indent=2))
    write_index(config_file, {**index, "keys": keys, "counters": [list(c) for c in shown]})
    return True


# ── rendering ───────────────────────────────────────────────────────────
def render_in_process(scene_name: str, build: Build) -> None:
    """Render one scene in this process (the worker side of `render_scenes`)."""
    from manim import tempconfig

    from deck import theme
    from deck.build.beatcache import BeatCache, Renumbering, ReusesSlides
    from deck.build.encoding import use_fast_preset
    from deck.scenes import BY_NAME, make_scene

    use_fast_preset()
    guard_svg_caches()
    scene, talk = BY_NAME[scene_name], build.talk
    media = build.media
    options = {
        "quality": QUALITIES[build.quality].flag,
        "media_dir": str(media),
        # manim writes its text and formula SVGs, and rewrites them in place, under names
        # that depend only on the text: each scene gets its own, so that two scenes
        # rendering the same text at once never read each other's half-written file
        "text_dir": str(media / "texts" / scene_name),
        "tex_dir": str(media / "Tex" / scene_name),
        # manim's per-animation cache hashes every mobject on screen at every play():
        # measured +40 % on the data-flow scene's clean render, so it stays off
        "disable_caching": os.environ.get(MANIM_CACHE_ENV, "0") != "1",
        "progress_bar": "none",
        "verbosity": "WARNING",
        "background_color": theme.palette(talk.theme).BACKGROUND,
    }
    start = time.perf_counter()
    folder = build.slides
    config_file = folder / f"{scene_name}.json"
    # manim-slides reuses a slide video of the same name without looking at it, and never
    # deletes the videos of slides that are gone: start the scene's output afresh
    config_file.unlink(missing_ok=True)
    shutil.rmtree(folder / "files" / scene_name, ignore_errors=True)
    renumbering = Renumbering(talk.theme, build.quality, X264_PRESET)
    cache = BeatCache(build.beats, beat_context(scene, build), renumbering)
    with tempconfig(options):
        instance = make_scene(
            scene, talk, ReusesSlides, attributes={"beat_cache": cache}, output_folder=folder
        )
        instance.render()
    cache.store(config_file)
    problem = output_problem(scene, build)
    if problem is not None:
        raise RenderError(f"the render wrote damaged output: {problem}")
    stats = {
        "seconds": time.perf_counter() - start,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "slides": len(cache.keys),
        "slides_reused": cache.reused,
        "slides_renumbered": cache.renumbered,
        "cached_slides_dropped": cache.dropped,
    }
    path = build.stats(scene_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stats) + "\n")


def _render_worker(name: str, build: Build) -> float:
    """One scene, in a worker process, with its output going to the scene's log."""
    log = build.log(name)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as out:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            render_in_process(name, build)
        except BaseException as err:
            traceback.print_exc()
            sys.stderr.flush()
            where = where_it_failed(err, build.project.root)
            raise RenderError(f"scene {name} failed to render: {where} (full log: {log})") from None
    return time.perf_counter() - start


Progress = Callable[[str, str, float], None]  # (scene, event, seconds)


def _stale(digests: dict[type, str], build: Build, progress: Progress) -> list[type]:
    """The scenes to render: inputs changed, never rendered, or output damaged."""
    folder = build.slides
    stale = []
    for s, inputs in digests.items():
        if not _stamp_matches(folder, s.__name__, inputs):
            stale.append(s)
            continue
        start = time.perf_counter()
        problem = output_problem(s, build)
        if problem is not None:
            progress(s.__name__, f"is damaged, rendering it again: {problem}", 0.0)
            stale.append(s)
        elif not numbers_wrong(s, build):
            progress(s.__name__, "unchanged", time.perf_counter() - start)
        elif renumber_scene(s, build):
            progress(s.__name__, "renumbered", time.perf_counter() - start)
        else:
            progress(s.__name__, "cannot be renumbered, rendering it again", 0.0)
            stale.append(s)
    return stale


def render_scenes(scenes: Sequence[type], build: Build, jobs: int, progress: Progress) -> list[str]:
    """Render the stale ones of `scenes` with up to `jobs` processes; return the names
    rendered. A scene named twice is rendered once.

    Progress events: "unchanged" (seconds: the time its output check took), "queued",
    "rendered" (seconds: its render), "failed", or a sentence saying why a scene whose
    inputs are unchanged is rendered again.

    Workers are forked from this process, which has imported manim already (it needed
    it for the input hashes), so no worker pays for that import again.
    """
    folder = build.slides
    atomic.discard_stale_in([build.folder, folder, build.beats])
    digests = {s: input_hash(s, build) for s in scenes}  # one per scene named twice
    stale = _stale(digests, build, progress)
    if not stale:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    for s in stale:
        _stamp(folder, s.__name__).unlink(missing_ok=True)  # a failed render stays stale
    # the longest scenes first keeps both cores busy until the end
    stale.sort(key=lambda s: -s.slide_count())
    errors = []
    pool = forked_pool(max(1, min(jobs, len(stale))))
    try:
        futures = {pool.submit(_render_worker, s.__name__, build): s for s in stale}
        for s in stale:
            progress(s.__name__, "queued", 0.0)
        for future in as_completed(futures):
            scene = futures[future]
            try:
                seconds = future.result()
            except (RenderError, BrokenProcessPool) as err:
                errors.append(str(err) or f"scene {scene.__name__}: its render process died")
                progress(scene.__name__, "failed", 0.0)
                continue
            _stamp(folder, scene.__name__).write_text(digests[scene] + "\n")
            progress(scene.__name__, "rendered", seconds)
    except BaseException:
        # Ctrl-C: start no queued scene, stop the running ones now
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():
            child.terminate()
        raise
    pool.shutdown()
    if errors:
        raise RenderError("; ".join(errors))
    from deck.build.beatcache import prune

    prune(build.beats, folder)
    return [s.__name__ for s in stale]
