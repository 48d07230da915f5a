"""deck.commands.doctor finds what is installed and reports what is missing with its
one-line fix."""

from __future__ import annotations

import pytest

from deck.commands import doctor
from deck.export import reveal


def by_name(findings):
    return {f.name: f for f in findings}


def test_everything_required_is_in_place_here(capsys):
    """scripts/test.sh runs setup.sh first, so every required check passes."""
    findings = doctor.check()
    assert [f.name for f in findings] == list(doctor.CHECKS)
    assert [f.name for f in findings if f.required and not f.ok] == []
    assert doctor.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [doctor.format_finding(f) for f in findings]
    assert lines[0] == "✓ pango"
    doctor.require(["pango", "manimpango", "qt", "font", "revealjs"])  # does not raise


def test_reveal_version_is_the_locked_major():
    assert (doctor.reveal_version() or "").startswith("6.")


def test_missing_font_is_reported_with_its_fix(monkeypatch):
    monkeypatch.setattr(doctor, "FONT_FAMILY", "No Such Font Family 7f3a")
    f = doctor.check_font()
    assert not f.ok and f.required
    assert f.fix == "apt-get install --no-install-recommends fonts-inter"
    assert "No Such Font Family 7f3a" in f.detail


def test_font_without_fontconfig(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    f = doctor.check_font()
    assert not f.ok
    assert f.fix.endswith("fontconfig fonts-inter")


def test_missing_revealjs_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(reveal, "REVEAL_DIR", tmp_path / "node_modules" / "reveal.js")
    f = doctor.check_revealjs()
    assert not f.ok
    assert f.fix == "bash scripts/setup.sh"
    assert "dist/reveal.js" in f.detail and "dist/plugin/notes.js" in f.detail
    assert doctor.reveal_version() is None


def test_incomplete_revealjs_names_only_the_missing_file(monkeypatch, tmp_path):
    dist = tmp_path / "reveal.js" / "dist"
    for name in reveal.REVEAL_ASSETS:
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_text("/* */")
    monkeypatch.setattr(reveal, "REVEAL_DIR", tmp_path / "reveal.js")
    assert doctor.check_revealjs().ok
    (dist / "plugin" / "notes.js").unlink()
    f = doctor.check_revealjs()
    assert not f.ok and f.detail == "dist/plugin/notes.js"


def test_missing_handout_font_names_its_file_and_package(monkeypatch, tmp_path):
    from deck.export import pdf_base

    assert doctor.check_handout_font().ok
    fonts = {**pdf_base.FONT_FILES, pdf_base.BOLD: tmp_path / "NoSuch-Bold.ttf"}
    monkeypatch.setattr(pdf_base, "FONT_FILES", fonts)
    f = doctor.check_handout_font()
    assert not f.ok and f.detail == str(tmp_path / "NoSuch-Bold.ttf")
    assert f.fix.endswith(" fonts-dejavu-core")
    fonts = {**pdf_base.FONT_FILES, pdf_base.FALLBACK: tmp_path / "nosuch.ttc"}
    monkeypatch.setattr(pdf_base, "FONT_FILES", fonts)
    assert doctor.check_handout_font().fix.endswith(" fonts-wqy-microhei")


def test_missing_qt_library_names_its_package(monkeypatch):
    monkeypatch.setattr(doctor, "QT_LIBS", {**doctor.QT_LIBS, "libnosuch-7f3a.so.9": "libnosuch9"})
    f = doctor.check_qt()
    assert not f.ok
    assert f.fix == "apt-get install --no-install-recommends libnosuch9"


def test_unimportable_module_is_reported(monkeypatch):
    real = doctor._can_import
    monkeypatch.setattr(
        doctor, "_can_import", lambda m: real("no_such_module_7f3a" if m == "manimpango" else m)
    )
    f = doctor.check_manimpango()
    assert not f.ok
    assert f.fix == "bash scripts/setup.sh"
    assert "ModuleNotFoundError" in f.detail


def test_missing_chromium_is_only_a_warning(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(doctor, "CHROMIUM", tmp_path / "chromium")
    f = doctor.check_chromium()
    assert not f.ok and not f.required
    assert f.fix == "bash scripts/setup.sh --with-browser"
    assert doctor.main() == 0
    out = capsys.readouterr().out
    assert "! chromium — bash scripts/setup.sh --with-browser" in out


def test_main_fails_and_prints_the_fix(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(reveal, "REVEAL_DIR", tmp_path)
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "✗ revealjs — bash scripts/setup.sh" in out
    assert "✓ font" in out


def test_require_raises_one_line_with_the_fixes(monkeypatch, tmp_path):
    monkeypatch.setattr(reveal, "REVEAL_DIR", tmp_path)
    monkeypatch.setattr(doctor, "FONT_FAMILY", "No Such Font Family 7f3a")
    with pytest.raises(doctor.MissingDependency) as exc:
        doctor.require(["pango", "font", "revealjs"])
    message = str(exc.value)
    assert "\n" not in message
    assert message == (
        "missing font: apt-get install --no-install-recommends fonts-inter; "
        "revealjs: bash scripts/setup.sh"
    )


def test_unknown_check_name():
    with pytest.raises(ValueError, match="unknown check"):
        doctor.check(["nonsense"])
