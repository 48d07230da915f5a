"""`deck watch` serves what the files say, runs nothing its pages were not built with, answers
only requests meant for it, and stops whole: signals by PID during a rebuild leave no
process and no open port."""

from __future__ import annotations

import http.client
import io
import os
import signal
import socket
import sys
import threading
import time
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from deck.commands import watch
from deck.commands.serving import SCRIPT
from tests.test_watch import Running, project  # noqa: F401 — `project` is a fixture

HOSTILE = '<img src=x onerror="alert(7)">'


def get(port: int, path: str = "/", host: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(watch.HOST, port, timeout=10)
    headers = {"Host": host} if host else {}
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


def serving(watcher: watch.Watch) -> int:
    watcher.serving.start()
    return watcher.server.server_address[1]


def test_the_waiting_page_escapes_what_it_shows_and_allows_only_its_own_script(tmp_path):
    watcher = watch.Watch(tmp_path, tmp_path / "missing.html", lambda: "", 0)
    watcher.state = f"talk.toml: {HOSTILE}: unknown key"
    try:
        response = get(serving(watcher))
        body = response.read().decode()
        policy = response.getheader("Content-Security-Policy")
    finally:
        watcher.close()
    assert HOSTILE not in body and "&lt;img src=x onerror=&#34;alert(7)&#34;&gt;" in body
    scripts = policy.split("script-src ")[1].split(";")[0].split()
    assert scripts and all(s.startswith("'sha256-") for s in scripts)  # no 'unsafe-inline'
    (own,) = [m[1].decode() for m in SCRIPT.finditer(body.encode())]
    from deck.compat.revealjs import script_hash

    assert script_hash(own) in scripts
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


def test_requests_for_another_host_are_misdirected(tmp_path):
    (tmp_path / "deck.html").write_text("<html><body>deck</body></html>")
    watcher = watch.Watch(tmp_path, tmp_path / "deck.html", lambda: "", 0)
    try:
        port = serving(watcher)
        assert get(port).status == 200
        assert get(port, host=f"localhost:{port}").status == 200
        assert get(port, host=f"attacker.example:{port}").status == 421  # DNS rebinding
        assert get(port, "/events", host="attacker.example").status == 421
    finally:
        watcher.close()


def test_a_page_that_goes_away_is_not_a_traceback(tmp_path):
    server = watch.QuietServer(("127.0.0.1", 0), watch.make_handler(lambda: b"", None, str, 0))
    try:
        errors = io.StringIO()
        with redirect_stderr(errors):
            try:
                raise ConnectionResetError(104, "Connection reset by peer")
            except ConnectionResetError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert errors.getvalue() == ""
    finally:
        server.server_close()


def test_it_serves_the_page_the_last_rebuild_wrote(tmp_path):
    """After the talk's theme changes, the rebuild writes another file: that one is served."""
    choice = tmp_path / "which"
    choice.write_text("dark")

    def job() -> str:  # runs in the forked child, as a rebuild does
        name = choice.read_text()
        page = tmp_path / f"gqa-{name}.html"
        page.write_text(f"<html><body>{name} deck</body></html>")
        return str(page)

    watcher = watch.Watch(tmp_path, tmp_path / "gqa.html", job, 0)
    try:
        port = serving(watcher)
        assert watcher.rebuild().ok
        assert b"dark deck" in get(port).read()
        choice.write_text("light")
        assert watcher.rebuild().ok
        assert b"light deck" in get(port).read()
    finally:
        watcher.close()


def test_saves_by_rename_are_seen_every_time(tmp_path):
    talk = tmp_path / "talk.toml"
    talk.write_text('title = "One"\n')
    (tmp_path / "deck").mkdir()
    runs = tmp_path / "runs"

    def job() -> str:
        with runs.open("a") as log:
            log.write("x")
        return str(tmp_path / "gqa.html")

    def rebuilds() -> int:
        return len(runs.read_text()) if runs.exists() else 0

    def until(count: int) -> None:
        deadline = time.monotonic() + 30
        while rebuilds() < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rebuilds() == count

    watcher = watch.Watch(tmp_path, tmp_path / "gqa.html", job, 0)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=([talk], stop), daemon=True)
    with redirect_stderr(io.StringIO()):
        thread.start()
        try:
            until(1)
            for n, title in enumerate(("Two", "Three"), start=2):
                time.sleep(1.0)  # let the watcher settle on the new file
                fresh = tmp_path / ".talk.toml.swp"
                fresh.write_text(f'title = "{title}"\n')
                fresh.replace(talk)  # as sed -i and most editors save
                until(n)
            (tmp_path / "notes.txt").write_text("a neighbour, not the talk")
            time.sleep(2.0)
            assert rebuilds() == 3
        finally:
            stop.set()
            thread.join(timeout=30)
            watcher.close()


def session_processes(session: int) -> list[int]:
    """The live processes of a session (the watcher was started as its leader)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            found.append(int(entry.name))
    return found


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((watch.HOST, port)) == 0


@pytest.mark.render
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_rebuild_stops_everything(project, signum, code):  # noqa: F811
    running = Running(project)
    line = running.wait_for(r"serving http://127\.0\.0\.1:\d+/", timeout=120)
    port = int(line.split(":")[-1].split("/")[0])
    running.wait_for(r"queued|rendered|rendering", timeout=120)  # the rebuild is under way
    time.sleep(2.0)  # its render workers have started
    assert len(session_processes(running.proc.pid)) > 2
    os.kill(running.proc.pid, signum)  # by PID, not to the group
    assert running.proc.wait(timeout=30) == code
    deadline = time.monotonic() + 10
    while session_processes(running.proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(running.proc.pid) == []
    assert not port_open(port)
    assert not list((project / "presentations").glob("*.html")), "a rebuild wrote on after"
    assert sys.platform.startswith("linux")


@pytest.mark.browser
def test_the_deck_and_its_speaker_view_run_under_the_policy(browser, deck_html):
    """The policy allows exactly the deck's scripts: the deck runs, its speaker view (a
    window the notes plugin writes, with frames of the deck) shows the notes, and the
    browser reports no blocked script, frame or request."""
    watcher = watch.Watch(deck_html.parent, deck_html, lambda: "", 0)
    messages: list[str] = []
    context = browser.new_context()
    try:
        serving(watcher)
        page = context.new_page()
        page.on("console", lambda m: messages.append(m.text))
        page.goto(watcher.url)
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        page.keyboard.press("ArrowRight")
        with page.expect_popup() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        speaker.on("console", lambda m: messages.append(m.text))
        notes = speaker.locator(".speaker-controls-notes .value")
        notes.wait_for(timeout=30_000)
        speaker.wait_for_function(
            "() => document.querySelector('.speaker-controls-notes .value').innerText.length > 20"
        )
    finally:
        context.close()
        watcher.close()
    blocked = [m for m in messages if "Content Security Policy" in m]
    assert not blocked, blocked
