"""The metric names a PromQL expression reads: not functions, keywords, labels or Grafana variables."""

# Not a parser: strip what cannot hold a metric name (strings, label matchers,
# ranges, grouping label lists), then every identifier not followed by `(` and
# not a keyword is a metric name.

from __future__ import annotations

import re

# Operators and modifiers that look like identifiers; start/end appear in `@ start()`.
KEYWORDS = set("and or unless bool offset by without on ignoring group_left group_right inf nan start end".split())
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
# Not after a word character, `$` (Grafana variable) or `.` (a number like 1.5e3).
_IDENT = re.compile(r"(?<![\w$.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")


def metric_names(expr: str) -> list[str]:
    """Metric names in order of first appearance."""
    text = _STRINGS.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)  # also Grafana's ${var}, whose $ is left behind
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    found: dict[str, None] = {}
    for match in _IDENT.finditer(text):
        name, call = match.group(1), match.group(2)
        if not call and name not in KEYWORDS:
            found[name] = None
    return list(found)
