"""What `deck watch` and `deck serve` share to serve the deck's page: server-sent events,
a server quiet about pages that go away, the `Host` check against DNS rebinding, the
Content-Security-Policy that allows a page's own inline scripts by hash only, and the
signals that stop a server with a shell's exit code."""

from __future__ import annotations

import queue
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from deck.compat.revealjs import script_hash, speaker_view_scripts
from deck.export.reveal import reveal_dist

HOST = "127.0.0.1"  # this machine only, unless told otherwise (`deck serve --host`)
LOCAL_NAMES = (HOST, "localhost")
HTTP_PORT = 80
HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
SCRIPT = re.compile(rb"<script\b[^>]*>(.*?)</script>", re.DOTALL)
# Everything the deck's page uses is inline or made in the page (videos as blob: URLs
# from inlined data, pictures and the font as data: URIs); its scripts are allowed by
# their hashes only, so that no text that reaches a page (an error quoting a talk file,
# a title) can run as a script, not even as an event handler attribute. The speaker view
# (reveal.js' notes plugin) shows the deck itself in frames: 'self' may frame 'self'.
POLICY = (
    "default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
    "img-src data: blob:; media-src data: blob:; font-src data:; connect-src 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
STOP_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal, as shells do


class Stopped(Exception):
    """The server was told to stop by `signal`."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.exit_code = STOP_CODES[signum]


def raise_stopped(signum: int, frame) -> None:
    raise Stopped(signum)


def until_stopped(work: Callable[[], int], handle: Callable = raise_stopped) -> int:
    """`work`'s exit code, or the shell's code of the signal that stopped it: SIGINT and
    SIGTERM go to `handle` meanwhile, which raises `Stopped`."""
    previous = {signum: signal.signal(signum, handle) for signum in STOP_CODES}
    try:
        return work()
    except Stopped as stopped:
        return stopped.exit_code
    except KeyboardInterrupt:  # SIGINT before the handler was in place
        return STOP_CODES[signal.SIGINT]
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def content_policy(body: bytes) -> str:
    """The policy for one page: its own inline scripts and the speaker view's, by hash."""
    hashes = [script_hash(m[1].decode("utf-8")) for m in SCRIPT.finditer(body)]
    hashes += speaker_view_hashes()
    return POLICY.format(scripts=" ".join(dict.fromkeys(hashes)) or "'none'")


def speaker_view_hashes() -> list[str]:
    try:
        notes = (reveal_dist() / "plugin" / "notes.js").read_text(encoding="utf-8")
    except OSError:  # no reveal.js: the page cannot open a speaker view either
        return []
    return [script_hash(s) for s in speaker_view_scripts(notes)]


class Broadcast:
    """Server-sent events to every open page. When the last event sent is named in
    `replayed` (a failure still standing, the speaker's slide), a page that subscribes
    later receives it first."""

    def __init__(self, replayed: Iterable[str] = ()) -> None:
        self.listeners: list[queue.Queue] = []
        self.lock = threading.Lock()
        self.replayed = frozenset(replayed)
        self.last: tuple[str, str] | None = None

    def subscribe(self, q: queue.Queue | None = None) -> queue.Queue:
        """A new queue of events, or `q` (one page can listen to several broadcasts)."""
        q = queue.Queue() if q is None else q
        with self.lock:  # so that no event sent meanwhile overtakes the replayed one
            self.listeners.append(q)
            if self.last is not None:
                q.put(self.last)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self.lock:
            if q in self.listeners:
                self.listeners.remove(q)

    def send(self, event: str, data: str = "") -> None:
        with self.lock:
            self.last = (event, data) if event in self.replayed else None
            for q in self.listeners:
                q.put((event, data))


def allowed_hosts(port: int, names: Iterable[str] = LOCAL_NAMES) -> set[str]:
    """The `Host` headers of requests meant for this server, which answers to `names` (a
    DNS-rebinding page sends its own name)."""
    bare = set(names) if port == HTTP_PORT else set()  # a browser leaves out port 80
    return {f"{name}:{port}" for name in names} | bare


def before_body_end(html: bytes, snippet: bytes) -> bytes:
    """`html` with `snippet` at the end of its body (at its end if it has no `</body>`)."""
    at = html.rfind(b"</body>")
    return html + snippet if at < 0 else html[:at] + snippet + html[at:]


def send_page(handler: BaseHTTPRequestHandler, body: bytes, policy: str | None = None) -> None:
    """Answer with an HTML page that runs only its own scripts and is never cached."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("Content-Security-Policy", policy or content_policy(body))
    handler.send_header("X-Content-Type-Options", "nosniff")
    handler.send_header("Referrer-Policy", "no-referrer")  # a URL may carry a token
    handler.end_headers()
    handler.wfile.write(body)


def stream(handler: BaseHTTPRequestHandler, events: queue.Queue, *sources: Broadcast) -> None:
    """Send `events` (subscribed to `sources`) to the page until it goes away."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-store")
    handler.end_headers()
    try:
        while True:
            try:
                event, data = events.get(timeout=HEARTBEAT)
                handler.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
            except queue.Empty:
                handler.wfile.write(b": idle\n\n")
            handler.wfile.flush()
    except OSError:  # the page went away
        pass
    finally:
        for source in sources:
            source.unsubscribe(events)


class QuietServer(ThreadingHTTPServer):
    """A page that goes away mid-answer is no news: no traceback in the terminal."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)
