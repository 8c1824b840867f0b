"""Every pod template we write meets the contract's security conventions."""
from __future__ import annotations

import pytest

from .pod_security import violations
from .rendering import COMPONENT_TESTS, OVERLAYS, documents

BUILDS = OVERLAYS + COMPONENT_TESTS


@pytest.mark.parametrize("overlay", BUILDS, ids=BUILDS)
def test_every_pod_template_meets_the_security_conventions(overlay):
    assert violations(overlay, documents(overlay)) == []


def test_a_writable_root_and_a_missing_tmp_are_reported():
    job = {"kind": "Job", "metadata": {"name": "probe"}, "spec": {"template": {"spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": "x:1", "env": [{"name": "HOME", "value": "/tmp"}],
                        "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1"}},
                        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
    }}}}
    assert violations("fixture", [job]) == [
        "fixture: Job/probe: spec.template.spec: container c: set securityContext.readOnlyRootFilesystem: true",
        "fixture: Job/probe: spec.template.spec: container c: mount an emptyDir at /tmp",
    ]
