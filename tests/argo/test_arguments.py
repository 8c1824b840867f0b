"""Workflow arguments: submit refusals (workflow/validate/validate.go validateArgumentsValues) and values
(workflow/controller/operator.go setGlobalParameters, workflow/common/configmap.go GetConfigMapValue)."""

from __future__ import annotations

import pytest

from gitops.argo import arguments

LABELLED = {"metadata": {"labels": {arguments.LABEL: "Parameter"}}, "data": {"env": "dev"}}
WRONG_LABEL = {"metadata": {"labels": {arguments.LABEL: "Other"}}, "data": {"env": "dev"}}
UNLABELLED = {"metadata": {}, "data": {"env": "dev"}}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([{"name": "x", "default": "1"}], "spec.arguments.x.value or spec.arguments.x.valueFrom is required"),
        (
            [{"name": "x", "valueFrom": {"default": "1"}}],
            "spec.arguments.x.valueFrom only allows: default, configMapKeyRef and supplied",
        ),
        (
            [{"name": "x", "valueFrom": {"path": "/p", "supplied": {}}}],
            "spec.arguments.x.valueFrom only allows: default, configMapKeyRef and supplied",
        ),
        ([{"name": "x", "value": "c", "enum": []}], "spec.arguments.x.enum should contain at least one value"),
        (
            [{"name": "x", "value": "c", "enum": ["a", "b"]}],
            "spec.arguments.x.value should be present in spec.arguments.x.enum list",
        ),
        ([{"name": "x", "valueFrom": {"supplied": {}}, "enum": ["a"]}], "spec.arguments.x.value is required"),
        ([{"name": "x", "value": 2, "enum": [1, 2]}], None),
    ],
)
def test_submit_refusals(params, message):
    assert arguments.submit_problem("spec.arguments.", params) == message


def test_overrides_come_first_and_merging_keeps_the_first():
    given = arguments.override([{"name": "a", "value": "1"}, {"name": "b", "value": "2"}], {"b": "3"})
    assert given == [{"name": "b", "value": "3"}, {"name": "a", "value": "1"}]
    assert arguments.merge([{"name": "a", "value": "x"}], [{"name": "a", "value": "y"}, {"name": "c"}]) == [
        {"name": "a", "value": "x"},
        {"name": "c"},
    ]


@pytest.mark.parametrize(
    ("maps", "key", "message", "not_found"),
    [
        (
            {"cfg": UNLABELLED},
            "env",
            "ConfigMap 'cfg' does not exist. Please make sure it has the label "
            "workflows.argoproj.io/configmap-type: Parameter to be detectable by the controller",
            True,
        ),
        (
            {"cfg": WRONG_LABEL},
            "env",
            "ConfigMap 'cfg' needs to have the label workflows.argoproj.io/configmap-type: "
            "Parameter to load parameters",
            False,
        ),
        ({"cfg": LABELLED}, "nope", "ConfigMap 'cfg' does not have the key 'nope'", True),
    ],
    ids=["unlabelled", "wrong-label", "missing-key"],
)
def test_configmap_lookups(maps, key, message, not_found):
    with pytest.raises(arguments.ConfigMapError) as err:
        arguments.configmap_value(maps, "cfg", key)
    assert (str(err.value), err.value.not_found) == (message, not_found)


def test_global_values_use_the_default_on_any_error_and_fail_without_one():
    ref = {"configMapKeyRef": {"name": "cfg", "key": "env"}}
    params = [{"name": "n", "value": 3}, {"name": "env", "valueFrom": {**ref, "default": "fallback"}}]
    assert arguments.global_values(params, {"cfg": WRONG_LABEL}) == {"n": "3", "env": "fallback"}
    assert arguments.global_values(params[1:], {"cfg": LABELLED}) == {"env": "dev"}
    with pytest.raises(arguments.GlobalParameterError) as err:
        arguments.global_values([{"name": "env", "valueFrom": ref}], {})
    assert str(err.value) == (
        "failed to set global parameters: failed to set global parameter env from configmap with name cfg and "
        "key env: ConfigMap 'cfg' does not exist. Please make sure it has the label "
        "workflows.argoproj.io/configmap-type: Parameter to be detectable by the controller"
    )
