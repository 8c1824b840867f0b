"""Every rule, in the order the summary lists them: security, deprecations, references, monitoring."""
from __future__ import annotations

from gitops.rules import (
    waiver_reason,
)

RULES = (
    waiver_reason,
)
