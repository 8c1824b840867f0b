"""One validation run: render every kustomization once, check every object as the API server would, then the rules.

Per object, in the API server's order: the schema (decoding and strict field
validation; for custom resources then their CEL rules), and only when the
schema accepts it, the built-in validation of apiserver/ (names, labels,
quantities, pod specs, ...). Policy rules then run over every render at once.

`run()` is what `python -m gitops.validate` reports on; `check_rendered()` is the
validator's verdict on a single render, which promotion runs before it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gitops.argocd import applicationset
from gitops.core import yamlio
from gitops.core.documents import Document
from gitops.core.findings import ERROR, Finding
from gitops.core.kustomize import Rendered, RenderError
from gitops.core.renders import Renders
from gitops.validate import apiserver, discover, policy, report
from gitops.validate.schemas import store, unchecked
from gitops.validate.schemas.check import check as schema_check
from gitops.validate.schemas.lookup import SchemaIndex, local_crds

# A pass after the schema pass: every render at once, and the run's context.
RulePass = Callable[[dict[str, list[Document]], policy.Context], list[Finding]]


def policy_pass(rendered: dict[str, list[Document]], context: policy.Context) -> list[Finding]:
    """The policy and cross-reference rules, over every render at once."""
    return policy.run(rendered, context)


def default_rule_passes() -> list[RulePass]:
    return [policy_pass]


class InternalError(Exception):
    """A check failed on an input in a way no check expects: a bug, reported as one line naming the input."""


def schema_index(repo: Path) -> SchemaIndex:
    """The offline schema store, built (or checked fresh) once per process."""
    root = store.default_root(repo)
    return SchemaIndex(root, store.ensure(root, repo), unchecked.load())


def check_objects(docs: list[Document], index: SchemaIndex) -> list[Finding]:
    """Every object of one render against its schema, its CRD's rules and the API server's own validation."""
    local = local_crds([(d.index, d.body) for d in docs if isinstance(d.body, dict)])
    findings: list[Finding] = []
    for doc in docs:
        try:
            found = schema_check(doc, index, local)
            if not found:  # the API server validates only what it could decode
                found = apiserver.check(doc)
        except Exception as err:  # noqa: BLE001 - any bug becomes one line naming the input, exit 2
            raise InternalError(f"{doc.source}: {doc.resource}: {type(err).__name__}: {err}") from err
        findings.extend(found)
    return findings


def _render(renders: Renders, directory: Path) -> tuple[str, str | None, list[Finding]]:
    source = renders.source(directory)
    result = renders.get(source)
    if isinstance(result, RenderError):
        return source, None, [Finding(source, "kustomization.yaml", "", result.cause, result.fix, rule="render")]
    warned = [Finding(source, "kustomization.yaml", "", m, f, rule="render") for m, f in result.warnings]
    return source, result.text, warned


def documents(source: str, text: str) -> tuple[list[Document], list[Finding]]:
    """The objects of one render, with a finding per document that does not parse and per duplicate."""
    bodies, parse_errors = yamlio.load_documents(text)
    findings = [
        Finding(
            source, f"document {e.index}", "", f"cannot parse YAML: {e.message}", "fix the YAML syntax", rule="parse"
        )
        for e in parse_errors
    ]
    docs = [Document(source, i, b if isinstance(b, dict) else {"": b}) for i, b in enumerate(bodies)]
    first: dict[tuple[str, str, str, str], Document] = {}
    for doc in docs:
        if doc.identity in first:
            findings.append(
                Finding(
                    source,
                    doc.resource,
                    "",
                    f"duplicate object (also document {first[doc.identity].index})",
                    "remove one of them or give them different names",
                    rule="duplicate",
                )
            )
        first.setdefault(doc.identity, doc)
    return docs, findings


def generated(docs: list[Document], repo: Path) -> tuple[list[Document], list[Finding]]:
    """The Applications the render's ApplicationSets generate, as Argo CD would, so every Application
    rule sees them; an ApplicationSet that cannot be expanded is a finding on it."""
    out: list[Document] = []
    findings: list[Finding] = []
    for doc in [d for d in docs if d.kind == "ApplicationSet"]:
        try:
            apps = applicationset.expand(doc.body, repo)
        except applicationset.ExpansionError as err:
            findings.append(Finding(doc.source, doc.resource, err.path, err.message, err.fix, rule="applicationset"))
            continue
        out += [Document(doc.source, len(docs) + len(out) + i, app) for i, app in enumerate(apps)]
    return out, findings


def _write_rendered(out: Path, source: str, text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / (source.replace("/", "__") + ".yaml")).write_text(text)


def run(
    context: policy.Context,
    dirs: list[Path],
    index: SchemaIndex,
    jobs: int,
    rule_passes: list[RulePass],
    write_rendered: Path | None = None,
    whole_repo: bool = False,
) -> report.Report:
    """Render `dirs` through the context's Renders, check every object, then run `rule_passes`."""
    result = report.Report()
    rendered: dict[str, list[Document]] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for source, text, render_findings in pool.map(lambda d: _render(context.renders, d), dirs):
            entry = result.add(source)
            entry.findings.extend(render_findings)
            if text is None:
                continue
            if write_rendered:
                _write_rendered(write_rendered, source, text)
            docs, findings = documents(source, text)
            entry.documents = len(docs)
            entry.findings.extend(findings)
            entry.findings.extend(check_objects(docs, index))
            apps, findings = generated(docs, context.root)
            entry.findings.extend(findings)
            # Checked like rendered ones: the ApplicationSet controller applies them.
            entry.findings.extend(check_objects(apps, index))
            rendered[source] = docs + apps
    for rule_pass in rule_passes:
        try:
            found = rule_pass(rendered, context)
        except Exception as err:  # noqa: BLE001 - a rule's bug is one line, exit 2, not a traceback
            name = getattr(rule_pass, "__name__", "rule pass")
            raise InternalError(f"{name}: {type(err).__name__}: {err}") from err
        for finding in found:
            result.add(finding.source).findings.append(finding)
    for component in discover.untested_components(context.root, dirs) if whole_repo else []:
        source = context.renders.source(component)
        result.add(source).findings.append(
            Finding(
                source,
                "-",
                "",
                "component is not built by any overlay or test overlay",
                "include it from a test overlay under k8s/components/tests/",
                rule="render",
            )
        )
    return result


def check_rendered(rendered: Rendered, repo: Path, platform: str = "") -> list[str]:
    """The validator's verdict on one render (schemas and per-overlay rules): one line per open error.
    `platform` "demo" judges it for `make demo`'s platform (policy.Context.load)."""
    docs, findings = documents(rendered.source, rendered.text)
    findings.extend(check_objects(docs, schema_index(repo)))
    context = policy.Context.load(repo, platform=platform)
    findings.extend(policy.run({rendered.source: docs}, context, only=policy.ids("overlay")))
    return [f.line() for f in findings if f.severity == ERROR and not f.waived_by]
