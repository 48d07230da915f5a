"""The palettes: legible (WCAG AA) and their role colours distinguishable with colour-vision
deficiencies; colours resolved from the active palette; no colour spelt out elsewhere.

Luminance and colour distances are computed with colorspacious (sRGB → XYZ, CVD
simulation, CAM02-UCS), independently of deck/theme.py's own WCAG arithmetic.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from manim.utils.color import ManimColor, manim_colors

from deck import theme
from deck.components.diagram import Node
from deck.components.heatmap import hatched, heat_color, ink_for
from deck.scenes.scaled_dot_product import ScaledDotProduct
from deck.talk import Talk
from tests.conftest import constructed

PACKAGE = Path(__file__).resolve().parents[1] / "deck"
WCAG_AA = 4.5  # WCAG 2.x success criterion 1.4.3, normal-size text
# CAM02-UCS is built so that a distance of about 1 is just noticeable between two large
# patches side by side. Colours that mean different things must be told apart at a
# glance, as thin outlines and glyphs, apart on the slide, on a projector that washes
# colours out: twenty times that for normal vision, twelve under simulated dichromacy
# (at full severity, which bounds the milder anomalous trichromacies). Every two of the
# meaning colours can share a slide (the family slide shows Q, K, V and the three
# variants; the calculator the variants and the weights), so every pair is held to it.
MIN_MEANING_DISTANCE = {"normal": 20.0, "deuteranopia": 12.0, "protanopia": 12.0}
MEANING = theme.MEANING
# structure is drawn in neutrals (deck/theme.py): at most this chroma in CAM02-UCS, half
# that of the least saturated meaning colour (the slate greys are a little blue)
NEUTRAL_CHROMA = 11.0
# REPEAT is GQA's own mechanism, drawn in GQA's colour on purpose
ALIASES = {"REPEAT": "GQA"}
DIMMED_MIN = 3.0  # WCAG's floor for large or incidental text, for what is set back
ZERO_CELL_MIN = 1.5  # a weight of 0 is still a cell, told apart from the slide
LIGHTNESS_APART = 10.0  # J' between light Q and K, so they differ in more than hue
VISIONS = {
    "normal": None,
    "deuteranopia": {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100},
    "protanopia": {"name": "sRGB1+CVD", "cvd_type": "protanomaly", "severity": 100},
}
SURFACES = ("BACKGROUND", "PANEL")
# every role drawn as text or as a line (the heatmap's ramp and inks are checked apart)
INK_ROLES = tuple(
    f.name
    for f in dataclasses.fields(theme.Palette)
    if f.type == "str" and f.name not in ("name", "DIMMED", *SURFACES)
)
NODE_ROLES = ("Q", "K", "V", "REPEAT", "ATTENTION", "OUTPUT")  # the diagram's nodes
PALETTES = [pytest.param(p, id=p.name) for p in theme.PALETTES.values()]


def srgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def luminance(colour: str) -> float:
    return float(cspace_convert(srgb(colour), "sRGB1", "XYZ1")[1])


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour: str, opacity: float, surface: str) -> str:
    """`colour` at `opacity` over `surface`, as the renderer blends it (in sRGB)."""
    mixed = opacity * srgb(colour) + (1 - opacity) * srgb(surface)
    return "#" + "".join(f"{round(c * 255):02X}" for c in mixed)


def test_contrast_reference_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0, rel=1e-3)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # WCAG's AA grey


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize(
    ("surface", "roles"),
    [
        pytest.param("BACKGROUND", INK_ROLES, id="text-and-lines-on-the-slide"),
        # card titles and figures use the roles; connectors are never drawn on a card
        pytest.param("PANEL", tuple(r for r in INK_ROLES if r != "LINE"), id="text-on-cards"),
    ],
)
def test_text_and_lines_stand_out(palette, surface, roles):
    weak = {
        role: round(contrast(getattr(palette, role), getattr(palette, surface)), 2)
        for role in roles
    }
    assert min(weak.values()) >= WCAG_AA, f"{palette.name} on {surface}: {weak}"


@pytest.mark.parametrize("palette", PALETTES)
def test_node_labels_stand_out_on_their_tinted_fill(palette):
    with theme.use(palette.name):
        for role in NODE_ROLES:
            colour = getattr(palette, role)
            node = Node("title", "detail", colour, 3.0)
            fill = over(colour, node.box.get_fill_opacity(), palette.BACKGROUND)
            for ink in (colour, palette.TEXT):
                assert contrast(ink, fill) >= WCAG_AA, (palette.name, role, ink, fill)


@pytest.mark.parametrize("palette", PALETTES)
def test_numbers_stand_out_on_every_heatmap_cell(palette):
    with theme.use(palette.name):
        worst = min(
            (contrast(ink_for(w), heat_color(w).to_hex()), w) for w in np.linspace(0, 1, 401)
        )
    assert worst[0] >= WCAG_AA, f"{palette.name}: {worst[0]:.2f}:1 at weight {worst[1]:.3f}"


@pytest.mark.parametrize("palette", PALETTES)
def test_heat_ramp_is_ordered_by_lightness(palette):
    """0.05 must never look like 0.40: lightness runs one way along the ramp."""
    with theme.use(palette.name):
        lightness = [
            cspace_convert(srgb(heat_color(w).to_hex()), "sRGB1", "CAM02-UCS")[0]
            for w in np.linspace(0, 1, 101)
        ]
    steps = np.sign(np.diff(lightness))
    assert abs(steps.sum()) == len(steps), f"{palette.name}: the ramp's lightness turns back"


def seen_as(colour: str, vision: str) -> np.ndarray:
    """`colour` in sRGB as someone with `vision` sees it (simulated)."""
    space = VISIONS[vision]
    rgb = srgb(colour)
    return rgb if space is None else np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def ucs(colour: str) -> np.ndarray:
    return cspace_convert(srgb(colour), "sRGB1", "CAM02-UCS")


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("vision", VISIONS)
def test_meaning_colours_stay_apart(palette, vision):
    seen = {role: seen_as(getattr(palette, role), vision) for role in MEANING}
    distances = {
        f"{a}–{b}": round(float(deltaE(seen[a], seen[b], input_space="sRGB1")), 1)
        for a, b in itertools.combinations(MEANING, 2)
    }
    closest = min(distances, key=distances.get)
    assert distances[closest] >= MIN_MEANING_DISTANCE[vision], (
        f"{palette.name}, {vision}: {closest} only {distances[closest]} apart in CAM02-UCS"
    )


@pytest.mark.parametrize("palette", PALETTES)
def test_each_hue_means_one_thing(palette):
    """No role outside the meaning palette takes a hue: structure is neutral."""
    for f in dataclasses.fields(theme.Palette):
        if f.type != "str" or f.name in ("name", *MEANING):
            continue
        colour = getattr(palette, f.name)
        if f.name in ALIASES:
            assert colour == getattr(palette, ALIASES[f.name]), f.name
            continue
        chroma = float(np.hypot(*ucs(colour)[1:]))
        assert chroma <= NEUTRAL_CHROMA, f"{palette.name} {f.name} {colour}: chroma {chroma:.1f}"
    for role in MEANING:
        assert np.hypot(*ucs(getattr(palette, role))[1:]) >= 2 * NEUTRAL_CHROMA, role


def test_light_q_and_k_differ_in_lightness():
    """Ochre and a dark rust of one lightness read as two browns; Q and K must not."""
    lightness = abs(ucs(theme.LIGHT.Q)[0] - ucs(theme.LIGHT.K)[0])
    assert lightness >= LIGHTNESS_APART, f"{lightness:.1f}"


@pytest.mark.parametrize("palette", PALETTES)
def test_dimmed_text_stays_readable(palette):
    assert contrast(palette.DIMMED, palette.BACKGROUND) >= DIMMED_MIN
    # set back: well below the text it steps back from
    assert contrast(palette.DIMMED, palette.BACKGROUND) < WCAG_AA


@pytest.mark.parametrize("theme_name", theme.THEMES)
def test_explained_steps_are_dimmed_to_the_dimmed_colour(theme_name):
    """Slides 27–29: the steps already explained, every glyph in DIMMED (not a role colour
    at partial opacity, which fell to 2.1:1)."""
    talk = dataclasses.replace(Talk.for_preset(), theme=theme_name)
    _, _, steps, _ = ScaledDotProduct.last_frame(talk)  # title, formula, steps, box
    dimmed = theme.palette(theme_name).DIMMED
    for row in steps[:-1]:
        for glyph in row.family_members_with_points():
            assert glyph.get_fill_color().to_hex().upper() == dimmed.upper()
            assert glyph.get_fill_opacity() == 1
    shown = {g.get_fill_color().to_hex().upper() for g in steps[-1].family_members_with_points()}
    assert dimmed.upper() not in shown


@pytest.mark.parametrize("palette", PALETTES)
def test_zero_weight_cells_stand_out_from_the_slide(palette):
    with theme.use(palette.name):
        zero = heat_color(0).to_hex()
    assert contrast(zero, palette.BACKGROUND) >= ZERO_CELL_MIN, (palette.name, zero)


@pytest.mark.parametrize("palette", PALETTES)
def test_the_mask_is_no_weight_not_a_colour_of_the_ramp(palette):
    """A masked cell is the slide's background under a neutral hatch: none of its colours
    is on the weights' ramp (the mask used to match the bar's 0.5, or its 0.7–0.8)."""
    with theme.use(palette.name):
        cell = hatched(1.0, theme.MASK)
        ramp = [heat_color(w).to_hex() for w in np.linspace(0, 1, 101)]
    ground, lines = cell
    assert ground.get_fill_color().to_hex().upper() == palette.BACKGROUND.upper()
    assert ground.get_fill_opacity() == 1
    inks = {ground.get_fill_color().to_hex()} | {line.get_stroke_color().to_hex() for line in lines}
    nearest = min(deltaE(srgb(i), srgb(r), input_space="sRGB1") for i in inks for r in ramp)
    assert nearest >= MIN_MEANING_DISTANCE["normal"] / 2, f"{palette.name}: {nearest:.1f}"


@pytest.mark.parametrize("theme_name", theme.THEMES)
def test_the_mask_has_its_legend_entry(theme_name):
    scene = constructed("AttentionWeights", "demo-1b", theme_name=theme_name)
    texts = {s.beat: {i.text for i in s.items if i.role == "text"} for s in scene.snapshots}
    assert "masked: weight 0" in texts["causal_mask"]
    assert "masked: weight 0" not in texts["previous_token"]  # it leaves with the mask


# ── resolution at access time ───────────────────────────────────────────
def test_colours_follow_the_active_palette():
    assert theme.TEXT == theme.DARK.TEXT  # outside any `use`: the default theme
    with theme.use("light"):
        assert (theme.TEXT, theme.HEAT_STOPS) == (theme.LIGHT.TEXT, theme.LIGHT.HEAT_STOPS)
        with theme.use("dark"):
            assert theme.Q == theme.DARK.Q
        assert theme.Q == theme.LIGHT.Q
    assert theme.BACKGROUND == theme.DARK.BACKGROUND
    assert theme.SIZE.body and theme.FONT  # the rest of the module is as before
    with pytest.raises(AttributeError):
        _ = theme.NO_SUCH_ROLE
    with pytest.raises(ValueError, match="light"):
        theme.palette("sepia")


def test_a_scene_draws_in_its_talks_palette_and_leaves_the_callers():
    scene = constructed("DataFlow", "demo-1b", theme_name="light")
    assert scene.camera.background_color.to_hex() == theme.LIGHT.BACKGROUND
    assert theme.palette() is theme.DARK
    light = dataclasses.replace(Talk.for_preset(), theme="light")
    picture = scene.__class__.last_frame(light)
    colours = {m.get_color().to_hex() for m in picture.family_members_with_points()}
    assert theme.LIGHT.TEXT in colours and theme.DARK.TEXT not in colours
    assert theme.palette() is theme.DARK


# ── one place for colours ───────────────────────────────────────────────
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\b")
MANIM_COLOURS = {n for n, v in vars(manim_colors).items() if isinstance(v, ManimColor)} | {
    "X11",
    "XKCD",
    "SVGNAMES",
    "DVIPSNAMES",
    "AS2700",
    "BS381",
}


def _deck_files(*suffixes: str) -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*"))
        if p.suffix in suffixes and p != PACKAGE / "theme.py" and "__pycache__" not in p.parts
    ]


def test_no_colour_literal_outside_the_theme():
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}"
        for path in _deck_files(".py", ".j2", ".js", ".css", ".html")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if HEX_COLOUR.search(line)
    ]
    assert not found, "colours belong in deck/theme.py:\n" + "\n".join(found)


def test_no_manim_colour_constant_in_the_deck():
    found = []
    for path in _deck_files(".py"):
        for node in ast.walk(ast.parse(path.read_text())):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else node.name
                if isinstance(node, ast.alias)
                else None
            )
            if name in MANIM_COLOURS:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {name}")
    assert not found, "use the theme's roles, not manim's colours:\n" + "\n".join(found)


def test_no_colour_is_bound_at_import():
    """A default argument `color=theme.TEXT` would keep the palette active at import."""
    found = []
    for path in _deck_files(".py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                defaults = [*node.args.defaults, *node.args.kw_defaults]
                for default in filter(None, defaults):
                    for sub in ast.walk(default):
                        if isinstance(sub, ast.Attribute) and sub.attr in theme.COLOUR_ROLES:
                            found.append(f"{path.relative_to(PACKAGE.parent)}:{sub.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "deck.theme":
                found += [
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: import {a.name}"
                    for a in node.names
                    if a.name in theme.COLOUR_ROLES
                ]
    assert not found, "read colours as theme.X when they are used:\n" + "\n".join(found)
