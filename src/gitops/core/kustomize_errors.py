"""Turn kustomize's stderr into one line a person can act on, with the fix.

kustomize wraps its cause in several layers of context and absolute paths;
the cause is what matters, with paths relative to the kustomization.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mlpipeline.yamlerrors import advice

# (kustomize's text, the message, the fix: fixed, or made from the match when it depends on it)
_PATTERNS: tuple[tuple[re.Pattern[str], str, str | Callable[[tuple[str, ...]], str]], ...] = (
    (
        re.compile(r"Warning: (.+?)(?: Run 'kustomize edit fix'.*)?$"),
        "deprecated kustomize field: {0}",
        "use the kustomize v5 field the message names, or run `kustomize edit fix`",
    ),
    (
        re.compile(r"merging resources from '([^']+)': may not add resource with an already registered id: ([^']+)'"),
        "duplicate object: {0} adds {1}, which another resource already defines",
        "remove one of the two or give them different names",
    ),
    (
        re.compile(r"accumulating resources from '([^']+)': evalsymlink failure .*no such file or directory"),
        "resources: '{0}' does not exist",
        "fix the path under resources:, relative to the kustomization",
    ),
    (
        re.compile(r"MalformedYAMLError: yaml: (line \d+): (.+?) in File: (\S+)"),
        "cannot parse YAML in {2}: {0}: {1}",
        lambda groups: advice(groups[1], groups[2]),
    ),
    (
        # kustomization.yaml itself: go-yaml names the line, kustomize not the file.
        re.compile(r"invalid Kustomization: yaml: (line \d+): (.+)$"),
        "cannot parse YAML in kustomization.yaml: {0}: {1}",
        lambda groups: advice(groups[1], "kustomization.yaml"),
    ),
    (
        re.compile(r"(?:components|resources)?.*'([^']+)': .*?(?:unable to find one of|no such file)"),
        "'{0}' does not exist",
        "fix the path in kustomization.yaml, relative to it",
    ),
)


def warnings(stderr: str, root: str) -> list[tuple[str, str]]:
    """(message, fix) for every warning line kustomize printed; a build that warned still produced output."""
    return [explain(line, root) for line in stderr.splitlines() if line.lstrip("# ").startswith("Warning:")]


def explain(stderr: str, root: str) -> tuple[str, str]:
    """(message, fix) for kustomize's output; unknown errors keep kustomize's last line."""
    text = " ".join(line.lstrip("# ").strip() for line in stderr.splitlines() if line.strip())
    text = text.replace(root.rstrip("/") + "/", "")
    for pattern, message, fix in _PATTERNS:
        match = pattern.search(text)
        if match:
            return message.format(*match.groups()), fix(match.groups()) if callable(fix) else fix
    # Not one we know: kustomize's own words are the cause; they name the file or field.
    return text.removeprefix("Error: ").removeprefix("error: "), "fix what kustomize names, in the folder's files"
