"""Waivers are visible: a reasoned waiver marks its findings, an unreasoned one waives nothing."""

from __future__ import annotations

from gitops.core.documents import Document
from gitops.validate import policy

SOURCE = "k8s/overlays/dev"


def config_map(annotations: dict[str, str]) -> Document:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "legacy", "namespace": "iris-dev", "annotations": annotations},
        "data": {"API_TOKEN_HEADER": "X-Api-Token"},
    }
    return Document(SOURCE, 0, body)


def test_waiver_with_a_reason_is_listed_as_waived(context):
    reason = "a header name, not a token"
    doc = config_map({"waivers.iris-gitops.io/configmap-secret-keys": reason})
    findings = policy.run({SOURCE: [doc]}, context, only=["configmap-secret-keys", "waiver-reason"])
    assert [(f.line(), f.waived_by) for f in findings] == [
        (
            "k8s/overlays/dev: ConfigMap/iris-dev/legacy data.API_TOKEN_HEADER: key looks like a credential "
            "[configmap-secret-keys] (fix: move it to a Secret created by an ExternalSecret)",
            reason,
        )
    ]
    assert policy.counts(findings)["configmap-secret-keys"] == policy.RuleCount(open=0, waived=1)


def test_waiver_without_a_reason_is_a_finding_and_waives_nothing(context):
    doc = config_map({"waivers.iris-gitops.io/configmap-secret-keys": "  "})
    findings = policy.run({SOURCE: [doc]}, context, only=["configmap-secret-keys", "waiver-reason"])
    assert [(f.line(), f.waived_by) for f in findings] == [
        (
            "k8s/overlays/dev: ConfigMap/iris-dev/legacy data.API_TOKEN_HEADER: key looks like a credential "
            "[configmap-secret-keys] (fix: move it to a Secret created by an ExternalSecret)",
            "",
        ),
        (
            "k8s/overlays/dev: ConfigMap/iris-dev/legacy "
            "metadata.annotations.waivers.iris-gitops.io/configmap-secret-keys: waiver has no reason, so it "
            "waives nothing [waiver-reason] (fix: say why the rule does not apply to this object)",
            "",
        ),
    ]
    assert policy.counts(findings)["waiver-reason"] == policy.RuleCount(open=1, waived=0)


def test_waiver_covers_only_its_own_rule(context):
    doc = config_map({"waivers.iris-gitops.io/secret-in-git": "unrelated rule"})
    findings = policy.run({SOURCE: [doc]}, context, only=["configmap-secret-keys"])
    assert [f.waived_by for f in findings] == [""]
