"""CronJob schedules parsed the way the API server parses them: robfig/cron v3.0.1 ParseStandard.

Kubernetes' batch validation (pkg/apis/batch/validation/validation.go,
validateScheduleFormat) calls cron.ParseStandard and prints its error text, so
the grammar and the messages here follow robfig/cron v3.0.1 parser.go: five
fields (minute hour day-of-month month day-of-week), `*` or `?`, numbers,
ranges `a-b`, steps `/n`, comma lists, month and weekday names, and the
descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly
@every <duration>. Day of week is 0-6: 7 is not Sunday there.
"""

from __future__ import annotations

import re

# (min, max, names) per field, in the order ParseStandard reads them.
_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
_FIELDS = ((0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTHS), (0, 6, _DAYS))
_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_INT64_MAX = 2**63 - 1


def parse_error(spec: str) -> str:
    """robfig's error text for `spec`, or "" when ParseStandard accepts it."""
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        # robfig loads the zone named up to the first space, then parses the rest.
        space = spec.find(" ")
        if space < 0:
            return "provided bad location: no schedule after the time zone"
        spec = spec[space:].strip()
    if spec.startswith("@"):
        return _descriptor(spec)
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for text, bounds in zip(fields, _FIELDS, strict=True):
        for expr in (part for part in text.split(",") if part):
            error = _range(expr, *bounds)
            if error:
                return error
    return ""


def _descriptor(spec: str) -> str:
    if spec in _DESCRIPTORS:
        return ""
    if spec.startswith("@every "):
        error = duration_error(spec[len("@every ") :])
        return f"failed to parse duration {spec}: {error}" if error else ""
    return f"unrecognized descriptor: {spec}"


def _atoi(expr: str) -> tuple[int, str]:
    # Go's strconv.Atoi: optional sign, decimal digits, int64 range.
    if not re.fullmatch(r"[+-]?[0-9]+", expr):
        return 0, f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax'
    number = int(expr)
    if abs(number) > _INT64_MAX:
        return 0, f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": value out of range'
    if number < 0:
        return 0, f"negative number ({number}) not allowed: {expr}"
    return number, ""


def _int_or_name(expr: str, names: dict[str, int] | None) -> tuple[int, str]:
    if names and expr.lower() in names:
        return names[expr.lower()], ""
    return _atoi(expr)


def _range(expr: str, low: int, high: int, names: dict[str, int] | None) -> str:
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    if low_high[0] in ("*", "?"):
        start, end = low, high  # robfig ignores whatever follows a hyphen after * or ?
    else:
        start, error = _int_or_name(low_high[0], names)
        if error:
            return error
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end, error = _int_or_name(low_high[1], names)
            if error:
                return error
        else:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_and_step) == 2:
        step, error = _atoi(range_and_step[1])
        if error:
            return error
        if len(low_high) == 1 and low_high[0] not in ("*", "?"):
            end = high  # "N/step" means "N-max/step"
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return ""


_UNITS = ("ns", "us", "µs", "μs", "ms", "s", "m", "h")


def duration_error(text: str) -> str:
    """Go's time.ParseDuration error for `text`, or ""."""
    quoted = f'"{text}"'
    rest = text[1:] if text[:1] in "+-" else text
    if rest == "0":
        return ""
    if not rest:
        return f"time: invalid duration {quoted}"
    while rest:
        number = re.match(r"[0-9]*(\.[0-9]*)?", rest).group(0)
        if number in ("", "."):
            return f"time: invalid duration {quoted}"
        rest = rest[len(number) :]
        unit = re.match(r"[^0-9.]*", rest).group(0)
        if not unit:
            return f"time: missing unit in duration {quoted}"
        if unit not in _UNITS:
            return f'time: unknown unit "{unit}" in duration {quoted}'
        rest = rest[len(unit) :]
    return ""
