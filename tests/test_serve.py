"""`deck serve` on loopback with real Chromium pages: the followers land on the speaker's
slide within a second (the latency is measured and printed), cannot drive, land on the
current slide when they join late, keep their own calculator, and keep following when
other pages go away; the phone's remote moves the speaker; the QR code decodes to the
audience address. Then the command line: what it prints, its errors, its signals.

Each page has a browser context of its own, as each device in a room has: Chromium
keeps at most six connections to one server per profile, and each page holds one open
for its events."""

from __future__ import annotations

import http.client
import io
import json
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from deck import cli
from deck.commands import serve
from deck.commands.serving import HOST, allowed_hosts
from deck.export import stamp
from deck.export.reveal import reveal_dist
from deck.project import Project
from deck.system.digest import identity

ROOT = Path(__file__).resolve().parents[1]
READY = "() => window.Reveal && Reveal.isReady()"
CONNECTED = "#deck-serve[data-connected]"
FOLLOW_LIMIT = 1.0  # seconds: the promise
MOVES = 6  # slide changes timed, each seen by every follower
FOLLOWERS = 3
PHONE = {
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "viewport": {"width": 412, "height": 915},
    "has_touch": True,
    "is_mobile": True,
}
SIGNAL_TIMEOUT = 30  # seconds for `deck serve` to start or stop in a child process

# the moment of each slide change in a page, on the clock all pages share
RECORD_MOVES = """() => {
  window.moves = [];
  const now = () => performance.timeOrigin + performance.now();
  Reveal.on("slidechanged", (e) => moves.push([e.indexh, now()]));
}"""


@pytest.fixture
def room(deck_html):
    yield from serving(deck_html.read_bytes())


def serving(html: bytes, **options):
    room = serve.Room(html, serve.interface(HOST), 0, **options)
    room.serving.start()
    try:
        yield room
    finally:
        room.close()


class Pages:
    """Pages, each in a browser context of its own (a device of its own)."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []
        self.errors: list[str] = []

    def open(self, url: str, deck: bool = True, **context):
        ctx = self.browser.new_context(**({"viewport": {"width": 1280, "height": 720}} | context))
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: self.errors.append(m.text) if "Security" in m.text else 0)
        page.goto(url)
        if deck:
            page.wait_for_function(READY)
            page.wait_for_selector(CONNECTED, state="attached")
        return page

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def pages(browser):
    opened = Pages(browser)
    yield opened
    opened.close()
    assert not opened.errors, opened.errors  # no script error, nothing the policy blocked


def slide(page) -> int:
    return page.evaluate("Reveal.getIndices().h")


def wait_slide(page, h: int, seconds: float = FOLLOW_LIMIT) -> None:
    page.wait_for_function(f"() => Reveal.getIndices().h === {h}", timeout=seconds * 1000)


def post(room, path: str, body: bytes, token: str | None = None) -> int:
    connection = http.client.HTTPConnection(HOST, room.port, timeout=10)
    query = f"?token={token}" if token is not None else ""
    connection.request("POST", path + query, body=body)
    return connection.getresponse().status


def get(room, path: str, host: str | None = None, **headers) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, room.port, timeout=10)
    connection.request("GET", path, headers=({"Host": host} if host else {}) | headers)
    return connection.getresponse()


# ── the room, in Chromium ───────────────────────────────────────────────────────────
@pytest.mark.browser
def test_followers_land_on_the_speakers_slide_within_a_second(room, pages, capsys):
    speaker = pages.open(room.speaker_url)
    followers = [pages.open(room.urls[0]) for _ in range(FOLLOWERS)]
    for page in [speaker, *followers]:
        page.evaluate(RECORD_MOVES)
    for h in range(1, MOVES + 1):
        speaker.keyboard.press("ArrowRight")
        for page in followers:
            wait_slide(page, h, seconds=5 * FOLLOW_LIMIT)  # measured below, not here
    sent = dict(speaker.evaluate("moves"))
    latencies = [(at - sent[h]) / 1000 for page in followers for h, at in page.evaluate("moves")]
    assert len(latencies) == MOVES * FOLLOWERS  # each follower moved once a move
    with capsys.disabled():
        print(
            f"\nfollow latency, {MOVES} moves x {FOLLOWERS} followers: median "
            f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
    assert max(latencies) < FOLLOW_LIMIT, latencies


@pytest.mark.browser
def test_a_follower_cannot_drive(room, pages):
    speaker = pages.open(room.speaker_url)
    follower, other = pages.open(room.urls[0]), pages.open(room.urls[0])
    speaker.keyboard.press("ArrowRight")
    wait_slide(follower, 1)
    for key in ("ArrowRight", "PageDown", "n", "End", "ArrowLeft", "Home", "Escape", "g"):
        follower.keyboard.press(key)
    follower.mouse.wheel(0, 600)
    time.sleep(FOLLOW_LIMIT / 2)  # what a move would take to reach the others
    assert [slide(p) for p in (follower, other, speaker)] == [1, 1, 1]
    assert not follower.evaluate("Reveal.isOverview()")

    state = json.dumps({"h": 4, "v": 0, "f": None, "by": "ff"}).encode()
    assert post(room, "/state", state) == 403
    assert post(room, "/state", state, token="not-the-token") == 403
    assert post(room, "/state", state, token=room.token[:-1]) == 403
    assert post(room, "/command", b"next") == 403
    assert get(room, "/?token=guess").status == 403
    assert get(room, "/remote").status == 403
    assert post(room, "/state", b'{"h": true, "v": 0, "f": null, "by": "ff"}', room.token) == 400
    assert post(room, "/state", b"x" * (serve.BODY_LIMIT + 1), room.token) == 413
    assert [slide(p) for p in (follower, other, speaker)] == [1, 1, 1]


@pytest.mark.browser
def test_the_speaker_view_leads_no_one(room, pages):
    """The speaker view (S) shows the deck in frames, the next slide in one: they are not
    the speaker's page, though their URL carries its token."""
    speaker = pages.open(room.speaker_url)
    follower = pages.open(room.urls[0])
    with speaker.expect_popup() as popup:
        speaker.keyboard.press("s")
    view = popup.value
    view.on("console", lambda m: pages.errors.append(m.text) if "Security" in m.text else 0)
    view.wait_for_selector("#upcoming-slide iframe")
    for frame in ("#current-slide", "#upcoming-slide"):
        view.frame_locator(f"{frame} iframe").locator(".reveal").wait_for(state="attached")
    for h in (1, 2):
        speaker.keyboard.press("ArrowRight")
        wait_slide(follower, h)
    time.sleep(FOLLOW_LIMIT / 2)  # what a post from the upcoming frame would take
    assert slide(follower) == 2
    assert len(room.slides.listeners) == 2  # the speaker's page and the follower


@pytest.mark.browser
def test_a_late_joiner_lands_on_the_current_slide(room, pages):
    speaker = pages.open(room.speaker_url)
    for _ in range(3):
        speaker.keyboard.press("ArrowRight")
    time.sleep(FOLLOW_LIMIT / 2)  # the last post reaches the server
    late = pages.open(room.urls[0])
    wait_slide(late, 3)
    # and a speaker's page opened again (a reload, a second screen) lands there too
    again = pages.open(room.speaker_url)
    wait_slide(again, 3)
    again.keyboard.press("ArrowRight")
    wait_slide(late, 4)
    wait_slide(speaker, 4)  # the first speaker's page follows the second


@pytest.mark.browser
def test_the_server_survives_pages_that_go_away(room, pages):
    speaker = pages.open(room.speaker_url)
    staying = pages.open(room.urls[0])
    leaving = [pages.open(room.urls[0]) for _ in range(2)]
    # two more listeners that vanish without a word: sockets reset mid-stream
    raw = [socket.create_connection((HOST, room.port)) for _ in range(2)]
    for sock in raw:
        sock.sendall(f"GET /events HTTP/1.1\r\nHost: {HOST}:{room.port}\r\n\r\n".encode())
        sock.recv(1024)
    speaker.keyboard.press("ArrowRight")
    wait_slide(staying, 1)
    for page in leaving:
        page.context.close()
    for sock in raw:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # linger 0: a reset, not a goodbye
    for h in (2, 3, 4):
        speaker.keyboard.press("ArrowRight")
        wait_slide(staying, h)
    assert get(room, "/").status == 200
    wait_slide(pages.open(room.urls[0]), 4)
    deadline = time.monotonic() + 5 * FOLLOW_LIMIT
    while len(room.slides.listeners) > 3 and time.monotonic() < deadline:
        speaker.keyboard.press("ArrowRight")  # each event finds the gone pages' sockets
        time.sleep(0.1)
    assert len(room.slides.listeners) == 3  # the speaker and two followers: the rest let go


@pytest.mark.browser
def test_the_phones_remote_moves_the_speaker(room, pages):
    speaker = pages.open(room.speaker_url)
    follower = pages.open(room.urls[0])
    remote = pages.open(room.speaker_url, deck=False, **PHONE)  # the same URL, on a phone
    next_button = remote.locator("#next")
    next_button.tap()
    next_button.tap()
    wait_slide(speaker, 2)
    wait_slide(follower, 2)
    notes = speaker.evaluate("Reveal.getCurrentSlide().querySelector('aside.notes').textContent")
    where = remote.locator("#where")
    remote.wait_for_function("() => document.querySelector('#where').textContent.includes('3')")
    assert where.inner_text().startswith("slide 3 of ")
    assert remote.locator("#notes").inner_text().split() == notes.split() != []
    remote.locator("#prev").tap()
    wait_slide(speaker, 1)
    wait_slide(follower, 1)
    assert remote.locator("#next").bounding_box()["height"] > PHONE["viewport"]["height"] / 5


@pytest.mark.browser
def test_the_qr_code_decodes_to_the_audience_address(deck_html, pages):
    import zxingcpp
    from PIL import Image

    for room in serving(deck_html.read_bytes(), title_qr=True):
        speaker = pages.open(room.speaker_url)
        follower = pages.open(room.urls[0])
        # --qr: a corner of the title slide
        corner = follower.locator("#deck-serve.deck-serve-corner")
        corner.wait_for(state="visible")
        assert read_qr(corner, zxingcpp, Image) == room.urls[0]
        speaker.keyboard.press("ArrowRight")
        corner.wait_for(state="hidden")
        # Q, on any page: the whole screen, the address under the code
        follower.keyboard.press("q")
        full = follower.locator("#deck-serve.deck-serve-full")
        full.wait_for(state="visible")
        assert read_qr(full.locator(".deck-serve-code"), zxingcpp, Image) == room.urls[0]
        assert full.locator(".deck-serve-url").inner_text() == room.urls[0]
        follower.keyboard.press("q")
        full.wait_for(state="hidden")
        speaker.keyboard.press("Shift+Slash")  # ?: the key list names Q
        assert "QR code of the audience address" in speaker.locator(".r-overlay-help").inner_text()


def read_qr(locator, zxingcpp, image) -> str:
    shot = locator.screenshot()
    codes = zxingcpp.read_barcodes(image.open(io.BytesIO(shot)))
    assert len(codes) == 1, f"{len(codes)} QR codes read"
    return codes[0].text


@pytest.mark.browser
def test_following_keeps_a_followers_own_calculator(room, pages):
    speaker = pages.open(room.speaker_url)
    follower = pages.open(room.urls[0])
    at = speaker.evaluate(
        "Array.from(document.querySelectorAll('.reveal .slides > section'))"
        ".findIndex((s) => s.querySelector('.kvc'))"
    )
    assert at > 0, "the deck has no calculator slide"
    speaker.evaluate(f"Reveal.slide({at})")
    wait_slide(follower, at)
    batch = follower.locator("section.present .kvc input[name=batch]")
    batch.fill("7")
    shown = follower.locator("section.present .kvc [data-kv=gqa]").inner_text()
    # the speaker's page posts the same slide again (a second speaker's page, a reload)
    same = json.dumps({"h": at, "v": 0, "f": None, "by": "5eca"}).encode()
    assert post(room, "/state", same, room.token) == 204
    speaker.locator("section.present .kvc input[name=batch]").fill("3")  # its own figures
    time.sleep(FOLLOW_LIMIT / 2)
    assert batch.input_value() == "7"
    assert follower.locator("section.present .kvc [data-kv=gqa]").inner_text() == shown
    assert slide(follower) == at


@pytest.mark.browser
def test_fragments_follow(pages):
    for room in serving(fragment_deck()):
        speaker = pages.open(room.speaker_url)
        follower = pages.open(room.urls[0])
        for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft") * 2:
            speaker.keyboard.press(key)
            where = speaker.evaluate("JSON.stringify(Reveal.getIndices())")
            follower.wait_for_function(
                f"() => JSON.stringify(Reveal.getIndices()) === {where!r}",
                timeout=FOLLOW_LIMIT * 1000,
            )
        assert speaker.evaluate("Reveal.getIndices().f") is not None  # fragments were shown


def fragment_deck() -> bytes:
    """A reveal.js deck of three slides, the second with two fragments."""
    dist = reveal_dist()
    scripts = [(dist / "reveal.js").read_text(), (dist / "plugin" / "notes.js").read_text()]
    scripts.append("Reveal.initialize({plugins: [RevealNotes], hash: false});")
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>fragments</title></head>'
        '<body><div class="reveal"><div class="slides"><section>one</section><section>'
        '<p class="fragment">a</p><p class="fragment">b</p></section><section>three</section>'
        "</div></div>" + "".join(f"<script>{s}</script>" for s in scripts) + "</body></html>"
    ).encode()


# ── addresses and the Host check ────────────────────────────────────────────────────
def test_every_interface_answers_to_its_addresses_only():
    where = serve.interface(serve.WILDCARD)
    lan = [a for a in serve.interface_addresses() if not a.startswith("127.")]
    assert set(where.names) == {HOST, "localhost", *lan}
    assert list(where.shown) == (lan or [HOST])
    for room in serving_on(where):
        for name in where.names:
            assert get(room, "/", host=f"{name}:{room.port}").status == 200
        assert get(room, "/", host=f"attacker.example:{room.port}").status == 421  # rebinding
        assert get(room, "/events", host="attacker.example").status == 421
    assert serve.interface("localhost").names == (HOST, "localhost")


def test_the_remote_says_when_no_speakers_page_is_open_to_move():
    for room in serving_on(serve.interface(HOST)):
        assert post(room, "/command", b"next", room.token) == 409
        assert post(room, "/command", b"rm -rf", room.token) == 400


def test_every_lan_address_is_printed(tmp_path, capsys):
    lan = ("192.0.2.7", "198.51.100.3")  # as if on two networks (listening on loopback)
    for room in serving_on(serve.Interface(HOST, (HOST, *lan), lan)):
        serve.announce(room, tmp_path / "gqa.html", Project(tmp_path), serve.WILDCARD)
        out = capsys.readouterr().out
    port = room.port
    assert out.splitlines()[1:] == [
        f"audience: http://192.0.2.7:{port}/ (also http://198.51.100.3:{port}/); Q on any "
        "page shows its QR code",
        f"speaker:  http://192.0.2.7:{port}/?token={room.token}  (secret: it drives; on a "
        "phone, the remote)",
    ]


def serving_on(where: serve.Interface):
    room = serve.Room(b"<html><body>deck</body></html>", where, 0)
    room.serving.start()
    try:
        yield room
    finally:
        room.close()


def test_on_port_80_a_host_may_leave_the_port_out():
    assert allowed_hosts(80, ["192.0.2.7"]) == {"192.0.2.7:80", "192.0.2.7"}
    assert allowed_hosts(8000, ["192.0.2.7"]) == {"192.0.2.7:8000"}


def test_the_token_is_random_and_checked_in_constant_time(monkeypatch):
    rooms = [serve.Room(b"", serve.interface(HOST), 0) for _ in range(2)]
    try:
        assert rooms[0].token != rooms[1].token and len(rooms[0].token) >= 32
        compared = []
        monkeypatch.setattr(serve.hmac, "compare_digest", lambda a, b: compared.append(a) or 0)
        assert not rooms[0].is_speaker({"token": [rooms[0].token]}) and compared
    finally:
        for room in rooms:
            room.close()


# ── the command line ────────────────────────────────────────────────────────────────
def built_project(root: Path, quality: str = "low") -> Project:
    """A project whose default talk `deck build` exported at `quality` (a stand-in page)."""
    project = Project(root)
    html = root / "presentations" / "gqa.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("<html><head><title>t</title></head><body>deck</body></html>")
    talk = cli.resolve_talk(cli.make_parser().parse_args(["serve"]), project)
    where = project.build(talk, quality)
    where.slides.mkdir(parents=True)
    stamp.record(where, {"inputs": "", "outputs": {html.name: identity(html)}})
    return project


def deck(argv: list[str], project: Project) -> tuple[int, str]:
    errors = io.StringIO()
    with redirect_stderr(errors):
        try:
            code = cli.main(argv, project)
        except SystemExit as parser_exit:  # argparse's own errors exit (with 2) themselves
            code = parser_exit.code
    return code, errors.getvalue()


def test_serving_before_a_build_says_what_to_build(tmp_path, capsys):
    code, errors = deck(["serve", "--theme", "light"], Project(tmp_path))
    assert code == 2
    assert errors == (
        "deck: error: presentations/gqa-demo-1b-light.html is not built: run "
        "`.venv/bin/deck build --theme light` first\n"
    )
    project = built_project(tmp_path)
    code, errors = deck(["serve", "--quality", "high"], project)
    assert (code, errors) == (
        2,
        "deck: error: presentations/gqa.html is the low-quality build: run "
        "`.venv/bin/deck build --quality high` first\n",
    )
    (tmp_path / "presentations" / "gqa.html").write_text("edited by hand")
    code, errors = deck(["serve"], project)
    assert code == 2 and "is not the one `deck build` wrote" in errors
    assert capsys.readouterr().out == ""  # nothing served, nothing half-said


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--host", "no-such-host.invalid"], "--host no-such-host.invalid: no such host"),
        (["--host", "192.0.2.1"], "--host 192.0.2.1: not an address of this machine"),
        (["--port", "70000"], "--port must be from 0 to 65535 (0: any free one), got 70000"),
        (["--port", "eighty"], "argument --port: invalid int value: 'eighty'"),
    ],
)
def test_a_bad_host_or_port_is_one_line(tmp_path, capsys, argv, says):
    code, errors = deck(["serve", *argv], built_project(tmp_path))
    assert code == 2
    assert errors.count("\n") == 1 and errors.startswith("deck: error: ") and says in errors
    assert capsys.readouterr().out == ""


def test_a_port_in_use_is_one_line(tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, errors = deck(["serve", "--port", str(port)], built_project(tmp_path))
    assert code == 2
    assert (
        errors == f"deck: error: port {port} is in use on {HOST}: choose another with "
        "--port (0: any free one)\n"
    )
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_it_prints_the_addresses_once_and_stops_on_a_signal(tmp_path, signum, code):
    built_project(tmp_path)
    program = (
        "import sys; from pathlib import Path; from deck import cli; from deck.project import "
        f"Project; sys.exit(cli.main(sys.argv[1:], Project(Path({str(tmp_path)!r}))))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", program, "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        assert lines[0].startswith(f"serving presentations/gqa.html on {HOST}, port ")
        audience = lines[1].split()[1].rstrip(";")
        speaker = lines[2].split()[1]
        token = speaker.split("token=")[1]
        assert speaker == f"{audience}?token={token}"
        port = int(audience.rsplit(":")[-1].strip("/"))
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        connection.request("GET", f"/?token={token}")
        assert connection.getresponse().status == 200
    finally:
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=SIGNAL_TIMEOUT)
    assert proc.returncode == code
    assert err == "deck: serve stopped\n"
    assert token not in out + err  # printed once, above, never again
    written = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(token in text for text in written)  # nor on disk
