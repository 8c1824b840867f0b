"""Go's `%v` text for the values Argo's messages print (govaluate results, expr results, items)."""

from __future__ import annotations

import math
import re
from typing import Any


def go_float(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 64) as %v prints it: shortest digits, exponent at e-5 and e+21."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits, exp = _shortest(value)  # repr() gives the shortest round-tripping digits, as Go's -1 does
    sign = "-" if value < 0 else ""
    if exp < -4 or exp >= 21:
        head, tail = digits[0], digits[1:]
        return f"{sign}{head}{'.' + tail if tail else ''}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    return sign + _plain(digits, exp)


def _shortest(value: float) -> tuple[str, int]:
    """(significant digits, decimal exponent of the first digit) of repr(value)."""
    text = repr(abs(value)).lower()
    mantissa, _, exp_text = text.partition("e")
    exp = int(exp_text) if exp_text else 0
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    leading_zeros = len(whole + frac) - len((whole + frac).lstrip("0"))
    first = exp + len(whole) - 1 - leading_zeros
    return digits.rstrip("0") or "0", first


def _plain(digits: str, exp: int) -> str:
    if exp < 0:
        return "0." + "0" * (-exp - 1) + digits
    if len(digits) <= exp + 1:
        return digits + "0" * (exp + 1 - len(digits))
    return digits[: exp + 1] + "." + digits[exp + 1 :]


def go_value(value: Any) -> str:
    """fmt's %v for the Go values these libraries produce: float64, string, bool, nil, []interface{}."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, dict):  # Go prints map keys sorted
        return "map[" + " ".join(f"{go_value(k)}:{go_value(value[k])}" for k in sorted(value, key=str)) + "]"
    return str(value)


def _json_float(value: float) -> str:
    """encoding/json's float64: shortest digits, 'e' notation below 1e-6 and from 1e21 ("1e-7", "1e+21")."""
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:
        digits, exp = _shortest(value)
        return ("-" if value < 0 else "") + _plain(digits, exp)
    text = go_float(value)
    return re.sub(r"e([+-])0(\d)$", r"e\1\2", text)


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e"}
_JSON_ESCAPES |= {"&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def go_json(value: Any) -> str:
    """encoding/json Marshal of a decoded YAML/JSON value: compact, map keys sorted, HTML characters escaped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json_string(str(k))}:{go_json(value[k])}" for k in sorted(value, key=str)) + "}"
    raise TypeError(f"no JSON form for {type(value).__name__}")


def unescape_html(text: str) -> str:
    """util/json Fix: the three HTML escapes encoding/json adds, undone."""
    return text.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")


def compact_json(text: str) -> str:
    """json.Compact with HTML escaping, as Marshal writes a RawMessage: the value's own text, spaces gone."""
    out, in_string, escaped = [], False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
                out.append(ch)
            elif ch == "\\":
                escaped = True
                out.append(ch)
            elif ch == '"':
                in_string = False
                out.append(ch)
            else:
                out.append(_JSON_ESCAPES.get(ch, ch) if ch in "<>&\u2028\u2029" else ch)
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch not in " \t\r\n":
            out.append(ch)
    return "".join(out)
