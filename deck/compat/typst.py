"""typst's SVG output, which the formulas rewrite (see deck/compat/__init__.py)."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

LIBRARY, CHECKED = "typst", "0.15"

# A rule as typst draws it: a horizontal stroked path `M 0 0h <length>`, placed by its
# transform (fraction bars, radical overbars).
_RULE_PATH = re.compile(r"M 0 0h (?P<length>[-\d.]+)")


def rules_to_fills(tree: ET.ElementTree) -> ET.ElementTree:
    """Turn typst's stroked rules into filled rectangles of the same thickness.

    MathTypst keeps them as strokes whose width it sets from the render resolution at
    construction (`config.pixel_width`) and refreshes only when the formula itself is
    scaled, so the same formula gets thinner bars at 1080p than at 480p, and scaling a
    group that holds it leaves its bars unscaled (tests/components/test_formula.py shows
    both). A filled shape scales with everything else.
    """
    for element in tree.iter():
        match = _RULE_PATH.fullmatch(element.get("d", "").strip())
        if element.get("fill") != "none" or not element.get("stroke") or match is None:
            continue
        width, length = float(element.get("stroke-width", "0")), float(match["length"])
        element.set("d", f"M 0 {-width / 2} h {length} v {width} h {-length} Z")
        element.set("fill", element.get("stroke"))
        for attribute in [a for a in element.attrib if a.startswith("stroke")]:
            del element.attrib[attribute]
    return tree
