"""`deck watch`: rebuild on every save and reload the open browser tab on the same slide.

The watching process imports the heavy libraries once (manim, manim-slides, numpy, PyAV)
and never the deck's own modules: each rebuild runs in a child forked from it, which
imports the deck afresh from disk, so an edit to any module is seen and a broken module
cannot take the watcher down. The child renders what changed (the slide cache keeps the
unchanged slides) and writes the HTML; the watcher serves that page on 127.0.0.1 with a
small script that reloads it when a rebuild succeeds and shows a failure's one line.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import queue
import signal
import string
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from deck.failure import where_it_failed
from deck.theme import DARK, LIGHT, ink_on

HOST = "127.0.0.1"  # the page is for this machine only
DEFAULT_PORT = 8000
# Imported once by the watcher, so that each forked rebuild finds them loaded.
WARM_MODULES = ("numpy", "av", "PIL.Image", "jinja2", "manim", "manim_slides", "typst")
HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream

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

WAITING_PAGE = """<!doctype html><meta charset="utf-8"><title>deck watch</title>
<body style="background:{background};color:{text};font:20px sans-serif;padding:2em">
<p id="state">{state}</p>
<script>
new EventSource("/events").addEventListener("reload", function () {{ location.reload(); }});
new EventSource("/events").addEventListener("failed", function (e) {{
  document.getElementById("state").textContent = e.data;
}});
</script>"""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str  # one line: what was built, or where it failed
    seconds: float


class Broadcast:
    """Server-sent events to every open page."""

    def __init__(self) -> None:
        self.listeners: list[queue.Queue] = []
        self.lock = threading.Lock()
        self.last_failure = ""

    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue()
        with self.lock:
            self.listeners.append(q)
        if self.last_failure:
            q.put(("failed", self.last_failure))
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self.lock:
            if q in self.listeners:
                self.listeners.remove(q)

    def send(self, event: str, data: str = "") -> None:
        self.last_failure = data if event == "failed" else ""
        with self.lock:
            for q in self.listeners:
                q.put((event, data))


def make_handler(page: Callable[[], bytes | None], events: Broadcast, waiting: Callable[[], str]):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # the terminal is for build lines only
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/events":
                return self.stream()
            if path not in ("/", "/index.html"):
                return self.send_error(404)
            body = page()
            if body is None:
                body = WAITING_PAGE.format(
                    state=waiting(), background=DARK.BACKGROUND, text=DARK.TEXT
                ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            q = events.subscribe()
            try:
                while True:
                    try:
                        event, data = q.get(timeout=HEARTBEAT)
                        self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                    except queue.Empty:
                        self.wfile.write(b": idle\n\n")
                    self.wfile.flush()
            except OSError:  # the page went away
                pass
            finally:
                events.unsubscribe(q)

    return Handler


def with_live_script(html: bytes) -> bytes:
    marker = b"</body>"
    at = html.rfind(marker)
    # a failure banner in the light palette's crimson, white text on it
    script = LIVE_SCRIPT.substitute(error_fill=LIGHT.MASK, error_ink=ink_on(LIGHT.MASK)).encode()
    return html + script if at < 0 else html[:at] + script + html[at:]


# Kept across rebuilds: this module, and the failure class that the rebuilt modules'
# errors must be instances of for `where_it_failed` to recognise them.
KEPT_MODULES = {__name__, "deck.failure"}


def fresh_deck_modules() -> None:
    """Forget the deck's modules, so the next import reads the files again."""
    for name in [n for n in sys.modules if n == "deck" or n.startswith("deck.")]:
        if name not in KEPT_MODULES:
            del sys.modules[name]


def rebuild_in_child(job: Callable[[], str], root: Path) -> Outcome:
    """Run `job` in a forked child (deck modules imported afresh) and report one line."""
    start = time.perf_counter()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            fresh_deck_modules()
            result = {"ok": True, "message": job()}
        except BaseException as err:  # report whatever happened, in one line
            result = {"ok": False, "message": where_it_failed(err, root)}
        with os.fdopen(write, "w") as out:
            out.write(json.dumps(result))
        os._exit(0)
    os.close(write)
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
    return [root / "deck", *(p for p in extra if p.exists())]


def is_source(change_path: str) -> bool:
    name = Path(change_path).name
    return name.endswith((".py", ".j2", ".js", ".toml", ".json")) and not name.startswith(".")


class Watch:
    """The watcher: serves the page, rebuilds on every change, tells the pages."""

    def __init__(self, root: Path, html: Path, job: Callable[[], str], port: int):
        self.root, self.html, self.job = root, html, job
        self.events = Broadcast()
        self.state = "building the deck…"
        handler = make_handler(self.page, self.events, lambda: self.state)
        self.server = ThreadingHTTPServer((HOST, port), handler)
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
        outcome = rebuild_in_child(self.job, self.root)
        if outcome.ok:
            self.state = "built"
            print(f"rebuilt in {outcome.seconds:.1f} s: {outcome.message}", flush=True)
            self.events.send("reload")
        else:
            self.state = outcome.message
            print(f"deck: {outcome.message}", file=sys.stderr, flush=True)
            self.events.send("failed", outcome.message)
        return outcome

    def run(self, extra_paths: Iterable[Path], stop: threading.Event) -> None:
        from watchfiles import watch

        self.serving.start()
        print(f"serving {self.url} (Ctrl-C stops)", flush=True)
        self.rebuild()
        paths = watched_paths(self.root, extra_paths)
        for changes in watch(*paths, stop_event=stop, raise_interrupt=False):
            if any(is_source(path) for _, path in changes):
                self.rebuild()

    def close(self) -> None:
        if self.serving.is_alive():  # shutdown() waits for a loop that never started
            self.server.shutdown()
        self.server.server_close()


def warm_up() -> None:
    for module in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
