"""`python -m deck`: the `deck` command.

Ctrl-C is answered in one line from the very start: until main() runs (and takes over
with its own handling) there is nothing to clean up, so the process just exits.
"""

import os
import signal
import sys


def _interrupted_at_start(signum, frame) -> None:
    sys.stderr.write("deck: interrupted\n")
    os._exit(130)


signal.signal(signal.SIGINT, _interrupted_at_start)
from deck.cli import main  # noqa: E402  (after the handler: nothing heavy, but not instant)

signal.signal(signal.SIGINT, signal.default_int_handler)
raise SystemExit(main())
