"""Export rendered slides to one offline HTML file, a PDF and a PowerPoint file.

Input: the manim-slides output of `deck build` (`<Scene>.json` + `files/<Scene>/*.mp4`).
Every output is written to a temporary file next to its destination and moved into
place only once all requested formats succeeded, so a failure or Ctrl-C leaves the
previous exports exactly as they were.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import io
import json
import multiprocessing
import os
import re
import secrets
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import av

# manim-slides' PDF and PPTX converters draw tqdm bars on stderr; the CLI has its own lines
os.environ.setdefault("TQDM_DISABLE", "1")
from manim_slides.config import PresentationConfig
from manim_slides.convert import PDF, FrameIndex, PowerPoint, RevealJS, read_image_from_video_file
from pydantic import ValidationError

from deck import doctor

ROOT = Path(__file__).resolve().parents[1]
REVEAL_DIST = doctor.REVEAL_DIR / "dist"
# Only what the page uses: no theme (the slides are videos; a theme would add 0.5 MB of
# embedded fonts), no markdown plugin (notes are plain text, so `d_k` stays `d_k`).
REVEAL_ASSETS = doctor.REVEAL_FILES

FORMATS = ("html", "pdf", "pptx")
TITLE = "Grouped-Query Attention"
# Per-slide poster frames inlined in the HTML: WebP is a third of the size of JPEG here
# (0.5 vs 1.6 MiB for the deck at 1080p) and every current browser shows it.
POSTER_QUALITY = 80

URL = re.compile(rb"https?://", re.IGNORECASE)


class ExportError(Exception):
    """Bad input or a failed conversion; the message is one line saying what to do."""


# ── input ────────────────────────────────────────────────────────────────
def check_video(path: Path) -> float:
    """Duration (s) of a readable video; ExportError naming the file otherwise.

    Cheap: opens the container and walks its packets without decoding any frame.
    """
    if not path.is_file():
        raise ExportError(f"video {path} is missing: run `deck build` again")
    if path.stat().st_size == 0:
        raise ExportError(f"video {path} is empty (0 bytes): run `deck build` again")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ExportError(f"video {path} has no video stream: run `deck build` again")
            stream = container.streams.video[0]
            if stream.duration is None or stream.time_base is None:
                raise ExportError(f"video {path} has no duration: run `deck build` again")
            duration = float(stream.duration * stream.time_base)
            # A file cut short after a complete header still opens: its packets end early.
            end = 0
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size:
                    end = max(end, packet.pts + (packet.duration or 0))
    except (av.error.FFmpegError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ExportError(f"video {path} is corrupt ({reason}): run `deck build` again") from None
    if duration <= 0 or end < 0.95 * stream.duration:
        raise ExportError(f"video {path} is truncated: run `deck build` again")
    return duration


def _slide_files(json_path: Path) -> list[Path]:
    """The video files a slide config refers to, resolved the way manim-slides does."""
    try:
        raw = json.loads(json_path.read_text(encoding="utf-8"))
        slides = raw["slides"]
        files = [slide["file"] for slide in slides]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportError(
            f"{json_path} is unreadable ({type(exc).__name__}): run `deck build` again"
        ) from None
    # PresentationConfig.from_file: paths are relative to the slides folder's parent.
    return [json_path.parent.parent / f for f in files]


def load_presentations(scene_names: Sequence[str], slides_dir: Path) -> list[PresentationConfig]:
    """Validated manim-slides configs of the scenes, in order, with every video checked."""
    slides_dir = Path(slides_dir)
    if not scene_names:
        raise ExportError("no scenes to export")
    missing = [name for name in scene_names if not (slides_dir / f"{name}.json").is_file()]
    if missing:
        raise ExportError(
            f"no rendered slides for {', '.join(missing)} in {slides_dir}: run `deck build` first"
        )
    configs = []
    for name in scene_names:
        json_path = slides_dir / f"{name}.json"
        for video in dict.fromkeys(_slide_files(json_path)):
            check_video(video)
        try:
            configs.append(PresentationConfig.from_file(json_path))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ExportError(
                f"{json_path} is invalid ({where}: {first['msg']}): run `deck build` again"
            ) from None
    return configs


# ── HTML ─────────────────────────────────────────────────────────────────
# A reduced version of manim-slides' revealjs.html. Differences and why:
# - reveal.js is inlined from node_modules: the file works with no network at all.
# - Videos travel as base64 in `data-deck-video` and become blob: URLs before reveal.js
#   starts. reveal.js splits `data-background-video` on commas (breaking data: URIs; the
#   stock template repairs that only for videos that exist at 'ready') and copies the
#   attribute into `data-background-hash`; both caused the blank frame between slides
#   of manim-slides issue #426 (see also PR #663 and #678).
# - Each slide's first frame is painted behind its video, and the page, letterbox and
#   slide backgrounds use the deck's colour, so a video that has not decoded its first
#   frame yet shows that frame instead of a black flash.
# - Notes are HTML-escaped plain text (the stock template injects them raw as markdown).
HTML_TEMPLATE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{{ title|e }}</title>
<style>{{ reveal_css }}</style>
<style>
html, body, .reveal, .reveal .backgrounds { background: {{ page_color }}; }
.reveal .slide-background { background-size: contain; background-position: center;
  background-repeat: no-repeat; }
.reveal .slide-number { font-size: 14px; background-color: rgba(0, 0, 0, 0.35); }
.reveal .slides section aside.notes { display: none; }
</style>
</head>
<body>
<div class="reveal">
<div class="slides">
{% for presentation_config in presentation_configs %}
{% for slide_config in presentation_config.slides %}
<section data-background-color="{{ presentation_config.background_color.as_hex() }}"
  data-background-size="contain" data-background-video-muted
{% if slide_config.loop %}
  data-background-video-loop
{% endif %}
{% if slide_config.auto_next %}
  data-autoslide="{{ get_duration_ms(slide_config.file)|round|int }}"
{% endif %}
  data-deck-poster="{{ posters[slide_config.file|string] }}"
  data-deck-video="{{ file_to_data_uri(slide_config.file) }}">
<aside class="notes">{{ slide_config.notes|e }}</aside>
</section>
{% endfor %}
{% endfor %}
</div>
</div>
<script>{{ reveal_js }}</script>
<script>{{ notes_js }}</script>
<script>
(function () {
  function blobUrl(dataUri) {
    var comma = dataUri.indexOf(",");
    var mime = dataUri.slice(5, comma).split(";")[0];
    var b64 = dataUri.slice(comma + 1);
    var bytes;
    if (Uint8Array.fromBase64) {
      bytes = Uint8Array.fromBase64(b64);
    } else {
      var bin = atob(b64);
      bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    }
    return URL.createObjectURL(new Blob([bytes], { type: mime }));
  }
  var posters = [];
  document.querySelectorAll(".reveal .slides > section").forEach(function (section) {
    section.setAttribute("data-background-video", blobUrl(section.getAttribute("data-deck-video")));
    section.removeAttribute("data-deck-video");
    posters.push([section, blobUrl(section.getAttribute("data-deck-poster"))]);
    section.removeAttribute("data-deck-poster");
  });

  Reveal.initialize({
    plugins: [RevealNotes],
    // 100% x 100% plus background-size contain: fills any window, letterboxed.
    width: "100%",
    height: "100%",
    margin: 0,
    controls: false,
    progress: false,
    slideNumber: "c/t",
    showSlideNumber: "all",
    keyboard: true,
    navigationMode: "linear",
    // Never switch narrow windows to the scroll view: a video deck is watched slide by slide.
    scrollActivationWidth: null,
    hash: false,
    history: false,
    transition: "none",
    backgroundTransition: "none",
    // Videos within this many slides are created (and decoded) ahead of time.
    viewDistance: 3,
    autoSlide: 0,
    help: true,
    pause: true
  });

  Reveal.on("ready", function () {
    posters.forEach(function (pair) {
      var background = pair[0].slideBackgroundElement;
      if (background) background.style.backgroundImage = "url(" + pair[1] + ")";
    });
  });

  // Space plays or pauses the current slide's video.
  Reveal.addKeyBinding({ keyCode: 32, key: "Space", description: "Play / pause video" },
    function () {
      var video = Reveal.getCurrentSlide().slideBackgroundContentElement
        .querySelector("video");
      if (!video) Reveal.next();
      else if (video.paused) video.play();
      else video.pause();
    });
})();
</script>
</body>
</html>
"""


class OfflineRevealJS(RevealJS):
    """manim-slides' RevealJS converter with the template above and reveal.js inlined."""

    reveal_css: str
    reveal_js: str
    notes_js: str
    page_color: str
    posters: dict[str, str]

    def load_template(self) -> str:
        return HTML_TEMPLATE


def _neutral_js(code: str) -> str:
    r"""`code` behaving identically, with no literal `http(s)://` and nothing that can end
    or confuse the inline `<script>` element (`</script`, `<script`, `<!--`).

    The URLs left in reveal.js are a licence comment and strings in the notes plugin's
    markdown parser; none is ever fetched. `\/` and `\x..` mean the same character in JS
    strings, template literals and regexes, and are inert in comments, so the check that
    rejects any `http(s)://` in the page can stay strict.
    """
    code = re.sub(r"(https?)://", r"\1:\\/\\/", code, flags=re.IGNORECASE)
    code = re.sub(
        r"<(/?)(s)(cript)",
        lambda m: f"<{m[1]}\\x{ord(m[2]):02x}{m[3]}",
        code,
        flags=re.IGNORECASE,
    )
    return code.replace("<!--", "<\\x21--")


def _reveal_assets() -> dict[str, str]:
    missing = [a for a in REVEAL_ASSETS if not (REVEAL_DIST / a).is_file()]
    if missing:
        raise ExportError(
            f"reveal.js is not installed ({REVEAL_DIST}/{missing[0]} is missing): "
            "run `bash scripts/setup.sh` (or `npm ci`)"
        )
    text = {a: (REVEAL_DIST / a).read_text(encoding="utf-8") for a in REVEAL_ASSETS}
    css = text["reveal.css"]
    if "</style" in css.lower():
        raise ExportError(f"{REVEAL_DIST}/reveal.css cannot be inlined (contains </style>)")
    return {
        "reveal_css": css,
        "reveal_js": _neutral_js(text["reveal.js"]),
        "notes_js": _neutral_js(text["plugin/notes.js"]),
    }


def _poster(video: Path) -> str:
    """The first frame of `video` as a WebP data: URI."""
    image = read_image_from_video_file(video, FrameIndex.first).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=POSTER_QUALITY)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def write_html(configs: list[PresentationConfig], dest: Path, title: str = TITLE) -> None:
    posters = {str(s.file): _poster(s.file) for c in configs for s in c.slides}
    converter = OfflineRevealJS(
        presentation_configs=configs,
        one_file=True,  # videos inlined; also stops manim-slides copying them to an assets dir
        offline=False,  # nothing to download: every asset is inlined already
        title=title,
        page_color=configs[0].background_color.as_hex(),
        posters=posters,
        **_reveal_assets(),
    )
    converter.convert_to(dest)
    with dest.open("rb") as f:
        match = URL.search(f.read())
    if match:
        raise ExportError(
            f"the HTML export refers to a network address (at byte {match.start()}): "
            "it would not work offline"
        )


# ── PDF, PPTX ────────────────────────────────────────────────────────────
def write_pdf(configs: list[PresentationConfig], dest: Path) -> None:
    # The last frame: what the slide shows once its animation has played.
    PDF(presentation_configs=configs, frame_index=FrameIndex.last).convert_to(dest)


def write_pptx(configs: list[PresentationConfig], dest: Path) -> None:
    # A 13.33 x 7.5 in slide (1280 px wide at 96 dpi) with the videos' aspect ratio.
    width, height = configs[0].resolution
    PowerPoint(
        presentation_configs=configs, width=1280, height=round(1280 * height / width)
    ).convert_to(dest)


WRITERS = {"html": write_html, "pdf": write_pdf, "pptx": write_pptx}


# ── all together ─────────────────────────────────────────────────────────
def _temp_path(dest: Path) -> Path:
    # Hidden, in the destination folder (so os.replace is atomic), created by the writer
    # itself (so it gets the usual permissions).
    return dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def _discard(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _discard_stale(out_dir: Path, stem: str) -> None:
    """Remove temporary files a killed export (SIGKILL, power loss) left behind."""
    for path in out_dir.glob(f".{glob.escape(stem)}.*.tmp"):
        match = re.fullmatch(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp", path.name)
        if match and not _alive(int(match[1])):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _inputs_digest(
    scene_names: Sequence[str], slides_dir: Path, stem: str, formats: Sequence[str]
) -> str:
    """What the exports are made of: the slide configs, their videos, this code, reveal.js."""
    h = hashlib.sha256(f"{stem}|{','.join(formats)}".encode())
    h.update(Path(__file__).read_bytes())
    for asset in REVEAL_ASSETS:
        h.update((REVEAL_DIST / asset).read_bytes() if (REVEAL_DIST / asset).is_file() else b"")
    for name in scene_names:
        config = Path(slides_dir) / f"{name}.json"
        if not config.is_file():
            return ""
        h.update(config.read_bytes())
        for slide in json.loads(config.read_text()).get("slides", []):
            # as manim-slides resolves it: relative to the slides folder's parent
            video = Path(slides_dir).parent / slide.get("file", "")
            stat = video.stat() if video.is_file() else None
            h.update(f"{video.name}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}".encode())
    return h.hexdigest()


def _stamp_path(slides_dir: Path, stem: str) -> Path:
    # beside the renders, so that presentations/ holds nothing but the exports
    return Path(slides_dir) / f"{stem}.exported"


def up_to_date(
    scene_names: Sequence[str],
    slides_dir: Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
) -> bool:
    """True when every export exists, is the file this slides folder's last export wrote
    (not, say, another quality's), and was made from exactly the current inputs."""
    stamp = _stamp_path(slides_dir, stem)
    outputs = [Path(out_dir) / f"{stem}.{fmt}" for fmt in formats]
    if not stamp.is_file() or not all(p.is_file() for p in outputs):
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except ValueError:
        return False
    digest = _inputs_digest(scene_names, slides_dir, stem, formats)
    return bool(digest) and recorded == {"inputs": digest, "outputs": _identities(outputs)}


def _identities(paths: Sequence[Path]) -> dict[str, list[int]]:
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in paths}


def export(
    scene_names: Sequence[str],
    slides_dir: Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
    *,
    title: str = TITLE,
) -> list[Path]:
    """Write `out_dir/<stem>.<format>` for each format; return the paths written.

    All inputs are checked before anything is written; the outputs replace the previous
    ones only when every format succeeded.
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(
            f"unknown export format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}"
        )
    configs = load_presentations(scene_names, Path(slides_dir))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _discard_stale(out_dir, stem)

    done = [
        (_temp_path(out_dir / f"{stem}.{fmt}"), out_dir / f"{stem}.{fmt}")
        for fmt in dict.fromkeys(formats)
    ]
    try:
        # the formats are independent and CPU-bound (decoding frames, encoding images)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(len(done), os.cpu_count() or 1), mp_context=context
        ) as pool:
            jobs = [
                pool.submit(_write, dest.suffix[1:], configs, temp, title) for temp, dest in done
            ]
            for job in jobs:
                job.result()
        for temp, dest in done:
            os.replace(temp, dest)
        digest = _inputs_digest(scene_names, Path(slides_dir), stem, list(dict.fromkeys(formats)))
        stamp = {"inputs": digest, "outputs": _identities([dest for _, dest in done])}
        _stamp_path(slides_dir, stem).write_text(json.dumps(stamp) + "\n")
    except BaseException:
        _discard([temp for temp, _ in done])
        raise
    return [dest for _, dest in done]


def _write(fmt: str, configs: list[PresentationConfig], temp: Path, title: str) -> None:
    try:
        if fmt == "html":
            write_html(configs, temp, title)
        else:
            WRITERS[fmt](configs, temp)
    except ExportError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300]
        raise ExportError(f"{fmt} export failed: {type(exc).__name__}: {reason}") from None
    if not temp.is_file() or temp.stat().st_size == 0:
        raise ExportError(f"{fmt} export wrote nothing")
