"""Go's path.Match, which the ApplicationSet git directories generator matches with.

applicationset/generators/git.go (v3.5.1, filterApps) matches each directory
against the patterns with path.Match: `*` and `?` never cross `/`, `[...]`
is a class, and there is no `**` and no `{a,b}`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase


def match(pattern: str, path: str) -> bool:
    parts, segments = pattern.split("/"), path.split("/")
    # Segment by segment, so no wildcard can match a separator; fnmatch's
    # classes and `?` then behave as Go's within a segment.
    return len(parts) == len(segments) and all(fnmatchcase(s, p) for p, s in zip(parts, segments, strict=True))
