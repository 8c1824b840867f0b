"""A step's or task's `when` parses the way govaluate parses it when Argo decides whether to run it."""

# Semantics from gitops.argo.when (shared with the local runner): workflow/controller/steps.go
# shouldExecute (argoproj/argo-workflows v4.0.6) substitutes the tags, then parses with
# Knetic/govaluate 7625b7f8c03d, turns bare words into strings and plans again; a failure marks
# the node Error ("Invalid 'when' expression '%s': %s", with a quoting hint for an invalid
# token; "Failed to parse 'when' expression ..."). validate.go never parses `when`, so this
# fails only when the step is reached. Tags are unknown here: each is read as one bare word, so
# a `when` is reported only for what no value could fix (`=` for `==`, `and`, unbalanced
# parentheses); one without tags is evaluated as Argo would.

from __future__ import annotations

from collections.abc import Iterable

from gitops.argo import when
from gitops.argo.errors import ParseError
from gitops.argo.substitution import END, START, Unbalanced, tags
from gitops.core.findings import ERROR, Finding
from gitops.validate.policy import argo
from gitops.validate.policy.context import Overlay

ID = "argo-when"
DESCRIPTION = "every step/task when parses as govaluate does in the controller (and, without tags, is a boolean)"
SEVERITY = ERROR
PLACEHOLDER = "value"
HINT = ' (hint: try wrapping the affected expression in quotes ("))'


def problem(text: str) -> str:
    """Argo's node message for `text`, or "" when some values of its tags make it run."""
    try:
        found = tags(text)
    except Unbalanced:
        return ""  # a lone "{{" is text; substitution leaves it and govaluate reads it
    substituted = text
    for tag in found:
        substituted = substituted.replace(f"{START}{tag}{END}", PLACEHOLDER, 1)
    try:
        when.parse(substituted)
    except ParseError as err:
        hint = HINT if "Invalid token" in err.message else ""
        return f"Invalid 'when' expression '{text}': {err.message}{hint}"
    try:
        when.should_execute(substituted)
    except when.WhenError as err:
        message = str(err)
        if message.startswith("Failed to parse") or not found:
            return message.replace(f"'{substituted}'", f"'{text}'")
    return ""


def check(overlay: Overlay) -> Iterable[Finding]:
    for doc in overlay.of_kind(*argo.KINDS):
        for call in argo.calls(doc):
            text = call.body.get("when")
            if isinstance(text, str) and text and (found := problem(text)):
                yield overlay.finding(
                    doc,
                    f"{call.path}.when",
                    found,
                    "compare with == and join with && / ||; quote values that hold -, . or spaces ('{{...}}')",
                )
