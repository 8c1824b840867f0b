"""Reference scopes: what validate.go accepts at submit, and what the controller can resolve at run time.

Submit: workflow/validate/validate.go resolveAllVariables, validateDAG (every
task's outputs, tasks.X.status for ancestors only), validateSteps (earlier
steps in document order). Run time: workflow/controller/dag.go
buildLocalScopeFromTask (ancestors only), steps.go (earlier groups only).
"""

from __future__ import annotations

from gitops.argo import scope

OK = {"container": {"image": "x"}, "outputs": {"parameters": [{"name": "p", "valueFrom": {"path": "/tmp/p"}}]}}
DAG = {
    "name": "main",
    "inputs": {"parameters": [{"name": "x"}]},
    "dag": {
        "tasks": [
            {"name": "A", "template": "ok"},
            {"name": "B", "template": "ok"},
            {"name": "C", "template": "ok", "dependencies": ["A"], "withParam": "[]"},
        ]
    },
}
STEPS = {"name": "s", "steps": [[{"name": "a", "template": "ok"}, {"name": "b", "template": "ok"}], [{"name": "c"}]]}


def model(workflow_template: bool = False) -> scope.Model:
    globals_ = scope.globals_({}, [{"name": "env", "value": "dev"}])
    return scope.Model(globals_, lambda call: OK, workflow_template)


def test_a_dependency_output_resolves_everywhere():
    assert model().resolves("tasks.A.outputs.parameters.p", DAG, "C") == scope.Resolution(True, True)


def test_a_non_dependency_output_passes_submit_but_never_resolves_at_run_time():
    found = model().resolves("tasks.B.outputs.parameters.p", DAG, "C")
    assert (found.submit, found.run) == (True, False)
    assert found.why == (
        "B is not among the tasks C depends on: at run time a task sees only its dependencies' outputs "
        "(dag.go buildLocalScopeFromTask), so Argo never starts C"
    )


def test_status_is_in_scope_for_ancestors_only():
    assert model().resolves("tasks.A.status", DAG, "C").submit
    assert model().resolves("tasks.B.status", DAG, "C") == scope.Resolution(
        False, False, "failed to resolve {{tasks.B.status}}"
    )


def test_inputs_globals_items_and_unchecked_prefixes():
    m = model()
    assert m.resolves("inputs.parameters.x", DAG).submit
    assert not m.resolves("inputs.parameters.y", DAG).submit
    assert m.resolves("workflow.parameters.env", DAG).submit
    assert not m.resolves("workflow.parameters.other", DAG).submit
    assert m.resolves("item.anything", DAG, "C").submit  # withParam: any item.* may resolve
    assert m.resolves("foo", DAG).submit  # not a checked prefix: Argo leaves it as text
    assert m.resolves("workflow.creationTimestamp.Y", DAG).submit


def test_a_workflow_template_alone_accepts_any_workflow_parameter():
    assert model(workflow_template=True).resolves("workflow.parameters.other", DAG).submit


def test_pod_name_is_for_pod_templates_only():
    assert model().resolves("pod.name", OK).submit
    assert not model().resolves("pod.name", DAG).submit


def test_steps_see_earlier_steps_at_submit_and_earlier_groups_at_run_time():
    m = model()
    assert m.resolves("steps.a.outputs.parameters.p", STEPS, "b").submit
    same = m.resolves("steps.a.outputs.parameters.p", STEPS, "b")
    assert (same.submit, same.run) == (True, False)
    assert not m.resolves("steps.b.outputs.parameters.p", STEPS, "a").submit  # later in document order
    assert m.resolves("steps.a.outputs.parameters.p", STEPS, "c") == scope.Resolution(True, True)


def test_aggregates_exist_only_for_loops():
    names = scope.output_names("tasks.C", OK, aggregate=True, ancestor=False)
    assert "tasks.C.outputs.parameters" in names and "tasks.C.outputs.result" in names
    assert "tasks.A.outputs.parameters" not in scope.output_names("tasks.A", OK, aggregate=False, ancestor=False)
