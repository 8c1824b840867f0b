"""A problem found in a rendered object: what every check reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"
# Findings of the validator's own passes carry no rule tag; policy rules do. "cel" and "apiserver" are the
# platform's own validation (CRD rules, the API server's built-in checks): not policy, never waivable.
CORE_CHECKS = frozenset({"schema", "render", "parse", "duplicate", "applicationset", "cel", "apiserver"})


@dataclass(frozen=True, order=True)
class Finding:
    source: str  # kustomization directory, repo-relative
    resource: str  # Kind/namespace/name, or "-" for a whole-build problem
    path: str  # field path, e.g. spec.template.spec.containers[0].image
    message: str
    hint: str = ""
    rule: str = "schema"
    severity: str = ERROR
    waived_by: str = ""  # the waiver's reason when an annotation waived it

    def line(self) -> str:
        where = f"{self.resource} {self.path}".rstrip() if self.path else self.resource
        text = f"{self.source}: {where}: {self.message}"
        if self.rule not in CORE_CHECKS:
            text = f"{text} [{self.rule}]"
        return f"{text} (fix: {self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
