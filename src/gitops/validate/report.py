"""The validator's report: findings per kustomization, a summary table, JSON."""

from __future__ import annotations

from dataclasses import dataclass, field

from gitops.core.findings import ERROR, Finding


class UsageError(Exception):
    """Bad arguments or environment: exit 2."""


@dataclass
class Entry:
    source: str
    documents: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR and not f.waived_by)


@dataclass
class Report:
    entries: dict[str, Entry] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, source: str) -> Entry:
        return self.entries.setdefault(source, Entry(source))

    def findings(self) -> list[Finding]:
        return [f for e in self.entries.values() for f in e.findings]

    def as_dict(self, header: str) -> dict:
        return {
            "tools": header,
            "seconds": round(self.seconds, 3),
            "errors": sum(e.errors for e in self.entries.values()),
            "kustomizations": [
                {
                    "source": e.source,
                    "documents": e.documents,
                    "errors": e.errors,
                    "findings": [f.as_dict() for f in sorted(e.findings)],
                }
                for e in sorted(self.entries.values(), key=lambda e: e.source)
            ],
        }


def text(result: Report, header: str) -> str:
    entries = sorted(result.entries.values(), key=lambda e: e.source)
    lines = [header, ""]
    for entry in entries:
        lines.extend(f.line() for f in sorted(entry.findings) if not f.waived_by)
    waived = [f for f in result.findings() if f.waived_by]
    if waived:
        lines.append("waived (annotation with a reason):")
        lines.extend(f"  {f.line()} -- waived: {f.waived_by}" for f in sorted(waived))
    if len(lines) > 2:
        lines.append("")
    width = max([len("kustomization"), *(len(e.source) for e in entries)])
    lines.append(f"{'kustomization':<{width}}  documents  errors")
    for entry in entries:
        lines.append(f"{entry.source:<{width}}  {entry.documents:>9}  {entry.errors:>6}")
    docs = sum(e.documents for e in entries)
    errors = sum(e.errors for e in entries)
    lines.append(f"{'total':<{width}}  {docs:>9}  {errors:>6}")
    verdict = "OK" if errors == 0 else "FAILED"
    lines.append(
        f"{verdict}: {len(entries)} kustomizations, {docs} documents, {errors} errors in {result.seconds:.2f} s"
    )
    return "\n".join(lines)
