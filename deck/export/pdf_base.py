"""What the two PDF writers (the slides' PDF and the handout) share: the embedded font and
reportlab's binary streams."""

from __future__ import annotations

from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# DejaVu Sans (Debian's fonts-dejavu-core, installed by scripts/setup.sh): TrueType, which
# reportlab embeds (the deck's Inter is installed as CFF-flavoured OpenType, which it
# cannot), and with Greek (the notes say "α"; reportlab's bundled Vera has no Greek).
# tests/test_export.py checks that it has every character the notes use; `deck doctor`
# checks that the files are there.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, BOLD = "HandoutSans", "HandoutSans-Bold"
# WenQuanYi Micro Hei (fonts-wqy-microhei): TrueType with Chinese, Japanese and Korean,
# which DejaVu lacks, for the notes' runs in those scripts (deck/export/any_script.py).
FALLBACK = "HandoutFallback"
FONT_FILES = {
    FONT: FONT_DIR / "DejaVuSans.ttf",
    BOLD: FONT_DIR / "DejaVuSans-Bold.ttf",
    FALLBACK: Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # its first face
}


PACKAGES = {FONT: "fonts-dejavu-core", BOLD: "fonts-dejavu-core", FALLBACK: "fonts-wqy-microhei"}


def missing_packages() -> list[str]:
    """The Debian packages of the font files this machine lacks."""
    names = [name for name, path in FONT_FILES.items() if not path.is_file()]
    return sorted({PACKAGES[name] for name in names})


def missing_fonts() -> list[str]:
    """The font files the PDFs embed that this machine lacks."""
    return [str(path) for path in FONT_FILES.values() if not path.is_file()]


def register_fonts() -> None:
    for name, file in FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(file)))


def binary_streams() -> None:
    """Have reportlab write streams as they are. By default it writes them as ASCII85
    text, a quarter larger and encoded in pure Python without its optional accelerator
    (35 ms per 480p picture, most of the PDF's time); every PDF reader takes binary."""
    rl_config.useA85 = 0
