"""resource.Quantity as the API server reads it (apimachinery pkg/api/resource/quantity.go).

ParseQuantity scans an optional sign, digits with at most one '.', then a
suffix: "" or one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e/E followed
by an integer. JSON numbers are read from their text and surrounding spaces
are trimmed (UnmarshalJSON). A bad quantity is a decode error, with one of
the three texts below; the value is kept exact here as a Fraction.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
SUFFIX = "unable to parse quantity's suffix"
NUMERIC = "unable to parse numeric part of quantity"

_SHAPE = re.compile(r"([+-]?[0-9.]*)([eEinumkKMGTP]*[-+]?[0-9]*)", re.ASCII)
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def parse(value: Any) -> tuple[Fraction | None, str]:
    """(value, "") or (None, the decoder's error text)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, FORMAT_WRONG
    text = str(value).strip() if isinstance(value, str) else _number_text(value)
    if not text:
        return None, "quantities must match the regular expression"
    match = _SHAPE.fullmatch(text)
    if not match:
        return None, FORMAT_WRONG
    number, suffix = match.groups()
    digits = number.lstrip("+-")
    if digits.count(".") > 1:
        return None, FORMAT_WRONG
    if suffix in _DECIMAL:
        scale = Fraction(10) ** _DECIMAL[suffix]
    elif suffix in _BINARY:
        scale = Fraction(2) ** _BINARY[suffix]
    elif suffix[:1] in ("e", "E") and re.fullmatch(r"[+-]?[0-9]+", suffix[1:]):
        scale = Fraction(10) ** int(suffix[1:])
    else:
        return None, SUFFIX
    mantissa = Fraction(digits) if digits.strip(".") else Fraction(0)  # ".", "" scan as zero, as Go's does
    if number.startswith("-"):
        mantissa = -mantissa
    return mantissa * scale, ""


def _number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(value).replace("e+", "e") if "e" in repr(value) else repr(value)
