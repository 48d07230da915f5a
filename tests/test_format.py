"""How figures are said aloud in the notes: checked against literals a speaker would say."""

import pytest

from deck.format import nbytes, spoken, spoken_bytes, spoken_tokens


@pytest.mark.parametrize(
    ("figure", "said"),
    [
        (949_003_776, "about 950 million"),
        (795_403_776, "about 800 million"),
        (8_030_261_248, "about 8 billion"),
        (2_048, "2,048"),
        (24, "24"),
        (1_000_000, "1 million"),
        (147_456, "about 150 thousand"),
        (1.15, "about 1.2"),  # halves round up, as said aloud (float's 1.15 is below it)
        (4.35, "about 4.4"),
    ],
)
def test_spoken(figure: float, said: str) -> None:
    assert spoken(figure) == said


@pytest.mark.parametrize(
    ("size", "said"),
    [
        (24_576, "24 KiB"),
        (512 * 2**20, "512 MiB"),
        (1008 * 1024, "1008 KiB"),
        (1_598_029_824, "about 1.5 GiB"),
        (1_536, "1.5 KiB"),
    ],
)
def test_spoken_bytes(size: int, said: str) -> None:
    assert spoken_bytes(size) == said


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (24_576, "24 KiB"),
        (5 * 2**30 // 4, "1.3 GiB"),  # a tie, rounded up as a reader expects
        (1_280, "1.3 KiB"),
        (1_279, "1.2 KiB"),
        (9 * 2**29, "4.5 GiB"),
        (1_023, "1023 B"),
    ],
)
def test_nbytes(size: int, shown: str) -> None:
    assert nbytes(size) == shown


@pytest.mark.parametrize(
    ("tokens", "said"),
    [
        (202, "202"),
        (2_048, "2K"),
        (3_072, "3K"),
        (131_072, "128K"),
        (1_207, "about 1,200"),
        (1_000, "1,000"),
        (15_000, "15 thousand"),
    ],
)
def test_spoken_tokens(tokens: int, said: str) -> None:
    assert spoken_tokens(tokens) == said
