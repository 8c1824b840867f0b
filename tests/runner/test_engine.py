"""The local runner follows Argo's semantics on a small pipeline of real processes."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
import yaml

from gitops.runner import local_pod, workflow
from gitops.runner.engine import RunnerError
from gitops.runner.nodes import LiveTree, render_tree

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "workflows.yaml"


@pytest.fixture
def docs():
    return list(yaml.safe_load_all(FIXTURE.read_text()))


def run(docs, kind, name, tmp_path, **overrides):
    cluster = local_pod.Cluster(workflow.config_maps(docs), {}, {})
    out = io.StringIO()
    root = workflow.run(docs, workflow.find(docs, kind, name, "fixture"), overrides, cluster, tmp_path, LiveTree(out))
    return root, out.getvalue()


def pod_log(run_dir, name):
    (log,) = run_dir.glob(f"pods/*-{name}/attempt-0/log.txt")
    return log


def phases(root):
    return {n.name: n.phase for n in root.walk()}


def test_dag_runs_in_order_and_passes_outputs(docs, tmp_path):
    root, live = run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert phases(root) == {
        "pipeline": "Succeeded",
        "train": "Succeeded",
        "validate": "Succeeded",
        "deploy": "Succeeded",
    }
    train = root.children[0]
    assert train.outputs == {"score": "0.1"}
    assert "greeting hello n 10" in pod_log(tmp_path, "train").read_text()
    assert pod_log(tmp_path, "deploy").read_text() == "deploying 0.1\n"
    assert [line.strip()[:3] for line in live.splitlines()][-1] == "✔ p"


def test_failed_gate_skips_deploy_and_the_tree_shows_it(docs, tmp_path):
    root, _ = run(docs, "WorkflowTemplate", "pipeline", tmp_path, floor="0.9")  # score is 0.1
    assert phases(root)["deploy"] == "Skipped"
    assert root.phase == "Succeeded"
    tree = render_tree(root)
    assert "○ deploy" in tree
    assert "when: 'false' == 'true' is false" in tree


def test_parameter_override_reaches_the_train_step(docs, tmp_path):
    run(docs, "WorkflowTemplate", "pipeline", tmp_path, **{"n-estimators": "42"})
    assert "n 42" in pod_log(tmp_path, "train").read_text()


def test_unknown_parameter_override_is_an_error(docs, tmp_path):
    with pytest.raises(RunnerError) as err:
        run(docs, "WorkflowTemplate", "pipeline", tmp_path, trees="5")
    assert (
        str(err.value) == "-p trees: WorkflowTemplate/pipeline declares no such parameter (it has: floor, n-estimators)"
    )


def test_reference_to_a_missing_output_parameter_is_an_exact_error(docs, tmp_path):
    tasks = docs[1]["spec"]["templates"][0]["dag"]["tasks"]
    tasks[2]["when"] = "'{{tasks.validate.outputs.parameters.verdict}}' == 'true'"
    with pytest.raises(RunnerError) as err:
        run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert str(err.value) == (
        "WorkflowTemplate/pipeline.spec.templates[main].dag.tasks[deploy].when: "
        "{{tasks.validate.outputs.parameters.verdict}} refers to nothing: "
        "task 'validate' has no output parameter 'verdict' (it has: passed)"
    )


def test_unsupported_field_is_an_exact_error_not_a_skip(docs, tmp_path):
    docs[1]["spec"]["templates"][3]["resource"] = {"action": "create", "manifest": "{}"}
    with pytest.raises(RunnerError) as err:
        run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert str(err.value) == (
        "WorkflowTemplate/pipeline.spec.templates[echo].resource: not supported by the local runner "
        "(it runs container, dag, inputs, name, outputs, retryStrategy, script, steps, volumes)"
    )


def test_failure_propagates_and_dependents_are_omitted(docs, tmp_path):
    docs[1]["spec"]["templates"][2]["container"]["args"][0] = "raise SystemExit('validation data missing')"
    root, _ = run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert phases(root) == {"pipeline": "Failed", "train": "Succeeded", "validate": "Failed", "deploy": "Omitted"}
    validate = root.children[1]
    assert validate.attempts == 2  # retryStrategy.limit: 1
    assert validate.message == "exit 1: validation data missing (after 2 attempts)"
    assert root.message == "child 'validate' failed"


def test_cron_workflow_retrain_branch_gets_its_parameters_through_template_ref(docs, tmp_path):
    root, _ = run(docs, "CronWorkflow", "drift", tmp_path)
    assert phases(root)["retrain"] == "Succeeded"
    # the caller's parameters arrive, not the WorkflowTemplate's spec.arguments (10)
    assert "n 70" in pod_log(tmp_path, "train").read_text()


def test_cron_workflow_skips_retrain_without_drift(docs, tmp_path):
    root, _ = run(docs, "CronWorkflow", "drift", tmp_path, shifted="false")
    assert [n.phase for n in root.children] == ["Succeeded", "Skipped"]


def test_template_ref_does_not_carry_the_referenced_arguments(docs, tmp_path):
    cron = copy.deepcopy(docs[2])
    del cron["spec"]["workflowSpec"]["templates"][0]["dag"]["tasks"][1]["arguments"]
    with pytest.raises(RunnerError) as err:
        run([docs[0], docs[1], cron], "CronWorkflow", "drift", tmp_path)
    assert str(err.value) == (
        "WorkflowTemplate/pipeline.spec.templates[main]: input parameter 'n-estimators' has no value: "
        "the caller passes none and it has no default"
    )


REFUSED = {
    "foreign-image": (
        lambda d: d[1]["spec"]["templates"][3]["container"].update(image="busybox:1.36"),
        "WorkflowTemplate/pipeline.spec.templates[echo].container.image: 'busybox:1.36' is not the step image "
        "(ghcr.io/example-org/pipeline-steps); only its commands run locally",
    ),
    "dag-fail-fast": (
        lambda d: d[1]["spec"]["templates"][0]["dag"].update(failFast=False),
        "WorkflowTemplate/pipeline.spec.templates[main].dag.failFast: not supported by the local runner (it "
        "runs tasks)",
    ),
    "template-defaults": (
        lambda d: d[1]["spec"].update(templateDefaults={"timeout": "1h"}),
        "WorkflowTemplate/pipeline.spec.templateDefaults: not supported by the local runner "
        "(it runs arguments, entrypoint, templates, volumes)",
    ),
    "input-from-configmap": (
        lambda d: d[1]["spec"]["templates"][3]["inputs"]["parameters"][0].update(
            valueFrom={"configMapKeyRef": {"name": "x", "key": "y"}}
        ),
        "WorkflowTemplate/pipeline.spec.templates[echo].inputs.parameters[text].valueFrom: not supported by the local "
        "runner (it runs default, description, enum, name, value)",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_cannot_run_faithfully_is_refused_before_anything_runs(case, docs, tmp_path):
    mutate, message = REFUSED[case]
    mutate(docs)
    with pytest.raises(RunnerError) as err:
        run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert str(err.value) == message
    assert not (tmp_path / "pods").exists()
