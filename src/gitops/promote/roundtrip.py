"""Round-trip YAML for files people edit by hand: comments and key order survive.

Used wherever tooling rewrites a committed file (today: kustomization.yaml
`images:`). Parsing for reading only stays on PyYAML; this is for writing back.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML

_KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")
_DASH_LINE = re.compile(r"^( *)- ")


def _sequence_offset(text: str) -> int:
    """How far this file indents `- ` under its parent key (0 or 2 in practice).

    ruamel.yaml writes one style for the whole file; matching the file's own
    style keeps the diff of an edit to the lines that really changed.
    """
    previous_key_indent: int | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dash = _DASH_LINE.match(line)
        if dash and previous_key_indent is not None:
            return max(0, len(dash.group(1)) - previous_key_indent)
        key = _KEY_LINE.match(line)
        previous_key_indent = len(key.group(1)) if key else None
    return 0


def _yaml_for(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long image reference onto two lines
    offset = _sequence_offset(text)
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


def load(text: str) -> Any:
    return _yaml_for(text).load(text)


def dump(data: Any, like: str) -> str:
    """Serialise `data` in the indentation style of `like` (the file's original text)."""
    out = io.StringIO()
    _yaml_for(like).dump(data, out)
    return out.getvalue()
