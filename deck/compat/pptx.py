"""python-pptx's output the deck edits (see deck/compat/__init__.py)."""

from __future__ import annotations

LIBRARY, CHECKED = "python-pptx", "1.0"


# ── python-pptx: a movie that starts by itself ──────────────────────────
# python-pptx 1.0's `shapes.add_movie` writes the slide's <p:timing> with one <p:video>
# node whose <p:cMediaNode> targets the movie's shape id and starts on a click
# (<p:cond delay="indefinite"/>). Delay 0 starts it as the slide appears; repeatCount
# "indefinite" on its <p:cTn> loops it (what manim-slides 5.7's PowerPoint export does).
PRESENTATIONML = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


def autoplay_movie(movie, *, loop: bool) -> None:
    """Make a python-pptx Movie play when its slide appears (and loop if `loop`)."""
    from lxml import etree

    def find(element, path: str) -> list:  # lxml's own xpath, with the namespace given
        return etree._Element.xpath(element, path, namespaces=PRESENTATIONML)

    slide = movie._element.getroottree().getroot()
    target = f'p:tgtEl/p:spTgt/@spid="{movie.shape_id}"'
    (node,) = find(slide, f".//p:timing//p:video/p:cMediaNode[{target}]")
    (start,) = find(node, "./p:cTn/p:stCondLst/p:cond")
    start.set("delay", "0")
    if loop:
        find(node, "./p:cTn")[0].set("repeatCount", "indefinite")
