"""What `argo submit --from workflowtemplate/...` refuses, with the server's message
(workflow/validate/validate.go ValidateWorkflow with ValidateOpts{Submit: true})."""

from __future__ import annotations

import copy

import pytest

from gitops.argo import submit

OK = {"name": "ok", "container": {"image": "busybox", "command": ["true"]}}
ECHO = {"name": "echo", "inputs": {"parameters": [{"name": "v"}]}, "container": {"image": "busybox"}}
BASE = {
    "entrypoint": "main",
    "arguments": {"parameters": [{"name": "env", "value": "dev"}]},
    "templates": [
        {
            "name": "main",
            "dag": {"tasks": [{"name": "A", "template": "ok"}, {"name": "B", "template": "ok", "depends": "A"}]},
        },
        OK,
        ECHO,
    ],
}


def problem(change) -> str | None:
    spec = copy.deepcopy(BASE)
    change(spec)
    owner = submit.Owner("wft", spec)
    return submit.problem(owner, {}, lambda name: owner if name == "wft" else None)


def tasks(spec):
    return spec["templates"][0]["dag"]["tasks"]


CASES = {
    "valid": (lambda s: None, None),
    "no-entrypoint": (lambda s: s.pop("entrypoint"), "spec.entrypoint is required"),
    "entrypoint-undefined": (
        lambda s: s.update(entrypoint="nope"),
        "template reference wft.nope not found",
    ),
    "template-undefined": (
        lambda s: tasks(s)[0].update(template="nope"),
        "templates.main.tasks.A template name 'nope' undefined",
    ),
    "unknown-dependency": (
        lambda s: tasks(s)[1].update(depends="C"),
        "templates.main sorting failed: invalid dependency C",
    ),
    "cycle": (
        lambda s: tasks(s)[0].update(depends="B"),
        "templates.main sorting failed: graph with cycle",
    ),
    "depends-and-dependencies": (
        lambda s: tasks(s).append({"name": "C", "template": "ok", "dependencies": ["A"]}),
        "templates.main cannot use both 'depends' and 'dependencies' in the same DAG template",
    ),
    "continue-on-with-depends": (
        lambda s: tasks(s)[0].update(continueOn={"failed": True}),
        "templates.main cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
    ),
    "invalid-result": (
        lambda s: tasks(s)[1].update(depends="A.Successful"),
        "templates.main.tasks.B task result 'Successful' for task 'A' is invalid",
    ),
    "items-result-without-items": (
        lambda s: tasks(s)[1].update(depends="A.AnySucceeded"),
        "templates.main.tasks.A dependency 'A' uses an items-based condition such as .AnySucceeded or .AllFailed "
        "but does not contain any items",
    ),
    "input-not-supplied": (
        lambda s: tasks(s)[1].update(template="echo"),
        "templates.main.tasks.B templates.echo inputs.parameters.v was not supplied",
    ),
    "argument-without-value": (
        lambda s: tasks(s)[1].update(template="echo", arguments={"parameters": [{"name": "v"}]}),
        "templates.main.tasks.B.arguments.v.value or templates.main.tasks.B.arguments.v.valueFrom is required",
    ),
    "unresolved-global": (
        lambda s: s["templates"][1]["container"].update(args=["{{workflow.parameters.nope}}"]),
        "templates.main.tasks.A templates.ok: failed to resolve {{workflow.parameters.nope}}",
    ),
    "timeout-integer": (
        lambda s: s["templates"][1].update(timeout="30"),
        "templates.main.tasks.A ok has invalid duration format in timeout",
    ),
    "deadline-on-dag": (
        lambda s: s["templates"][0].update(activeDeadlineSeconds=5),
        "templates.main.activeDeadlineSeconds is only valid for leaf templates",
    ),
    "bad-retry-policy": (
        lambda s: s["templates"][1].update(retryStrategy={"retryPolicy": "Sometimes"}),
        "templates.main.tasks.A Sometimes is not a valid RetryPolicy",
    ),
    "hook-without-expression": (
        lambda s: s.update(hooks={"running": {"template": "ok"}}),
        "hooks.running Expression required",
    ),
    "bad-pod-gc": (
        lambda s: s.update(podGC={"strategy": "Never"}),
        "podGC.strategy unknown strategy 'Never'",
    ),
    "empty-image": (
        lambda s: s["templates"][1]["container"].update(image=""),
        "templates.main.tasks.A templates.ok.container.image may not be empty",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_submit_refusals(case):
    change, message = CASES[case]
    assert problem(change) == message
