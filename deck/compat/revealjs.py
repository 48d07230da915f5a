"""reveal.js's notes plugin, whose speaker view the watcher's Content-Security-Policy must
allow (see deck/compat/__init__.py).

reveal.js 6.0's dist/plugin/notes.js opens the speaker view as `about:blank` and writes
its page with `document.write` from one template literal. That page holds one inline
`<script>…<\\/script>`, and an `about:blank` window inherits its opener's policy, so the
policy must name that script's hash as well as the deck page's own. In the literal the
script has no `${…}` and its only escape is `\\\\` (a backslash), so the text the browser
hashes is the literal's with that one escape undone.
"""

from __future__ import annotations

import base64
import hashlib

LIBRARY, CHECKED = "reveal.js", "6.0"
OPEN, CLOSE = "<script>", "<\\/script>"


def speaker_view_scripts(notes_js: str) -> list[str]:
    """The inline scripts of the speaker view that `notes_js` (notes.js) writes."""
    scripts, start = [], 0
    while (begin := notes_js.find(OPEN, start)) >= 0:
        end = notes_js.find(CLOSE, begin)
        if end < 0:
            break
        body = notes_js[begin + len(OPEN) : end]
        if "${" in body:  # not a constant: this reach no longer holds
            raise ValueError("the speaker view's script is no longer a constant")
        scripts.append(body.replace("\\\\", "\\"))
        start = end + len(CLOSE)
    return scripts


def script_hash(script: str) -> str:
    """A CSP source for one inline script: 'sha256-<base64>'."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"
