"""How numbers are written on slides (one place, so every slide writes them alike)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def integer(n: int) -> str:
    return f"{n:,}"


def shape(*dims: int) -> str:
    return "×".join(str(d) for d in dims)


def percent(fraction: float) -> str:
    return f"{fraction * 100:.1f} %".replace(".0 %", " %")


def whole_percent(fraction: float) -> str:
    """A percentage rounded to a whole number: 46 %."""
    return f"{round(fraction * 100)} %"


def nbytes(n: int) -> str:
    """Binary units, at most one decimal, trailing .0 dropped, halves rounded up as a
    reader expects: 24 KiB, 4.5 GiB, 1.25 GiB → 1.3 GiB (float formatting would round that
    tie to the even 1.2). Exact integer arithmetic, as the HTML calculator's script does."""
    exponent = 0
    while exponent < len(BINARY_UNITS) - 1 and n >= 1024 ** (exponent + 1):
        exponent += 1
    scale = 1024**exponent
    tenths, rest = divmod(n * 10, scale)
    if 2 * rest >= scale:
        tenths += 1
    whole, tenth = divmod(tenths, 10)
    return (f"{whole}" if tenth == 0 else f"{whole}.{tenth}") + f" {BINARY_UNITS[exponent]}"


def times(factor: float) -> str:
    """A factor to two decimals: 1.15×, 4.35×."""
    return f"{factor:.2f}×"


def rate(x: float) -> str:
    """A measured rate as a chart labels it: two significant figures below 100 (1.2, 25),
    whole numbers above (2,174)."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.2g}"


def billions(n: int) -> str:
    return f"{n / 1e9:.2f} B"


def ratio(a: int, b: int) -> str:
    return f"{a // b}:1" if a % b == 0 else f"{a}:{b}"


def day(d: datetime.date) -> str:
    """A talk's date as a slide writes it: 26 November 2026 (English month names, whatever
    the locale, so a build does not depend on the machine it runs on)."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))
SPOKEN_EXACT_BELOW = 10_000  # "2,048 tokens" is said as it is; larger figures are rounded


def _two_figures(value: float) -> str:
    """`value` (≥ 1) to two significant figures, halves rounded up as said aloud:
    950, 15, 1.5, 8 (Decimal of its shortest repr, so 1.15 is 1.2, not float's 1.1)."""
    step = Decimal(10) if value >= 100 else Decimal(1) if value >= 10 else Decimal("0.1")
    said = (Decimal(repr(value)) / step).quantize(Decimal(1), ROUND_HALF_UP) * step
    return f"{said.normalize():f}"


def spoken(n: float) -> str:
    """A figure as a speaker says it, for the notes (the exact one is on screen):
    949,003,776 → "about 950 million"; 2,048 → "2,048"; 8,000,000,000 → "8 billion"."""
    if n == int(n) and abs(n) < SPOKEN_EXACT_BELOW:
        return f"{int(n):,}"
    for scale, word in _SCALES:
        if abs(n) >= scale:
            said = _two_figures(abs(n) / scale)
            exact = float(said) * scale == abs(n)
            return ("" if exact else "about ") + ("-" if n < 0 else "") + f"{said} {word}"
    said = _two_figures(abs(n))
    return ("" if float(said) == abs(n) else "about ") + ("-" if n < 0 else "") + said


def spoken_bytes(n: int) -> str:
    """A size as a speaker says it: 1,598,029,824 B → "about 1.5 GiB"; 24,576 B → "24 KiB"."""
    value, unit = float(n), BINARY_UNITS[0]
    for unit in BINARY_UNITS:
        if value < 1024 or unit == BINARY_UNITS[-1]:
            break
        value /= 1024
    if value == int(value):  # 512 MiB, 24 KiB: exact, said as they are
        return f"{int(value)} {unit}"
    said = _two_figures(value)
    return ("" if float(said) == value else "about ") + f"{said} {unit}"


SPOKEN_K_FROM = 1024  # a context of 2,048 tokens is said "2K", 3,072 "3K"


def spoken_tokens(n: int) -> str:
    """A token count as a speaker says it: 202 → "202"; 2,048 → "2K"; 1,207 → "about
    1,200"; 131,072 → "128K" (at most three significant figures aloud)."""
    if n < 1000:
        return f"{n}"
    kilo, rest = divmod(n, SPOKEN_K_FROM)
    if not rest:  # 2,048, 3,072, 131,072: contexts are said in K
        return f"{kilo:,}K"
    if n < SPOKEN_EXACT_BELOW:
        said = int(Decimal(n).scaleb(-2).quantize(Decimal(1), ROUND_HALF_UP)) * 100
        return ("" if said == n else "about ") + f"{said:,}"
    return spoken(n)
