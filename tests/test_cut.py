"""A talk's own cut, from its talk file: the sections it shows in its order, the slides it
leaves out and the notes it gives. The deck's numbering, headers, recap, references,
`deck list` and the built slides follow it; every bad name is one line, exit 2, nothing
built; one small cut is rendered and exported for real."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypdf
import pytest
from pptx import Presentation

from deck import cli
from deck.build import render
from deck.commands import player
from deck.compat.manim_slides import slide_video
from deck.content.glossary import TERMS
from deck.content.model import DEFAULT_PRESET, get_preset
from deck.content.sources import ASTRAI, LLAMA3, MISTRAL_7B, ROFORMER
from deck.export.pacing import speaking_minutes, words
from deck.export.pictures import decode
from deck.export.videos import video_problem
from deck.project import Project
from deck.scenes import BY_SECTION, SCENES, placement, scenes_of, total_slides
from deck.scenes.closing import RECAP_SLIDES, Closing, cited_references, takeaway_texts
from deck.talk import Talk
from deck.talk.lineup import CUTS, choose
from deck.talk.options import resolve_talk
from tests.conftest import constructed_for
from tests.scenes.test_references import REFERENCE_BEATS, named_on

MODEL = get_preset(DEFAULT_PRESET)
NAME_OF = {s: name for name, s in BY_SECTION.items()}
# Own notes in other scripts than the slides' Latin: Cyrillic, Greek, Vietnamese.
OWN = "Здесь {m.n_heads} голов запроса делят {m.n_kv_heads}. Ομάδες κεφαλών. Tiếng Việt."
# and in scripts written from the right, or without spaces: Arabic, Chinese, Korean
FAR = (
    "تتشارك رؤوس الاستعلام {m.n_kv_heads} رؤوس مفاتيح.\\n\\n分组查询注意力。\\n\\n그룹 쿼리 어텐션."
)


def write(folder: Path, text: str) -> Path:
    path = folder / "talk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def talk_of(path: Path, *options: str) -> Talk:
    return resolve_talk(cli.make_parser().parse_args(["list", "--talk", str(path), *options]))


def expected_numbers(chosen) -> dict[str, int]:
    """Every shown slide's number, counted along the chosen slides."""
    return {slide: number for number, slide in enumerate(chosen.slides(), start=1)}


# ── the numbering, without rendering ────────────────────────────────────
def test_the_default_talk_is_numbered_as_before():
    """The whole talk: each scene's first slide after every slide of the scenes before
    it, each scene starting on the one before it, every beat shown."""
    first = 1
    for index, scene in enumerate(SCENES):
        where = placement(scene, Talk(MODEL))
        assert where == placement(scene)
        assert where.first_slide == first and where.beats == tuple(scene.beat_names())
        assert where.previous is (SCENES[index - 1] if index else None)
        first += scene.slide_count()
    assert total_slides(Talk(MODEL)) == first - 1 == total_slides()
    assert Talk(MODEL).slug == DEFAULT_PRESET


@pytest.mark.parametrize(
    "chosen",
    [
        choose("lightning"),
        choose("short"),
        choose(
            sections=("why_gqa", "evidence", "family", "conversion", "closing"),
            skip=("family.one_group",),
        ),
    ],
    ids=["lightning", "short", "reordered"],
)
def test_a_cut_numbers_its_slides_in_its_order(chosen):
    talk = Talk(MODEL, lineup=chosen)
    numbers = expected_numbers(chosen)
    assert [NAME_OF[s] for s in scenes_of(talk)] == [name for name, _ in chosen.sections]
    assert total_slides(talk) == len(numbers)
    headed = 0
    for scene in scenes_of(talk):
        where = placement(scene, talk)
        headed += bool(scene.SECTION)
        assert where.section == headed and where.total_slides == len(numbers)
        assert where.first_slide == numbers[f"{NAME_OF[scene]}.{where.beats[0]}"]
        # it starts on the scene before it in the talk, if the talk showed that one's end
        index = scenes_of(talk).index(scene)
        before = scenes_of(talk)[index - 1] if index else None
        shown_end = before is not None and f"{NAME_OF[before]}.{before.beat_names()[-1]}" in numbers
        assert where.previous is (before if shown_end else None)


def test_the_recap_keeps_the_points_whose_slides_the_talk_shows():
    chosen = choose("lightning")
    talk = Talk(MODEL, lineup=chosen)
    numbers = expected_numbers(chosen)
    section = {s.__name__: NAME_OF[s] for s in SCENES}
    shown = [f"{section[s]}.{b}" for s, b in RECAP_SLIDES if f"{section[s]}.{b}" in numbers]
    points = takeaway_texts(MODEL, talk)
    assert 0 < len(points) < len(RECAP_SLIDES)
    assert [slide for *_, slide in points] == [f"slide {numbers[s]}" for s in shown]
    whole = takeaway_texts(MODEL)
    assert [p[:2] for p in points] == [p[:2] for p in whole if p[:2] in {q[:2] for q in points}]


def test_the_references_are_the_works_the_talks_slides_name():
    """Counted on the slides themselves, the cut's as built (its recap keeps fewer points),
    not on the slides' declarations."""
    talk = Talk(MODEL, lineup=choose("lightning"))
    named = set()
    for scene in scenes_of(talk):
        for snap in constructed_for(scene.__name__, talk).snapshots:
            if snap.beat not in REFERENCE_BEATS:
                named |= named_on(snap)
    assert set(cited_references(talk)) == named < set(cited_references())
    # named only on slides the lightning cut leaves out
    assert not {ROFORMER, LLAMA3, MISTRAL_7B, ASTRAI} & named
    notes = Closing.notes_for("references", MODEL, talk=talk)
    assert notes.startswith(f"The {len(named)} works the slides cite")


# ── the talk file ───────────────────────────────────────────────────────
def test_the_talk_file_chooses_the_cut_and_gives_notes(tmp_path):
    path = write(
        tmp_path,
        'cut = "lightning"\nskip = ["family.highlight_mqa"]\n'
        f'[notes]\n"family.highlight_gqa" = "{OWN}"\n',
    )
    talk = talk_of(path)
    assert talk.chosen.cut == "lightning" and talk.chosen.own
    assert "family.highlight_mqa" not in talk.chosen.slides()
    assert set(choose("lightning").slides()) - set(talk.chosen.slides()) == {"family.highlight_mqa"}
    assert talk.notes == (("family.highlight_gqa", OWN),)
    assert talk.slug.startswith(f"{DEFAULT_PRESET}-lightning-own-")
    # the same notes for another model: its own heads
    other = talk_of(path, "--preset", "llama-3-8b")
    where = placement(BY_SECTION["family"], other)
    assert where.notes == (("highlight_gqa", OWN),)
    said = BY_SECTION["family"].notes_for("highlight_gqa", other.model, OWN)
    assert said.startswith(
        f"Здесь {other.model.n_heads} голов запроса делят {other.model.n_kv_heads}."
    )


def test_the_whole_talk_named_is_the_default_talk(tmp_path):
    assert talk_of(write(tmp_path, 'cut = "talk"\n')) == Talk(MODEL)


BAD = [
    ('cut = "lightnin"', "cut: unknown cut 'lightnin'; did you mean 'lightning'?"),
    ("cut = 5", "cut: must be a cut's name in quotes"),
    ('sections = ["evidense"]', "sections: no section 'evidense'; did you mean 'evidence'?"),
    ('sections = "family"', "sections: must be a list of names"),
    ("sections = []", "sections: must name at least one section"),
    ('sections = ["why_gqa", "why_gqa"]', "sections: 'why_gqa' is listed twice"),
    ('sections = ["why_gqa", "evidence"]', "sections: 'evidence' builds on the section 'family'"),
    ('sections = ["why_gqa", "opening"]', "sections: 'opening' is the title slide"),
    (
        'skip = ["family.one_grup"]',
        "skip: no slide 'family.one_grup'; did you mean 'family.one_group'?",
    ),
    ('skip = ["opening.title"]', "skip: 'opening.title' is the title slide"),
    ('skip = ["kv_calculator.calculator"]', "skip: every slide of 'kv_calculator' is left out"),
    ('cut = "lightning"\nskip = ["decoding.prefill"]', "skip: 'decoding.prefill' is in a section"),
    ('skipp = ["family.one_group"]', "skipp: unknown key; did you mean 'skip'?"),
    ('notes = "hello"', "notes: must be a table"),
    ('[notes]\n"family.highlight_gq" = "x"', "did you mean 'family.highlight_gqa'?"),
    ('cut = "lightning"\n[notes]\n"decoding.prefill" = "x"', "a slide the talk leaves out"),
    ('[notes]\n"family.family" = ""', "'family.family': must be the notes' text"),
    (
        '[notes]\n"family.family" = "{m.n_kv_head}"',
        "no field 'n_kv_head'; did you mean 'n_kv_heads'?",
    ),
    ('[notes]\n"family.family" = "{speaker}"', "a field other than the model's"),
    ('[notes]\n"family.family" = "{m.params}"', "{m.params} is a computation, not a figure"),
    ('[notes]\n"family.family" = "{m.n_heads"', "'family.family': "),
    ('[notes]\n"family.family" = "see https://example.org"', "web address"),
    ('[notes]\n"family.family" = "evil \\u202e"', "U+202E"),
    ('[notes]\n"family.family" = "\\U0001F642"', "U+1F642"),
]


@pytest.mark.parametrize(
    ("text", "message"), BAD, ids=[m.split(":")[0] + str(i) for i, (_, m) in enumerate(BAD)]
)
def test_a_bad_cut_or_note_is_one_line_exit_2_and_nothing_built(
    tmp_path, capsys, monkeypatch, text, message
):
    path = write(tmp_path, text + "\n")
    monkeypatch.setattr(render, "render_scenes", lambda *a, **k: pytest.fail("rendered"))
    project = Project(tmp_path)
    assert cli.main(["build", "--talk", str(path), "--quality", "low"], project) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"deck: error: {path}: ")
    assert message in err
    assert not (tmp_path / "build").exists() and not (tmp_path / "presentations").exists()


# ── deck list ───────────────────────────────────────────────────────────
def run_deck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deck", *args], capture_output=True, text=True, timeout=120
    )


SECTION_LINE = re.compile(r"^(\w+) — .* \((\d+) slides?, ([\d,]+) words, (\d+\.\d) min\)$", re.M)


def test_list_prints_the_cut_as_it_will_be_built(tmp_path):
    path = write(tmp_path, f'cut = "lightning"\n[notes]\n"family.highlight_gqa" = "{OWN}"\n')
    talk = talk_of(path)
    done = run_deck("list", "--talk", str(path))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Cut: lightning — {CUTS['lightning'].about}"
    numbered = [line for line in lines if line.strip()[:1].isdigit()]
    chosen = choose("lightning")
    assert [int(line.split(".")[0]) for line in numbered] == list(
        range(1, len(chosen.slides()) + 1)
    )
    # each slide by the name skip and [notes] take
    assert [line.split(". ", 1)[1].split(":")[0].split(" ")[0] for line in numbered] == list(
        chosen.slides()
    )
    (own,) = [line for line in numbered if "[own notes]" in line]
    assert own.strip().startswith(
        f"{chosen.slides().index('family.highlight_gqa') + 1}. family.highlight_gqa"
    )
    assert f"Здесь {MODEL.n_heads} голов" in own
    # each section's words and minutes, counted here from the notes the slides get
    sections = SECTION_LINE.findall(done.stdout)
    assert [name for name, *_ in sections] == [
        s.__module__.rsplit(".", 1)[1] for s in scenes_of(talk)
    ]
    total = 0
    for (name, slides, said, minutes), scene in zip(sections, scenes_of(talk), strict=True):
        where = placement(scene, talk)
        own_notes = dict(where.notes)
        expected = sum(
            words(scene.notes_for(b, MODEL, own_notes.get(b), talk)) for b in where.beats
        )
        assert (int(slides), int(said.replace(",", ""))) == (len(where.beats), expected), name
        assert float(minutes) == round(expected / 130, 1)
        total += expected
    assert 5 <= speaking_minutes(total) <= 7
    assert lines[-1] == (
        f"Total: {len(chosen.slides())} slides, {total:,} words, {total / 130:.1f} min "
        "at 130 words a minute"
    )


# ── scenes constructed for a reordered talk with a slide left out ───────
REORDERED = choose(
    sections=("why_gqa", "evidence", "family", "conversion", "closing"), skip=("family.one_group",)
)


def reordered_talk() -> Talk:
    return Talk(MODEL, lineup=REORDERED, notes=(("family.highlight_gqa", OWN),))


def counter_and_header(snap) -> tuple[str, str]:
    texts = [i.text for i in snap.items if i.text]
    counter = next(t for t in texts if re.fullmatch(r"\d+ / \d+", t))
    header = next((t for t in texts if re.fullmatch(r"\d+ · .+", t)), "")
    return counter, header


def test_a_reordered_scene_shows_its_kept_slides_numbered_and_headed():
    talk = reordered_talk()
    numbers = expected_numbers(REORDERED)
    total = len(numbers)
    family = constructed_for("Family", talk)
    kept = [b for b in BY_SECTION["family"].beat_names() if b != "one_group"]
    assert [snap.beat for snap in family.snapshots] == kept
    for snap in family.snapshots:
        counter, header = counter_and_header(snap)
        assert counter == f"{numbers[f'family.{snap.beat}']} / {total}"
        assert header == f"3 · {BY_SECTION['family'].SECTION}"
    (gqa,) = [s for s in family.snapshots if s.beat == "highlight_gqa"]
    assert gqa.notes == OWN.format(m=MODEL)
    # the family starts on the evidence's last picture, which this talk shows before it
    assert family.placement.previous is BY_SECTION["evidence"]
    evidence = constructed_for("Evidence", talk)
    counter, header = counter_and_header(evidence.snapshots[0])
    assert counter == f"{numbers['evidence.figure3']} / {total}" and header.startswith("2 · ")


def test_a_left_out_slides_animations_are_recorded_under_no_slide():
    """The layout records hold what the audience sees: a left-out beat plays unseen, so
    none of its plays is filed under the kept slide after it (whose blank-moment check
    would then judge another slide's animations)."""
    lineup = choose(skip=("family.highlight_mqa",))
    family = constructed_for("Family", Talk(MODEL, lineup=lineup))
    whole = constructed_for("Family", Talk(MODEL))
    kept = [snap.beat for snap in family.snapshots]
    assert [p.beat for p in family.plays] == sorted(
        (p.beat for p in family.plays), key=kept.index
    )  # in the slides' order, each slide's plays together
    assert {p.beat for p in family.plays} == set(kept)
    beats = BY_SECTION["family"].beat_names()
    after_left_out = beats[beats.index("highlight_mqa") + 1]
    for beat in kept:  # each kept slide plays what it plays in the whole talk, and the
        # one after the left-out slide its cross-fade from the picture last shown
        mine = len([p for p in family.plays if p.beat == beat])
        theirs = len([p for p in whole.plays if p.beat == beat])
        assert mine == theirs + (beat == after_left_out), beat


def test_a_left_out_last_slide_lets_the_next_section_open_on_its_own():
    talk = Talk(MODEL, lineup=choose("lightning"))
    closing = constructed_for("Closing", talk)  # the evidence's last slide is left out
    assert closing.placement.previous is None and closing.carried is None
    assert [s.beat for s in closing.snapshots] == list(BY_SECTION["closing"].beat_names())
    recap = " ".join(i.text for i in closing.snapshots[0].items if i.text)
    numbers = expected_numbers(choose("lightning"))
    assert f"slide {numbers['evidence.gqa_point']}" in recap
    assert "Convert and uptrain" not in recap  # its slide is not in this cut


# ── one small cut, rendered and exported ────────────────────────────────
SMALL = (
    'sections = ["scaled_dot_product"]\nskip = ["scaled_dot_product.step_scale"]\n'
    f'[notes]\n"scaled_dot_product.formula" = "{OWN}"\n'
    f'"scaled_dot_product.step_softmax" = "{FAR}"\n'
)


def test_a_small_cut_renders_its_slides_and_its_notes_reach_every_export(tmp_path):
    path = write(tmp_path, SMALL)
    talk = talk_of(path)
    project = Project(tmp_path)
    assert cli.main(["build", "--talk", str(path), "--quality", "low", "--jobs", "2"], project) == 0
    where = project.build(talk, "low")
    kept = placement(BY_SECTION["scaled_dot_product"], talk).beats
    assert (
        "step_scale" not in kept and len(kept) == BY_SECTION["scaled_dot_product"].slide_count() - 1
    )
    configs = {
        name: json.loads((where.slides / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("Opening", "ScaledDotProduct")
    }
    assert [len(c["slides"]) for c in configs.values()] == [1, len(kept)]
    said = OWN.format(m=MODEL)
    notes = [s["notes"] for c in configs.values() for s in c["slides"]]
    assert notes[1 + kept.index("formula")] == said
    videos = [
        slide_video(where.slides / f"{name}.json", slide["file"])
        for name, config in configs.items()
        for slide in config["slides"]
    ]
    assert all(video_problem(video) is None for video in videos)  # every kept slide's
    # the slide after the left-out one opens on the picture the one before it ended on
    after = 1 + kept.index("step_softmax")
    seams = [changed_share(a, b) for a, b in itertools.pairwise(videos[1:])]
    assert seams[after - 2] <= max(seams[: after - 2] + seams[after - 1 :]) + SEAM_SLACK, seams
    total = 1 + len(kept)
    assert len(pypdf.PdfReader(where.out_dir / f"{where.stem}.pdf").pages) == total
    html = (where.out_dir / f"{where.stem}.html").read_text(encoding="utf-8")
    assert html.count("<section") == total
    assert f'<aside class="notes" dir="auto">{said}</aside>' in html
    deck = Presentation(str(where.out_dir / f"{where.stem}.pptx"))
    assert len(deck.slides) == total
    assert deck.slides[1 + kept.index("formula")].notes_slide.notes_text_frame.text == said
    handout = pypdf.PdfReader(where.out_dir / f"{where.stem}-handout.pdf")
    assert said.split(". ")[0] in " ".join(p.extract_text() for p in handout.pages)
    far = FAR.replace("\\n", "\n").format(m=MODEL)
    softmax = 1 + kept.index("step_softmax")
    assert notes[softmax] == far and f'<aside class="notes" dir="auto">{far}</aside>' in html
    assert deck.slides[softmax].notes_slide.notes_text_frame.text.split() == far.split()
    read = pypdf.PdfReader(where.out_dir / f"{where.stem}.pdf").pages[softmax].extract_text()
    printed = unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in handout.pages))
    # every word, in the letters it is printed in (a reader puts a right-to-left line's full
    # stop and figures where it sees them)
    for text in (read, printed):
        assert all(word in text for word in re.findall(r"[^\W\d_]+", far)), text
    presenter = player.prepare(where.slides, ("Opening", "ScaledDotProduct"), tmp_path / "present")
    merged = json.loads((presenter / f"{player.PRESENTATION}.json").read_text(encoding="utf-8"))
    assert [s["notes"] for s in merged["slides"]] == notes
    assert talk.slug == f"{DEFAULT_PRESET}-{talk.chosen.label}"
    assert where.stem.endswith(talk.chosen.label)


SEAM_SLACK = 0.002  # of the pixels: more than a slide counter's digits changing
CHANGED_LEVEL = 24  # of 255: what x264 leaves of a flat background is under this


def changed_share(before: Path, after: Path) -> float:
    """The share of pixels that differ between `before`'s last frame and `after`'s first."""
    import numpy as np

    last = np.asarray(decode(before, "last").convert("RGB"), dtype=float)
    first = np.asarray(decode(after, "first").convert("RGB"), dtype=float)
    return float((np.abs(last - first).max(axis=2) > CHANGED_LEVEL).mean())


def test_another_cut_builds_beside_the_whole_talk():
    whole, lightning = Talk(MODEL), dataclasses.replace(Talk(MODEL), lineup=choose("lightning"))
    project = Project(Path("/nonexistent"))
    assert project.build(whole, "low").folder != project.build(lightning, "low").folder
    assert project.build(lightning, "low").stem == f"gqa-{DEFAULT_PRESET}-lightning"


def test_the_readmes_example_is_a_talk_of_the_slot_it_names(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(# my-lightning\.toml.*?)```", readme, re.S).group(1)
    talk = talk_of(write(tmp_path, example))
    assert talk.model.name == "llama-3-8b" and talk.chosen.own
    assert [name for name, _ in talk.chosen.sections][1:] == re.findall(
        r'"(\w+)"', re.search(r"sections = \[(.*?)\]", example).group(1)
    )
    own = dict(talk.notes)["family.highlight_gqa"]
    said = BY_SECTION["family"].notes_for("highlight_gqa", talk.model, own)
    assert said.startswith(f"Llama 3 8B: {talk.model.n_heads} query heads share")
    minutes = speaking_minutes(
        sum(
            words(s.notes_for(b, talk.model, dict(placement(s, talk).notes).get(b), talk))
            for s in scenes_of(talk)
            for b in placement(s, talk).beats
        )
    )
    slot = int(re.search(r"a (\d+)-minute slot", example).group(1))
    assert slot - 1 <= minutes <= slot


def test_own_notes_change_the_inputs_of_their_scene_only(tmp_path):
    """A scene is rendered again for its own notes (its slide cache keeps the slides whose
    notes did not change), not for another scene's."""
    project = Project(tmp_path)
    lightning = Talk(MODEL, lineup=choose("lightning"))
    noted = dataclasses.replace(lightning, notes=(("family.highlight_gqa", OWN),))
    changed = [
        s.__name__
        for s in scenes_of(lightning)
        if render.input_hash(s, project.build(lightning, "low"))
        != render.input_hash(s, project.build(noted, "low"))
    ]
    assert changed == ["Family"]


def test_a_scene_the_cut_leaves_out_cannot_be_built_alone(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, 'cut = "lightning"\n')
    monkeypatch.setattr(render, "render_scenes", lambda *a, **k: pytest.fail("rendered"))
    argv = ["build", "--talk", str(path), "--quality", "low", "Decoding"]
    assert cli.main(argv, Project(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("deck: error: the talk's cut leaves scene 'Decoding' out; its scenes: ")
    assert err.count("\n") == 1 and not (tmp_path / "build").exists()


def test_the_presenter_starts_at_a_slide_of_the_cut(tmp_path, capsys, monkeypatch):
    from deck.commands import doctor
    from deck.commands import present as present_command
    from deck.commands.doctor import Finding

    path = write(tmp_path, 'cut = "lightning"\n')
    calls = []
    monkeypatch.setattr(render, "is_fresh", lambda *a: True)
    monkeypatch.setitem(doctor.CHECKS, "qt", lambda: Finding("qt", True, ""))
    monkeypatch.setattr(
        player, "prepare", lambda slides, names, folder: calls.append(names) or tmp_path
    )
    monkeypatch.setattr(present_command.subprocess, "call", lambda cmd, env: 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    last = len(choose("lightning").slides())
    argv = ["present", "--talk", str(path), "--quality", "low", "--start-at"]
    assert cli.main([*argv, str(last)], Project(tmp_path)) == 0
    assert calls == [tuple(s.__name__ for s in scenes_of(Talk(MODEL, lineup=choose("lightning"))))]
    assert cli.main([*argv, str(last + 1)], Project(tmp_path)) == 2
    assert f"from 1 to {last}," in capsys.readouterr().err


@pytest.mark.parametrize("cut", ["lightning", "short"])
def test_a_shipped_cut_shows_no_term_before_the_slide_that_defines_it(cut):
    """As tests/scenes/test_glossary.py for the whole talk: every term of
    deck/content/glossary.py a shown slide uses is defined on a slide shown before it."""
    talk = Talk(MODEL, lineup=choose(cut))
    shown = [
        (scene.__name__, snap.beat, " | ".join(i.text for i in snap.items if i.text), snap.notes)
        for scene in scenes_of(talk)
        for snap in constructed_for(scene.__name__, talk).snapshots
        if snap.beat not in REFERENCE_BEATS
    ]
    where = [(scene, beat) for scene, beat, _, _ in shown]
    early = []
    for term in TERMS:
        defined = where.index(term.defined_in) if term.defined_in in where else len(shown)
        for scene, beat, screen, notes in shown[:defined]:
            if term.found_in(screen) or term.found_in(notes):
                early.append(f"{term.name!r} on {scene}.{beat}, defined in {term.defined_in}")
    assert not early, early
