"""Durations as the controller reads and prints them.

- `go_duration` is Go's time.ParseDuration (the controller parses template `timeout`
  with it: workflow/controller/operator.go checkTemplateTimeout).
- `argo_duration` is pkg/apis/workflow/v1alpha1/utils.go ParseStringToDuration: an
  integer string means seconds, anything else Go's syntax (retryStrategy.backoff).
- `humanize` is util/humanize/humanize.go Duration over dustin/go-humanize v1.0.1
  CustomRelTime (times.go): the text of the Retry node's "Backoff for ..." message.
"""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class DurationError(ValueError):
    """Go's error text, e.g. `time: unknown unit " minute" in duration "1 minute"`."""


def go_duration(text: str) -> float:
    """Seconds, read the way Go's time.ParseDuration reads: [sign] (digits[.digits] unit)+, or a bare 0."""
    s = text
    sign = 1.0
    if s[:1] in ("+", "-"):
        sign, s = (-1.0 if s[0] == "-" else 1.0), s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise DurationError(f'time: invalid duration "{text}"')
    total = 0.0
    while s:
        number = re.match(r"(\d*)(\.\d*)?", s)
        whole, fraction = number.group(1), number.group(2) or ""
        if not whole and len(fraction) <= 1:
            raise DurationError(f'time: invalid duration "{text}"')
        s = s[number.end() :]
        unit = re.match(r"[^.0-9]*", s).group(0)
        if not unit:
            raise DurationError(f'time: missing unit in duration "{text}"')
        if unit not in _UNITS:
            raise DurationError(f'time: unknown unit "{unit}" in duration "{text}"')
        total += float((whole or "0") + (fraction if len(fraction) > 1 else "")) * _UNITS[unit]
        s = s[len(unit) :]
    return sign * total


def argo_duration(text: str) -> float:
    """Seconds; the error is ParseStringToDuration's: `unable to parse X as a duration: <Go's error>`."""
    if re.fullmatch(r"[+-]?\d+", text):
        return float(int(text))
    try:
        return go_duration(text)
    except DurationError as err:
        raise DurationError(f"unable to parse {text} as a duration: {err}") from err


# (upper bound in seconds, format, divisor): util/humanize relativeMagnitudes up to a day; the
# longer rows (days, weeks, months) follow the same table.
_DAY, _WEEK, _MONTH = 86400, 7 * 86400, 30 * 86400
_YEAR = 12 * _MONTH
_MAGNITUDES = [
    (1, "0 seconds", 1),
    (2, "1 second", None),
    (60, "{} seconds", 1),
    (120, "1 minute", None),
    (3600, "{} minutes", 60),
    (7200, "1 hour", None),
    (_DAY, "{} hours", 3600),
    (2 * _DAY, "1 day", None),
    (_WEEK, "{} days", _DAY),
    (2 * _WEEK, "1 week", None),
    (_MONTH, "{} weeks", _WEEK),
    (2 * _MONTH, "1 month", None),
    (_YEAR, "{} months", _MONTH),
    (18 * _MONTH, "1 year", None),
    (2 * _YEAR, "2 years", None),
    (37 * _YEAR, "{} years", _YEAR),
]


def _truncated(seconds: float) -> str:
    # CustomRelTime picks the first magnitude whose bound is greater than the duration; the
    # quantity is the integer division (Go's Duration / Duration truncates toward zero).
    nanos = int(seconds * 1e9)
    for bound, fmt, divisor in _MAGNITUDES:
        if bound * 1_000_000_000 > nanos:
            return fmt.format(nanos // (divisor * 1_000_000_000)) if divisor else fmt
    return "a long while"


def humanize(seconds: float) -> str:
    """util/humanize Duration: one unit under a minute, two units above."""
    if seconds < 60:
        return _truncated(seconds)
    if seconds < 3600:
        return f"{_truncated(seconds)} {int(seconds % 60)} seconds"
    if seconds < 86400:
        return f"{_truncated(seconds)} {int((seconds / 60) % 60)} minutes"
    return f"{_truncated(seconds)} {int((seconds / 3600) % 24)} hours"
