"""The validator's extension points: rule passes, the reviewed unchecked list, component coverage."""

from __future__ import annotations

import textwrap
from pathlib import Path

from gitops.core.findings import Finding
from gitops.validate import cli as validate
from gitops.validate import discover, run
from gitops.validate.schemas import unchecked

GOOD = "tests/fixtures/validate/good/overlay"


def test_rule_pass_findings_fail_the_run_and_are_counted(repo, schema_index, capsys):
    def no_nginx(rendered, repo_root):
        return [
            Finding(
                d.source, d.resource, "spec", "nginx is not allowed here", "use the approved image", rule="no-nginx"
            )
            for docs in rendered.values()
            for d in docs
            if d.kind == "Deployment"
        ]

    assert validate.main([GOOD, "--repo", str(repo)], rule_passes=[no_nginx]) == 1
    out = capsys.readouterr().out
    assert (
        f"{GOOD}: Deployment/demo/web spec: nginx is not allowed here [no-nginx] (fix: use the approved image)" in out
    )
    assert "FAILED: 1 kustomizations, 2 documents, 1 errors" in out


def test_waived_findings_are_listed_but_do_not_fail(repo, schema_index, capsys):
    def waived(rendered, repo_root):
        return [Finding(GOOD, "Deployment/demo/web", "", "x", rule="r", waived_by="tracked in #12")]

    assert validate.main([GOOD, "--repo", str(repo)], rule_passes=[waived]) == 0
    assert f"  {GOOD}: Deployment/demo/web: x [r] -- waived: tracked in #12" in capsys.readouterr().out


def test_listed_kind_without_schema_passes(repo, schema_index, monkeypatch):
    schema_index.unchecked[("example.com/v1", "Widget")] = "vendor publishes no schema (test)"
    schema_index._lookups.clear()
    try:
        from gitops.core.documents import Document
        from gitops.validate.schemas import check as schemacheck

        doc = Document("x", 0, {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
        assert schemacheck.check(doc, schema_index) == []
    finally:
        del schema_index.unchecked[("example.com/v1", "Widget")]
        schema_index._lookups.clear()


def test_unchecked_entry_without_reason_is_rejected(tmp_path):
    listed = tmp_path / "unchecked-kinds.yaml"
    listed.write_text(
        textwrap.dedent("""\
        kinds:
          - apiVersion: example.com/v1
            kind: Widget
    """)
    )
    try:
        unchecked.load(listed)
    except unchecked.UncheckedListError as err:
        assert str(err) == f"{listed}: kinds[0]: every entry needs apiVersion, kind and a non-empty reason"
    else:
        raise AssertionError("an entry without a reason must be rejected")


def test_component_no_overlay_builds_is_reported(tmp_path):
    components = tmp_path / "k8s" / "components" / "extra"
    components.mkdir(parents=True)
    (components / "kustomization.yaml").write_text("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n")
    assert discover.untested_components(tmp_path, []) == [components]
    overlay = tmp_path / "k8s" / "components" / "tests" / "all"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text("kind: Kustomization\ncomponents:\n  - ../../extra\n")
    assert discover.kustomizations(tmp_path) == [overlay]
    assert discover.untested_components(tmp_path, [overlay]) == []


def test_promotion_check_reports_schema_and_rule_errors_in_a_render(repo, schema_index):
    from gitops.core.kustomize import Rendered, build

    text = (
        Path(__file__).resolve().parents[1] / "fixtures" / "validate" / "misspelled-field" / "deployment.yaml"
    ).read_text()
    problems = run.check_rendered(Rendered("k8s/overlays/staging/iris", text), repo)
    assert problems[0] == (
        "k8s/overlays/staging/iris: Deployment/-/web spec.replica: "
        'unknown field "replica" (fix: did you mean "replicas"?)'
    )
    assert any(p.endswith("(fix: set runAsNonRoot: true (pod or container securityContext))") for p in problems)
    assert run.check_rendered(build(repo / "k8s" / "overlays" / "staging" / "iris", repo), repo) == []


def test_json_lists_every_rule_with_its_counts(repo, schema_index, capsys):
    import json

    from gitops.validate import policy

    assert validate.main(["--format", "json", "--repo", str(repo)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["rules"]) == policy.ids()
    assert data["rules"]["appproject-scope"] == {"open": 0, "waived": 1}
