"""Turn kustomize's stderr into one line a person can act on, with the fix.

kustomize wraps its cause in several layers of context and absolute paths;
the cause is what matters, with paths relative to the kustomization.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
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
        re.compile(r"MalformedYAMLError: (yaml: .+?) in File: (\S+)"),
        "cannot parse YAML in {1}: {0}",
        "fix the YAML syntax at the line named",
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
            return message.format(*match.groups()), fix
    return text.removeprefix("Error: ").removeprefix(
        "error: "
    ), "run `make render OVERLAY=<dir>` to see kustomize's full output"
