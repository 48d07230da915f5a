"""`deck watch` on a copy of the project: an edit reaches the open page, which reloads on
the slide it showed; a broken scene is one line in the terminal and on the page; fixing
it recovers; Ctrl-C stops everything."""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from deck.commands import watch
from deck.failure import where_it_failed
from deck.scenes import total_slides

ROOT = Path(__file__).resolve().parents[1]
EDITED = Path("deck/scenes/attention_weights.py")
FROM, TO = '"constructed vectors, not a trained model"', '"constructed vectors, no trained model"'
RAISE = "        hm = self.heatmap\n        hm = len(hm.grid) // 0\n"  # fails in the first beat
BUILD_TIMEOUT = 300  # a clean low-quality build of the copy, on a busy 2-core machine

pytestmark = [pytest.mark.render, pytest.mark.browser]


class Running:
    """A `deck watch` process whose output lines are collected as they come."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deck", "watch", "--port", "0", "--jobs", "2"],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, after: int = 0, timeout: float = BUILD_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if re.search(pattern, line):
                    return line
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"no line matching {pattern!r}; output:\n" + "\n".join(self.lines))


@pytest.fixture
def project(tmp_path) -> Path:
    """The deck's sources in a temporary folder, reveal.js linked in."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "deck", copy / "deck", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("talk.toml",):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, copy / name)
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    (copy / "presentations").mkdir()
    return copy


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_live_script_goes_before_the_end_of_the_body():
    page = watch.with_live_script(b"<html><body><p>x</p></body></html>")
    assert page.index(b"deck-watch-slide") < page.index(b"</body>")


def test_failures_are_located_in_the_project(tmp_path):
    source = tmp_path / "deck" / "broken.py"
    source.parent.mkdir()
    source.write_text("x = (\n")
    try:
        compile(source.read_text(), str(source), "exec")
    except SyntaxError as err:
        line = where_it_failed(err, tmp_path)
    assert line.startswith("deck/broken.py:1: SyntaxError")


def test_an_edit_reaches_the_open_page_on_the_same_slide(project, browser):
    running = Running(project)
    try:
        url = running.wait_for(r"serving http://127\.0\.0\.1:\d+/").split()[1]
        running.wait_for(r"^rebuilt in")
        first = hashlib.sha256(fetch(url)).hexdigest()
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("() => window.Reveal && Reveal.isReady()")
            assert page.evaluate("Reveal.getTotalSlides()") == total_slides()
            for _ in range(2):
                page.keyboard.press("ArrowRight")
            assert page.evaluate("Reveal.getIndices().h") == 2

            # an edit: the page reloads by itself and stays on the third slide
            seen = len(running.lines)
            source = project / EDITED
            assert FROM in source.read_text(), f"{EDITED} no longer holds {FROM}: pick another"
            with page.expect_navigation(timeout=BUILD_TIMEOUT * 1000):
                source.write_text(source.read_text().replace(FROM, TO, 1))
            running.wait_for(r"^rebuilt in", after=seen)
            page.wait_for_function("() => window.Reveal && Reveal.isReady()")
            page.wait_for_function("() => Reveal.getIndices().h === 2")
            assert hashlib.sha256(fetch(url)).hexdigest() != first

            # a broken scene: one line naming the file and line, here and on the page
            seen = len(running.lines)
            source.write_text(source.read_text() + "\ndef broken(:\n")
            line = running.wait_for(r"^deck: ", after=seen)
            assert re.match(rf"deck: {re.escape(str(EDITED))}:\d+: SyntaxError", line), line
            banner = page.locator("#deck-watch-error")
            banner.wait_for(state="visible", timeout=60_000)
            assert str(EDITED) in banner.inner_text()

            # a scene that raises while it renders: the line names the beat's file and line
            seen = len(running.lines)
            good = source.read_text().replace("\ndef broken(:\n", "")
            source.write_text(good.replace("        hm = self.heatmap\n", RAISE, 1))
            line = running.wait_for(r"^deck: ", after=seen)
            assert re.search(rf"{re.escape(str(EDITED))}:\d+: ZeroDivisionError", line), line
            page.wait_for_function(
                "() => document.querySelector('#deck-watch-error').textContent"
                ".includes('ZeroDivisionError')"
            )

            # fixed: rebuilt, reloaded, the banner gone
            seen = len(running.lines)
            with page.expect_navigation(timeout=BUILD_TIMEOUT * 1000):
                source.write_text(good)
            running.wait_for(r"^rebuilt in", after=seen)
            page.wait_for_function("() => window.Reveal && Reveal.isReady()")
            assert not banner.is_visible()
        finally:
            context.close()
    finally:
        running.proc.send_signal(signal.SIGINT)
        code = running.proc.wait(timeout=30)
    assert code == 130  # Ctrl-C, as the README says
    assert "deck: watch stopped" in running.lines[-1]
    leftovers = subprocess.run(
        ["pgrep", "-s", str(running.proc.pid)], capture_output=True, text=True
    ).stdout.split()
    assert leftovers == [], f"processes of the watcher still alive: {leftovers}"


def test_the_server_answers_on_loopback_only():
    server = watch.Watch(ROOT, ROOT / "nonexistent.html", lambda: "", 0)
    try:
        assert server.server.server_address[0] == "127.0.0.1"
        threading.Thread(target=server.server.serve_forever, daemon=True).start()
        assert b"building the deck" in fetch(server.url)
    finally:
        server.close()
