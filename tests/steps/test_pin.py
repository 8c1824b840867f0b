"""The pin in a model folder's kustomization: read, rewritten in place, and refused when it is not one."""

from __future__ import annotations

import pytest

from mlpipeline import pin
from tests.conftest import REPO

FOLDER = (REPO / "k8s/overlays/dev/iris/kustomization.yaml").read_text()
V4 = pin.Pin("iris", "4", "1.2.0", "s3://mlflow/1/m-4/artifacts", "r4", "true", "0.97", "0.96", "3")


def test_the_repo_folder_pins_nothing_until_the_first_deploy():
    assert pin.parse(FOLDER, "k8s/overlays/dev/iris/kustomization.yaml") is None


def test_writing_a_pin_changes_only_its_literals():
    written = pin.with_pin(FOLDER, V4, "x")
    assert pin.parse(written, "x") == V4
    before, after = FOLDER.splitlines(), written.splitlines()
    assert after[: len(before) - 1] == before[:-1]  # every line above the literals, comments included
    assert after[len(before) - 1 :] == [f"  - {k}={v}" for k, v in vars(V4).items()]


def test_an_empty_value_stays_empty():
    blank = pin.Pin(**{**vars(V4), "championVersion": ""})
    assert "  - championVersion=\n" in pin.with_pin(FOLDER, blank, "x")
    assert pin.parse(pin.with_pin(FOLDER, blank, "x"), "x") == blank


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("kind: Component\n", "not a kustomization", id="not-a-kustomization"),
        pytest.param(
            "kind: Kustomization\nconfigMapGenerator: [{name: other}]\n",
            "has 0 configMapGenerator entries named model-pin, not one",
            id="no-pin",
        ),
        pytest.param(
            "kind: Kustomization\nconfigMapGenerator: [{name: model-pin, literals: [version=4]}]\n",
            'pin literal "version=4" is not one of modelName, modelVersion, semver, storageUri, runId, '
            "validationPassed, accuracy, f1Macro, championVersion=<value>",
            id="unknown-key",
        ),
        pytest.param(
            "kind: Kustomization\nconfigMapGenerator: [{name: model-pin, literals: {modelVersion: 4}}]\n",
            "configMapGenerator model-pin: literals is not a list of key=value strings",
            id="literals-not-a-list",
        ),
    ],
)
def test_what_is_not_a_pin_is_refused_with_the_file_and_the_fix(text, message):
    with pytest.raises(pin.PinError) as err:
        pin.parse(text, "k8s/overlays/dev/iris/kustomization.yaml")
    assert err.value.line("deploy") == (
        f"deploy: k8s/overlays/dev/iris/kustomization.yaml: {message} "
        "(fix: restore the file from git history (docs/promotion.md shows the pin's shape))"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            "kind: [Kustomization\n",
            "not valid YAML: line 2 column 1: expected ',' or ']', but got '<stream end>' "
            "(fix: close the [ list with ']' (or quote a value that starts with '['))",
            id="unclosed-list",
        ),
        pytest.param(
            "kind: Kustomization\nconfigMapGenerator:\n- name: model-pin\n  literals:\n  - modelName=iris\n"
            "   - modelVersion: 4\n",
            "not valid YAML: line 6 column 18: mapping values are not allowed here "
            "(fix: quote a value that contains ': ', or align the key with the keys beside it)",
            id="misindented-literal",
        ),
        pytest.param(
            "kind: Kustomization\n\tconfigMapGenerator: []\n",
            "not valid YAML: line 2 column 1: found character '\\t' that cannot start any token "
            "(fix: indent with spaces, not tabs, and quote a value starting with '@' or '`')",
            id="tab",
        ),
    ],
)
def test_a_pin_file_that_is_not_yaml_names_the_line_and_a_real_fix(text, line):
    with pytest.raises(pin.PinError) as err:
        pin.parse(text, "k8s/overlays/dev/iris/kustomization.yaml")
    assert err.value.line("promote") == f"promote: k8s/overlays/dev/iris/kustomization.yaml: {line}"
