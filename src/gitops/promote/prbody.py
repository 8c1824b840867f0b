"""What a reviewer reads: links into MLflow, and the candidate beside what the target environment serves.

Every value comes from the registry (gate.Facts) or the pins; what the
registry does not hold is said to be missing, never filled in.
"""

from __future__ import annotations

from gitops.promote.gate import Facts
from mlpipeline.config import ENV_ALIAS


class Links:
    """MLflow UI addresses: the tracking server's own UI, or a local `mlflow ui` over the demo's SQLite."""

    def __init__(self, tracking_uri: str, ui_url: str = ""):
        if ui_url:
            self.base, self.how = ui_url.rstrip("/"), ""
        elif tracking_uri.startswith(("http://", "https://")):
            self.base, self.how = tracking_uri.rstrip("/"), ""
        else:  # SQLite has no UI of its own; these links work once `mlflow ui` serves it on its default port
            self.base = "http://127.0.0.1:5000"
            self.how = f"open after `.venv/bin/mlflow ui --backend-store-uri {tracking_uri}`"

    def run(self, facts: Facts) -> str:
        return f"{self.base}/#/experiments/{facts.experiment_id}/runs/{facts.run_id}"

    def version(self, facts: Facts) -> str:
        return f"{self.base}/#/models/{facts.name}/versions/{facts.version}"


def seen_line(facts: Facts, environment: str) -> str:
    """`dev since <time>: probe accuracy 0.9667, 14.2 ms, commit 1a2b3c4d5e6f` from the audit tags (and the commit's
    author and committer when the check could read them). The committer is not who merged: a merge on GitHub is
    committed by GitHub itself; the pull request's merged_by names the person."""
    seen = facts.seen.get(environment)
    if not seen:
        return f"not seen serving in {environment}"
    parts = [f"probe accuracy {_fixed(seen.get('probe_accuracy', ''))}"]
    if seen.get("probe_latency_seconds"):
        parts.append(f"{1000 * float(seen['probe_latency_seconds']):.1f} ms")
    if seen.get("git_commit"):
        parts.append(f"commit {seen['git_commit'][:12]}")
    for field in ("author", "committer"):
        if seen.get(f"git_{field}"):
            parts.append(f"{field} {seen[f'git_{field}']}")
    return f"{environment} since {seen.get('verified_at', '?')}: {', '.join(parts)}"


def registry_lines(facts: Facts | None, source: str, links: Links, bypassed: str) -> list[str]:
    """The commit body's registry block: what the gate saw, or that it was bypassed and why."""
    if facts is None:
        return [f"Registry gate bypassed: {bypassed}"]
    lines = [
        f"Seen serving: alias {ENV_ALIAS[source]} at version {facts.version}; {seen_line(facts, source)}",
        f"MLflow run: {links.run(facts)}",
        f"MLflow model version: {links.version(facts)}",
    ]
    if bypassed:
        lines.append(f"Registry gate bypassed: {bypassed}")
    return lines + ([f"(links: {links.how})"] if links.how else [])


def comparison(
    candidate: Facts | None, target: str, served: Facts | None, served_pin_version: str, links: Links
) -> str:
    """A markdown table: the candidate beside the version the target environment's pin names."""
    if candidate is None:
        return (
            "_No comparison: the registry did not describe this version (unreachable, or it has no such version; "
            "the gate was bypassed)._\n"
        )
    if not served_pin_version:
        right, served = f"{target} serves: nothing yet", None
    elif served is None:
        right = f"{target} pins version {served_pin_version} (not in the registry)"
    else:
        right = f"{target} serves: {served.name} version {served.version}"
    rows = [
        ("semver", lambda f: f.semver or "none"),
        ("holdout accuracy", lambda f: _fixed(f.accuracy)),
        ("macro F1", lambda f: _fixed(f.f1_macro)),
        ("validation", _validation),
        ("seen serving", lambda f: "; ".join(seen_line(f, env) for env in sorted(f.seen)) or "never"),
        ("trained", lambda f: f"{f.trained_at}, data sha256 {f.data_sha256[:12] or 'not recorded'}"),
        ("MLflow", lambda f: f"[run]({links.run(f)}) · [version {f.version}]({links.version(f)})"),
    ]
    out = [
        f"| | candidate: {candidate.name} version {candidate.version} | {right} |",
        "|---|---|---|",
    ]
    for label, value in rows:
        out.append(f"| {label} | {value(candidate)} | {value(served) if served else '—'} |")
    return "\n".join(out) + "\n"


def _validation(facts: Facts) -> str:
    verdict = {"true": "passed", "false": "failed"}.get(facts.validation_passed, "no verdict recorded")
    t = facts.thresholds
    if not t:
        return f"{verdict} (thresholds not recorded)"
    champion = t.get("champion_version", "none")
    against = f"within {t.get('champion_tolerance')} of champion version {champion}" if champion != "none" else ""
    floors = f"accuracy >= {t.get('accuracy_floor')}, every class F1 >= {t.get('f1_floor')}"
    return f"{verdict}: {floors}" + (f", {against}" if against else ", no champion")


def _fixed(text: str) -> str:
    try:
        return f"{float(text):.4f}"
    except ValueError:
        return text or "not recorded"
