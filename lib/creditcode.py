"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters from the alphabet ``0-9 A-H J-N P-R T-U W-Y`` (no I, O, Z, S, V); the
last is a check character computed from the first 17 with weights 3^i mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    if len(first17) != 17 or any(char not in ALPHABET for char in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(ALPHABET.index(char) * weight
                for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    if len(code) != 18 or any(char not in ALPHABET for char in code):
        return False
    return check_character(code[:17]) == code[17]


def complete(first17: str) -> str:
    """Append the check character (for generating demo and test codes)."""
    return first17 + check_character(first17)
