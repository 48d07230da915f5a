"""`deck serve`: the built HTML deck for a room, offline; the audience follows the speaker.

It serves presentations/<stem>.html as `deck build` wrote it for the talk (and quality)
and builds nothing: a build takes minutes, and the room sees what was rehearsed. Each
page gets a small script (templates/serve.js) at the end of its body. The page whose URL
carries the token, printed once at start and kept in memory only, is the speaker's: it
posts each slide and fragment it shows (POST /state), and the server sends that to every
other page as a server-sent event (GET /events), which shows the same slide; a page that
opens later receives the current slide first. Those pages cannot drive: their keys that
navigate are off and the server refuses a post without the token (403). A phone opening
the speaker's URL gets the remote (templates/serve_remote.html.j2): next and previous,
which the speaker's page obeys, and the current slide's notes.

It listens on 127.0.0.1 unless --host says otherwise, answers only requests addressed to
the names it listens on (`Host`, against DNS rebinding), and its pages run only their own
scripts (the Content-Security-Policy of deck/commands/serving.py). SIGINT stops it with
130 and SIGTERM with 143.
"""

from __future__ import annotations

import argparse
import errno
import hmac
import html as markup
import json
import re
import secrets
import shlex
import socket
import struct
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jinja2
import segno
from markupsafe import Markup

from deck.build.quality import QUALITIES
from deck.commands.serving import (
    HOST,
    LOCAL_NAMES,
    Broadcast,
    QuietServer,
    allowed_hosts,
    before_body_end,
    content_policy,
    send_page,
    stream,
    until_stopped,
)
from deck.export import stamp
from deck.export.writer import out_path
from deck.failure import UsageError
from deck.project import Project
from deck.system.digest import identity
from deck.talk import Talk
from deck.theme import DARK, ink_on

MAX_PORT = 65535
WILDCARD = "0.0.0.0"  # every interface: the room's network too
TOKEN_BYTES = 24  # 192 random bits, 32 characters in the URL
BODY_LIMIT = 256  # bytes: a state is three small numbers and the page's name
MAX_INDEX = 100_000  # no deck has as many slides or fragments
PAGE_NAME = re.compile(r"[0-9a-f]{1,32}")  # serve.js names its page in 16 hex digits
COMMANDS = ("next", "prev")  # what the remote sends
# A phone or tablet opening the speaker's URL: the remote, not the deck (MDN's advice
# for telling a mobile browser: "Mobi"; iPads and Android tablets name themselves).
HANDHELD = re.compile(r"Mobi|Android|iPhone|iPad")
SIOCGIFADDR = 0x8915  # Linux: the IPv4 address of an interface, by name
IFNAME_SIZE = 16  # the interface name field of `struct ifreq` (with its NUL)
IFREQ_SIZE = 40  # `struct ifreq`: the name, then a `struct sockaddr` at IFNAME_SIZE
NOTES = re.compile(rb'<aside class="notes"[^>]*>(.*?)</aside>', re.DOTALL)
TITLE = re.compile(rb"<title>(.*?)</title>", re.DOTALL)
QR_ERROR_LEVEL = "m"  # QR codes' medium error correction: readable off a projected screen
QR_SCALE = 8  # pixels a module, before CSS scales the SVG to the screen
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("deck.commands", "templates"),
    autoescape=True,  # the notes, the title and the URL are text
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Interface:
    """Where the server listens (`bind`), the names requests may give it in `Host`, and
    the addresses the room reaches it at (the first on the QR code)."""

    bind: str
    names: tuple[str, ...]
    shown: tuple[str, ...]


def interface(host: str) -> Interface:
    """The interface `--host` names: an IPv4 address or a name of this machine, or
    0.0.0.0 for all of them (then the room reaches it at the LAN addresses)."""
    try:
        bind = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except (OSError, UnicodeError):
        raise UsageError(
            f"--host {host}: no such host or interface address (give an IPv4 address of "
            f"this machine, {HOST} for it alone, or {WILDCARD} for every interface)"
        ) from None
    if bind == WILDCARD:
        lan = [a for a in interface_addresses() if not a.startswith("127.")]
        return Interface(bind, (*LOCAL_NAMES, *lan), tuple(lan) or (HOST,))
    local = LOCAL_NAMES if bind == HOST else ()
    return Interface(bind, tuple(dict.fromkeys((bind, host, *local))), (bind,))


def interface_addresses() -> list[str]:
    """The IPv4 address of each of this machine's interfaces that has one."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack(f"{IFREQ_SIZE}s", name.encode()[: IFNAME_SIZE - 1])
            try:
                import fcntl  # Linux and other Unixes; not Windows

                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except (ImportError, OSError):  # an interface without IPv4, or no ioctl here
                continue
            # struct sockaddr_in: family (2 bytes), port (2), then the address (4)
            found.append(socket.inet_ntoa(answer[IFNAME_SIZE + 4 : IFNAME_SIZE + 8]))
    return found


def built_html(talk: Talk, project: Project, quality: str | None, flags: str) -> Path:
    """The HTML that `deck build` wrote for `talk` at `quality` (any quality if None), as
    that build's stamp recorded it; else a UsageError saying what to build."""
    qualities = [quality] if quality else list(QUALITIES)
    html = out_path(project.build(talk, qualities[0]), "html")
    built_at = [q for q in QUALITIES if _wrote(project, talk, q, html)]
    if built_at and (quality is None or quality in built_at):
        return html
    shown = html.relative_to(project.root) if html.is_relative_to(project.root) else html
    build = f"`.venv/bin/deck build{flags}{f' --quality {quality}' if quality else ''}`"
    if not html.is_file():
        raise UsageError(f"{shown} is not built: run {build} first")
    if built_at:
        raise UsageError(f"{shown} is the {built_at[0]}-quality build: run {build} first")
    raise UsageError(f"{shown} is not the one `deck build` wrote: run {build} first")


def _wrote(project: Project, talk: Talk, quality: str, html: Path) -> bool:
    made = stamp.recorded(project.build(talk, quality)) or {}
    now = identity(html)
    return now is not None and made.get("outputs", {}).get(html.name) == now


def talk_flags(args: argparse.Namespace) -> str:
    """The options that chose the talk, as a command line would repeat them."""
    flags = ""
    for option in ("talk", "theme", "preset", "model", "name"):
        value = getattr(args, option, None)
        if value is not None:
            flags += f" --{option} {shlex.quote(str(value))}"
    return flags


def qr_svg(url: str) -> str:
    # a viewBox and no size: CSS sizes it to the screen
    code = segno.make(url, error=QR_ERROR_LEVEL, micro=False)  # phones read no Micro QR
    return code.svg_inline(scale=QR_SCALE, omitsize=True)


def valid_state(body: bytes) -> dict | None:
    """A posted state, {"h", "v", "f", "by"}, as it is sent on; None if it is not one."""
    try:
        state = json.loads(body)
    except ValueError:
        return None
    if not isinstance(state, dict) or set(state) != {"h", "v", "f", "by"}:
        return None
    h, v, f, by = state["h"], state["v"], state["f"], state["by"]
    indices = [h, v] if f is None else [h, v, f]
    if not all(type(i) is int and -1 <= i < MAX_INDEX for i in indices) or min(h, v) < 0:
        return None  # (bool is an int: `type` keeps true and false out)
    if not isinstance(by, str) or not PAGE_NAME.fullmatch(by):
        return None
    return {"h": h, "v": v, "f": f, "by": by}


class Room:
    """The server: the deck for the speaker and for the audience, the remote, the events."""

    def __init__(
        self, html: bytes, where: Interface, port: int, title_qr: bool = False, token: str = ""
    ):
        self.token = token or secrets.token_urlsafe(TOKEN_BYTES)
        self.slides = Broadcast(replayed=("state",))  # every page: the speaker's slide
        self.commands = Broadcast()  # the speaker's pages: the remote's next and previous
        try:
            self.server = QuietServer((where.bind, port), make_handler(self))
        except OSError as err:
            raise UsageError(cannot_listen(err, where.bind, port)) from None
        self.port = self.server.server_address[1]
        self.hosts = allowed_hosts(self.port, where.names)
        self.urls = [f"http://{address}:{self.port}/" for address in where.shown]
        self.pages = {
            role: page_and_policy(with_serve_script(html, role, self.urls[0], title_qr))
            for role in ("speaker", "follower")
        }
        self.remote = page_and_policy(remote_page(html))
        self.serving = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def speaker_url(self) -> str:
        return f"{self.urls[0]}?token={self.token}"

    def is_speaker(self, query: dict[str, list[str]]) -> bool:
        given = query.get("token", [""])[0]
        return hmac.compare_digest(given.encode(), self.token.encode())

    def serve_forever(self) -> int:
        """Serve in this thread until a signal stops it (`until_stopped`)."""
        self.server.serve_forever()
        return 0

    def close(self) -> None:
        if self.serving.is_alive():  # shutdown() waits for a loop that never started
            self.server.shutdown()
        self.server.server_close()


def cannot_listen(err: OSError, bind: str, port: int) -> str:
    if err.errno == errno.EADDRINUSE:
        return f"port {port} is in use on {bind}: choose another with --port (0: any free one)"
    if err.errno == errno.EADDRNOTAVAIL:
        return f"--host {bind}: not an address of this machine's interfaces"
    return f"cannot serve on {bind}, port {port}: {err.strerror}"


def page_and_policy(body: bytes) -> tuple[bytes, str]:
    """A page and its policy, made once: hashing the scripts of a large deck takes time."""
    return body, content_policy(body)


def with_serve_script(html: bytes, role: str, audience_url: str, title_qr: bool) -> bytes:
    part = TEMPLATES.get_template("serve.html.j2").render(
        role=role,
        title_qr=title_qr,
        audience_url=audience_url,
        qr_svg=Markup(qr_svg(audience_url)),  # made here from the URL alone
        ink="#fff",
        veil="rgba(0, 0, 0, 0.88)",  # the QR code's white square on a dark veil
    )
    return before_body_end(html, part.encode())


def remote_page(html: bytes) -> bytes:
    """The remote: buttons and each slide's notes (from the deck's page, in its order)."""
    notes = [markup.unescape(n.decode("utf-8")).strip() for n in NOTES.findall(html)]
    title = TITLE.search(html)
    return (
        TEMPLATES.get_template("serve_remote.html.j2")
        .render(
            title=markup.unescape(title[1].decode("utf-8")) if title else "deck",
            notes=notes,
            background=DARK.BACKGROUND,
            text=DARK.TEXT,
            button=DARK.PANEL,
            button_ink=ink_on(DARK.PANEL),
        )
        .encode()
    )


def make_handler(room: Room):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # a request line can carry the token
            pass

        def meant_for_us(self) -> bool:
            if self.headers.get("Host") in room.hosts:
                return True
            self.send_error(421, "Misdirected Request")
            return False

        def do_GET(self) -> None:
            if not self.meant_for_us():
                return
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            speaker = room.is_speaker(query)
            if "token" in query and not speaker:
                return self.send_error(403, "Wrong token")
            if url.path == "/events":
                events = room.slides.subscribe()
                if not speaker:
                    return stream(self, events, room.slides)
                return stream(self, room.commands.subscribe(events), room.slides, room.commands)
            handheld = HANDHELD.search(self.headers.get("User-Agent", ""))
            if url.path == "/remote" or (url.path == "/" and speaker and handheld):
                if not speaker:
                    return self.send_error(403, "The remote needs the speaker's token")
                return send_page(self, *room.remote)
            if url.path not in ("/", "/index.html"):
                return self.send_error(404)
            send_page(self, *room.pages["speaker" if speaker else "follower"])

        def do_POST(self) -> None:
            if not self.meant_for_us():
                return
            url = urlsplit(self.path)
            if url.path not in ("/state", "/command"):
                return self.send_error(404)
            if not room.is_speaker(parse_qs(url.query)):
                return self.send_error(403, "Only the speaker's page drives")
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                return self.send_error(400)
            if not 0 <= length <= BODY_LIMIT:
                return self.send_error(413)
            body = self.rfile.read(length)
            if url.path == "/state":
                return self.post_state(body)
            self.post_command(body.decode("utf-8", "replace"))

        def post_state(self, body: bytes) -> None:
            state = valid_state(body)
            if state is None:
                return self.send_error(400, "Not a slide")
            room.slides.send("state", json.dumps(state))
            self.no_content()

        def post_command(self, command: str) -> None:
            if command not in COMMANDS:
                return self.send_error(400, "Not a command")
            if not room.commands.listeners:
                return self.send_error(409, "No speaker's page is open")
            room.commands.send("command", command)
            self.no_content()

        def no_content(self) -> None:
            self.send_response(204)
            self.end_headers()

    return Handler


def announce(room: Room, html: Path, project: Project, bind: str) -> None:
    shown = html.relative_to(project.root) if html.is_relative_to(project.root) else html
    print(f"serving {shown} on {bind}, port {room.port} (Ctrl-C stops)")
    also = f" (also {', '.join(room.urls[1:])})" if room.urls[1:] else ""
    print(f"audience: {room.urls[0]}{also}; Q on any page shows its QR code")
    print(f"speaker:  {room.speaker_url}  (secret: it drives; on a phone, the remote)")
    sys.stdout.flush()


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    """Serve the built deck until Ctrl-C (130) or SIGTERM (143)."""
    if not 0 <= args.port <= MAX_PORT:
        raise UsageError(f"--port must be from 0 to {MAX_PORT} (0: any free one), got {args.port}")
    html = built_html(talk, project, args.quality, talk_flags(args))
    where = interface(args.host)
    room = Room(html.read_bytes(), where, args.port, title_qr=args.qr)

    announce(room, html, project, where.bind)
    try:
        exit_code = until_stopped(room.serve_forever)
    finally:
        room.server.server_close()
    print("deck: serve stopped", file=sys.stderr)
    return exit_code
