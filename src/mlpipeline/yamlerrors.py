"""A YAML parse error as a person can act on it: the file, the line, what is wrong there, and how to fix it.

The parsers (libyaml through PyYAML and ruamel, go-yaml inside kustomize)
name the problem in their own words; the common ones map to a concrete fix.
Shared by the steps (the pin) and the repo tooling (promote, render).
"""

from __future__ import annotations

# (phrase in the parser's message, what to do); first match wins.
_ADVICE = (
    ("mapping values are not allowed", "quote a value that contains ': ', or align the key with the keys beside it"),
    ("did not find expected key", "align the line with the keys beside it (a '-' item among keys, or one space off)"),
    ("',' or ']'", "close the [ list with ']' (or quote a value that starts with '[')"),
    ("',' or '}'", "close the { map with '}' (or quote a value that starts with '{')"),
    ("cannot start any token", "indent with spaces, not tabs, and quote a value starting with '@' or '`'"),
    ("found undefined alias", "define the &anchor before the *alias that uses it, or drop the alias"),
    ("could not find expected ':'", "add the ':' after the key, or quote a value that runs over several lines"),
    ("while scanning a quoted scalar", "close the quoted value with its quote"),
    ("found unexpected end of stream", "close the quote or bracket that is still open"),
    ("duplicate key", "keep one of the two entries with the same key"),
    ("already defined", "keep one of the two entries with the same key"),
)


def advice(problem: str, path: str) -> str:
    for phrase, fix in _ADVICE:
        if phrase in problem:
            return fix
    return f"fix the YAML at that line; .venv/bin/yamllint {path} shows it in context"


def describe(err: Exception, path: str) -> tuple[str, str]:
    """(what, fix) for a PyYAML or ruamel parse error: `line 19 column 8: mapping values are not allowed here`."""
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    where = f"line {mark.line + 1} column {mark.column + 1}: " if mark is not None else ""
    return f"not valid YAML: {where}{problem}", advice(problem, path)
