"""Argo CD's kustomize source options, offline, follow argoproj/argo-cd v3.5.1 (files cited per test)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitops.argocd import buildenv

REVISION = "f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8"


def app(kustomize: dict | None = None) -> dict:
    source = {"repoURL": "https://example.org/r.git", "targetRevision": "main", "path": "apps/a"}
    if kustomize is not None:
        source["kustomize"] = kustomize
    return {
        "metadata": {"name": "a-dev", "namespace": "argocd"},
        "spec": {"project": "models", "source": source, "destination": {"namespace": "ml-dev"}},
    }


def test_the_build_environment_is_the_repo_server_s():
    """reposerver/repository/repository.go newEnv; docs/user-guide/build-environment.md."""
    assert buildenv.environment(app(), REVISION) == {
        "ARGOCD_APP_NAME": "a-dev",
        "ARGOCD_APP_NAMESPACE": "ml-dev",
        "ARGOCD_APP_PROJECT_NAME": "models",
        "ARGOCD_APP_REVISION": REVISION,
        "ARGOCD_APP_REVISION_SHORT": "f913b6c",
        "ARGOCD_APP_REVISION_SHORT_8": "f913b6cb",
        "ARGOCD_APP_SOURCE_REPO_URL": "https://example.org/r.git",
        "ARGOCD_APP_SOURCE_PATH": "apps/a",
        "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
    }


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("${ARGOCD_APP_REVISION}", REVISION),
        ("$ARGOCD_APP_REVISION_SHORT-x", "f913b6c-x"),
        ("$$ARGOCD_APP_NAME", "$ARGOCD_APP_NAME"),  # `$$` escapes: Argo maps the special name `$` to `$`
        ("${UNKNOWN}", ""),  # an unknown name is empty, never left as written
        ("${}x", "x"),  # bad syntax is eaten
        ("${ARGOCD_APP_NAME", "ARGOCD_APP_NAME"),  # an unclosed `${` loses the `${` only
        ("a$/b", "a$/b"),  # `$` before no name stays
        ("cost $", "cost $"),  # a trailing `$` stays
        ("$1x", "x"),  # `$1` is a special name, unknown here
    ],
)
def test_envsubst_is_go_s_os_expand_with_dollar_dollar(text, expanded):
    """pkg/apis/application/v1alpha1/types.go Env.Envsubst over Go's os/env.go Expand, getShellName."""
    assert buildenv.envsubst(text, buildenv.environment(app(), REVISION)) == expanded


def test_common_annotations_are_substituted_only_with_common_annotations_envsubst():
    """util/kustomize/kustomize.go Build: commonAnnotations values go through Envsubst only when
    commonAnnotationsEnvsubst is true (commonLabels always do; they are not modelled here)."""
    annotations = {"x/rev": "${ARGOCD_APP_REVISION}"}
    assert buildenv.common_annotations(app({"commonAnnotations": annotations}), REVISION) == annotations
    substituted = app({"commonAnnotations": annotations, "commonAnnotationsEnvsubst": True})
    assert buildenv.common_annotations(substituted, REVISION) == {"x/rev": REVISION}


def test_an_option_not_modelled_is_refused_by_name():
    with pytest.raises(buildenv.SourceError) as err:
        buildenv.common_annotations(app({"namePrefix": "p-"}), REVISION)
    assert str(err.value) == (
        "Application/a-dev spec.source.kustomize.namePrefix: is not modelled offline (only commonAnnotations is) "
        "(fix: model it in gitops.argocd.buildenv before the local sync uses it)"
    )


def folder(tmp_path: Path, kustomization: dict) -> Path:
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return tmp_path


def test_prepare_writes_the_annotations_where_kustomize_edit_add_annotation_does(tmp_path):
    """kustomize.go runs `kustomize edit add annotation k:v` in the source folder; kustomize v5.8.1
    commands/edit/add/addmetadata.go addAnnotations writes them to the kustomization's commonAnnotations."""
    where = folder(tmp_path, {"resources": ["a.yaml"], "commonAnnotations": {"team": "ml"}})
    source = app({"commonAnnotations": {"x/rev": "${ARGOCD_APP_REVISION}"}, "commonAnnotationsEnvsubst": True})
    assert buildenv.prepare(where, source, REVISION) == {"x/rev": REVISION}
    written = yaml.safe_load((where / "kustomization.yaml").read_text())
    assert written["commonAnnotations"] == {"team": "ml", "x/rev": REVISION}


def test_a_key_already_in_the_kustomization_fails_as_kustomize_edit_does_unless_forced(tmp_path):
    """addmetadata.go writeToMap: an existing key is an error without --force (forceCommonAnnotations)."""
    where = folder(tmp_path, {"commonAnnotations": {"x/rev": "old"}})
    with pytest.raises(buildenv.SourceError) as err:
        buildenv.prepare(where, app({"commonAnnotations": {"x/rev": "new"}}), REVISION)
    assert str(err.value) == (
        "kustomization.yaml commonAnnotations.x/rev: already set, so Argo CD's `kustomize edit add annotation` for "
        "Application/a-dev fails (fix: remove it from the kustomization, or set forceCommonAnnotations)"
    )
    buildenv.prepare(where, app({"commonAnnotations": {"x/rev": "new"}, "forceCommonAnnotations": True}), REVISION)
    assert yaml.safe_load((where / "kustomization.yaml").read_text())["commonAnnotations"] == {"x/rev": "new"}


def test_without_common_annotations_the_kustomization_is_left_alone(tmp_path):
    where = folder(tmp_path, {"resources": ["a.yaml"]})
    before = (where / "kustomization.yaml").read_text()
    assert buildenv.prepare(where, app(), REVISION) == {}
    assert (where / "kustomization.yaml").read_text() == before
