"""`kustomize edit set image` semantics on a round-trip document."""

from __future__ import annotations

import pytest

from gitops.promote import roundtrip
from gitops.promote.images import ImageOverride, set_image

BEFORE = """\
images:
  # steps
  - name: ghcr.io/example-org/pipeline-steps
    newTag: "0.1.0"  # Renovate
  - name: seldonio/mlserver
    newName: registry.local/mlserver
    digest: sha256:aaa
"""


def edited(override: ImageOverride, before: str = BEFORE) -> str:
    document = roundtrip.load(before)
    set_image(document, override)
    return roundtrip.dump(document, like=before)


@pytest.mark.parametrize(
    ("override", "after"),
    [
        pytest.param(
            ImageOverride("ghcr.io/example-org/pipeline-steps", new_tag="0.2.0"),
            BEFORE.replace('"0.1.0"', '"0.2.0"'),
            id="tag-replaces-tag-keeping-quotes-and-comment",
        ),
        pytest.param(
            ImageOverride("seldonio/mlserver", new_tag="1.7.1"),
            BEFORE.replace("digest: sha256:aaa", "newTag: 1.7.1"),
            id="tag-drops-digest",
        ),
        pytest.param(
            ImageOverride("ghcr.io/example-org/pipeline-steps", digest="sha256:bbb"),
            BEFORE.replace(
                'newTag: "0.1.0"  # Renovate', "digest: sha256:bbb # Renovate"
            ),  # comment kept; ruamel keeps its column
            id="digest-drops-tag",
        ),
        pytest.param(
            ImageOverride("seldonio/mlserver", new_name="ghcr.io/mirror/mlserver"),
            BEFORE.replace("registry.local/mlserver", "ghcr.io/mirror/mlserver"),
            id="name-only-keeps-digest",
        ),
        pytest.param(
            ImageOverride("busybox", new_name="mirror/busybox", new_tag="1.37"),
            BEFORE.replace(
                "  - name: ghcr.io",
                "  - name: busybox\n    newName: mirror/busybox\n    newTag: '1.37'\n  - name: ghcr.io",
            ),
            id="new-entry-in-name-order",
        ),
    ],
)
def test_set_image(override, after):
    assert edited(override) == after


def test_a_kustomization_without_images_gets_the_list():
    before = "resources:\n- ../../base  # shared\n"
    assert (
        edited(ImageOverride("a", new_tag="1"), before)
        == "resources:\n- ../../base  # shared\nimages:\n- name: a\n  newTag: '1'\n"
    )
