"""`deck watch`: rebuild on every save and reload the open browser tab on the same slide.

The watching process imports the heavy libraries once (manim, manim-slides, numpy, PyAV)
and never the deck's own modules: each rebuild runs in a child forked from it, which
imports the deck afresh from disk, so an edit to any module is seen and a broken module
cannot take the watcher down. The child renders what changed (the slide cache keeps the
unchanged slides) and writes the HTML; the watcher serves that page on 127.0.0.1 with a
small script that reloads it when a rebuild succeeds and shows a failure's one line.

It serves the page of the talk as the files now say it (another theme or model is another
page), watches the folders of the talk file and the model's config (so that a save by
rename is seen), and answers only requests addressed to it (`Host`), with a
Content-Security-Policy that lets a page run only the scripts it was built with. SIGINT
stops it with 130 and SIGTERM with 143, the rebuild and its render workers first.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import signal
import string
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import jinja2

from deck.commands import doctor
from deck.commands.serving import (
    HOST,
    STOP_CODES,
    Broadcast,
    QuietServer,
    Stopped,
    allowed_hosts,
    before_body_end,
    send_page,
    stream,
    until_stopped,
)
from deck.content.model import PRESETS
from deck.failure import UsageError, where_it_failed
from deck.project import Project
from deck.talk import Talk
from deck.talk.options import talk_file_of
from deck.theme import DARK, LIGHT, ink_on

DEFAULT_PORT = 8000
# Imported once by the watcher, so that each forked rebuild finds them loaded.
WARM_MODULES = ("numpy", "av", "PIL.Image", "jinja2", "manim", "manim_slides", "typst")

LIVE_SCRIPT = string.Template("""
<script>
(function () {
  var KEY = "deck-watch-slide";
  function remember() {
    sessionStorage.setItem(KEY, JSON.stringify(Reveal.getIndices()));
  }
  function restore() {
    var saved = sessionStorage.getItem(KEY);
    if (saved) { var i = JSON.parse(saved); Reveal.slide(i.h, i.v); }
    Reveal.on("slidechanged", remember);
  }
  if (Reveal.isReady()) restore(); else Reveal.on("ready", restore);
  var banner = document.createElement("div");
  banner.id = "deck-watch-error";
  banner.style.cssText = "display:none;position:fixed;left:0;right:0;bottom:0;z-index:9999;" +
    "padding:12px 18px;font:16px/1.4 monospace;background:$error_fill;color:$error_ink;";
  document.body.appendChild(banner);
  var events = new EventSource("/events");
  events.addEventListener("reload", function () { remember(); location.reload(); });
  events.addEventListener("failed", function (e) {
    banner.textContent = e.data; banner.style.display = "block";
  });
  events.addEventListener("building", function () {
    banner.style.display = "none";
  });
})();
</script>
""")

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("deck.commands", "templates"),
    autoescape=True,  # the state shown is an error message, which may quote any input
    keep_trailing_newline=True,
)
WAITING_PAGE = "watch_waiting.html.j2"
CHILD_GRACE = 5.0  # seconds a stopped rebuild has before it is killed


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str  # one line: what was built, or where it failed
    seconds: float


def make_handler(
    page: Callable[[], bytes | None], events: Broadcast, waiting: Callable[[], str], port: int
):
    hosts = allowed_hosts(port)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # the terminal is for build lines only
            pass

        def do_GET(self) -> None:
            if self.headers.get("Host") not in hosts:
                return self.send_error(421, "Misdirected Request")
            path = self.path.split("?")[0]
            if path == "/events":
                return stream(self, events.subscribe(), events)
            if path not in ("/", "/index.html"):
                return self.send_error(404)
            body = page()
            if body is None:
                body = (
                    TEMPLATES.get_template(WAITING_PAGE)
                    .render(state=waiting(), background=DARK.BACKGROUND, text=DARK.TEXT)
                    .encode()
                )
            send_page(self, body)

    return Handler


def with_live_script(html: bytes) -> bytes:
    # a failure banner in the light palette's crimson, white text on it
    script = LIVE_SCRIPT.substitute(error_fill=LIGHT.MASK, error_ink=ink_on(LIGHT.MASK)).encode()
    return before_body_end(html, script)


# Kept across rebuilds: this module, and the failure class that the rebuilt modules'
# errors must be instances of for `where_it_failed` to recognise them.
KEPT_MODULES = {__name__, "deck.failure"}


def fresh_deck_modules() -> None:
    """Forget the deck's modules, so the next import reads the files again."""
    for name in [n for n in sys.modules if n == "deck" or n.startswith("deck.")]:
        if name not in KEPT_MODULES:
            del sys.modules[name]


def rebuild_in_child(
    job: Callable[[], str], root: Path, started: Callable[[int], None] = lambda pid: None
) -> Outcome:
    """Run `job` in a forked child (deck modules imported afresh) and report one line.

    The child leads a process group of its own (its render workers join it), handed to
    `started`, so that the watcher can stop the whole rebuild at once."""
    start = time.perf_counter()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        os.setpgid(0, 0)
        for signum in STOP_CODES:
            signal.signal(signum, signal.SIG_DFL)
        try:
            fresh_deck_modules()
            result = {"ok": True, "message": job()}
        except BaseException as err:  # report whatever happened, in one line
            result = {"ok": False, "message": where_it_failed(err, root)}
        with os.fdopen(write, "w") as out:
            out.write(json.dumps(result))
        os._exit(0)
    os.close(write)
    with contextlib.suppress(OSError):  # the child does the same; whichever runs first
        os.setpgid(pid, pid)
    started(pid)
    with os.fdopen(read) as pipe:
        raw = pipe.read()
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    try:
        result = json.loads(raw)
    except ValueError:
        code = os.waitstatus_to_exitcode(status)
        return Outcome(False, f"the rebuild process died (exit code {code})", seconds)
    return Outcome(result["ok"], result["message"], seconds)


def watched_paths(root: Path, extra: Iterable[Path]) -> list[Path]:
    """deck/ and the folders of the `extra` files: an editor that saves by writing a new
    file and renaming it over the old one replaces the file a watch on it would follow."""
    folders = {p.resolve().parent for p in extra if p.exists()}
    return [root / "deck", *sorted(folders)]


def is_source(change_path: str, root: Path, extra: Iterable[Path] = ()) -> bool:
    """Whether a change at `change_path` can change the deck: a source file under deck/,
    or one of the `extra` files (not their neighbours in the same folder)."""
    path = Path(change_path)
    if path.resolve() in {p.resolve() for p in extra}:
        return True
    name = path.name
    if name.startswith(".") or not path.resolve().is_relative_to((root / "deck").resolve()):
        return False
    return name.endswith((".py", ".j2", ".js", ".toml", ".json"))


class Watch:
    """The watcher: serves the page, rebuilds on every change, tells the pages."""

    def __init__(self, root: Path, html: Path, job: Callable[[], str], port: int):
        """`job` rebuilds the deck and returns the path of the HTML it wrote, which the
        watcher serves from then on (`html` until the first rebuild says otherwise)."""
        self.root, self.html, self.job = root, html, job
        self.events = Broadcast(replayed=("failed",))  # a page opened meanwhile shows it
        self.state = "building the deck…"
        self.child: int | None = None  # the rebuild's process group, while it runs
        self.server = QuietServer(
            (HOST, port), make_handler(self.page, self.events, lambda: self.state, port)
        )
        if port == 0:  # the port the system chose is the one requests name
            self.server.RequestHandlerClass = make_handler(
                self.page, self.events, lambda: self.state, self.server.server_address[1]
            )
        self.server.daemon_threads = True
        self.serving = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def page(self) -> bytes | None:
        try:
            return with_live_script(self.html.read_bytes())
        except OSError:
            return None

    def rebuild(self) -> Outcome:
        self.events.send("building")
        outcome = rebuild_in_child(self.job, self.root, self.started)
        self.child = None  # (left set when a signal stops the watcher mid-rebuild)
        if outcome.ok:
            self.state = "built"
            self.html = Path(outcome.message)
            shown = (
                self.html.relative_to(self.root)
                if self.html.is_relative_to(self.root)
                else self.html
            )
            print(f"rebuilt in {outcome.seconds:.1f} s: {shown}", flush=True)
            self.events.send("reload")
        else:
            self.state = outcome.message
            print(f"deck: {outcome.message}", file=sys.stderr, flush=True)
            self.events.send("failed", outcome.message)
        return outcome

    def started(self, pid: int) -> None:
        self.child = pid

    def stop_rebuild(self) -> None:
        """End a running rebuild and its render workers (its whole process group)."""
        pid = self.child
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + CHILD_GRACE
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            if not _group_alive(pid):
                break
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    def run(self, extra_paths: Iterable[Path], stop: threading.Event) -> None:
        from watchfiles import watch

        extra = list(extra_paths)
        self.serving.start()
        print(f"serving {self.url} (Ctrl-C stops)", flush=True)
        self.rebuild()
        paths = watched_paths(self.root, extra)
        for changes in watch(*paths, stop_event=stop, raise_interrupt=False):
            if any(is_source(path, self.root, extra) for _, path in changes):
                self.rebuild()

    def close(self) -> None:
        if self.serving.is_alive():  # shutdown() waits for a loop that never started
            self.server.shutdown()
        self.server.server_close()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StopSignals:
    """SIGINT and SIGTERM raise `Stopped`, and the last one is remembered: watchfiles 1.x
    (its Rust loop) swallows an exception a signal handler raises while it waits for
    changes and returns as if told to stop, so the exit code comes from `received`."""

    def __init__(self):
        self.received: int | None = None

    def handle(self, signum: int, frame) -> None:
        self.received = signum
        raise Stopped(signum)

    def exit_code(self) -> int:
        return STOP_CODES[self.received] if self.received is not None else 0


def warm_up() -> None:
    for module in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    """Serve the talk's HTML and rebuild it (low quality by default) on every save."""
    from deck.commands.build import NEEDS

    doctor.require(NEEDS)
    warm_up()
    # besides deck/: the talk file, the model's config.json and the own slides' pictures,
    # when there are
    from_config = talk.model.name not in PRESETS  # a config.json's model names its file
    extra = [talk_file_of(args, project), *([Path(talk.model.source)] if from_config else [])]
    extra += [own.image for own in talk.own_slides if own.image is not None]
    root, code = project.root, project.code

    def rebuild() -> str:
        # runs in a forked child that imports the deck afresh: resolve the talk again
        from deck.commands.build import build
        from deck.project import Project
        from deck.talk.options import resolve_talk

        fresh = Project(root, code)
        where = fresh.build(resolve_talk(args, fresh), args.quality)
        with contextlib.redirect_stdout(sys.stderr):
            build(where, args.jobs, formats=("html",))
        return str(where.out_dir / f"{where.stem}.html")  # what the files say now

    html = project.build(talk, args.quality)
    try:
        watcher = Watch(root, html.out_dir / f"{html.stem}.html", rebuild, args.port)
    except OSError as err:
        raise UsageError(f"cannot serve on port {args.port}: {err.strerror}") from None
    stop = threading.Event()
    signals = StopSignals()

    def watching() -> int:
        watcher.run(extra, stop)
        return signals.exit_code()

    try:
        exit_code = until_stopped(watching, signals.handle)
    finally:
        stop.set()
        watcher.stop_rebuild()
        watcher.close()
    print("deck: watch stopped", file=sys.stderr)
    return exit_code
