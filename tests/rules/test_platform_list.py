"""The platform list is reviewed: every entry needs a kind, a name and a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.validate.policy.context import PLATFORM_FILE
from gitops.validate.policy.platform import PlatformListError, load_platform_objects

REPO = Path(__file__).resolve().parents[2]


def test_entry_without_reason_is_an_error(tmp_path):
    path = tmp_path / "platform-objects.yaml"
    path.write_text("objects:\n  - {kind: ServiceAccount, name: argo-workflow}\n")
    with pytest.raises(PlatformListError) as err:
        load_platform_objects(path, PLATFORM_FILE)
    assert str(err.value) == "policy/platform-objects.yaml: objects[0]: missing reason (every entry says why)"


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(PlatformListError) as err:
        load_platform_objects(tmp_path / "absent.yaml", PLATFORM_FILE)
    assert str(err.value) == "policy/platform-objects.yaml: expected a mapping with an `objects:` list"


def test_repo_platform_list_loads():
    platform = load_platform_objects(REPO / PLATFORM_FILE, PLATFORM_FILE)
    assert not platform.has("ServiceAccount", "argo-workflow", "iris-dev")  # every workflow runs under its own account
    assert platform.has("ClusterSecretStore", "platform-secrets")
