"""How numbers are written on slides (one place, so every slide writes them alike)."""

from __future__ import annotations

import datetime

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
    """Binary units, at most one decimal, trailing .0 dropped: 24 KiB, 4.5 GiB."""
    value, unit = float(n), BINARY_UNITS[0]
    for unit in BINARY_UNITS:
        if value < 1024 or unit == BINARY_UNITS[-1]:
            break
        value /= 1024
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def billions(n: int) -> str:
    return f"{n / 1e9:.2f} B"


def ratio(a: int, b: int) -> str:
    return f"{a // b}:1" if a % b == 0 else f"{a}:{b}"


def day(d: datetime.date) -> str:
    """A talk's date as a slide writes it: 26 November 2026 (English month names, whatever
    the locale, so a build does not depend on the machine it runs on)."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
