"""The runner on a small pipeline shaped like the repo's own: DAG, when gates, outputs from files,
retries, templateRef from a CronWorkflow (tests/fixtures/runner/workflows.yaml), run in-process."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
import yaml

from gitops.runner import local_pod, workflow
from gitops.runner.errors import RunnerError
from gitops.runner.tree import LiveTree, render

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "workflows.yaml"


@pytest.fixture
def docs():
    return list(yaml.safe_load_all(FIXTURE.read_text()))


def run(docs, kind, name, tmp_path, **overrides):
    plan = workflow.prepare(docs, workflow.find(docs, kind, name, "fixture"), overrides)
    cluster = local_pod.Cluster(workflow.config_maps(docs), {}, {})
    op = workflow.start(plan, cluster, tmp_path / "run", tmp_path / "state", "wf")
    out = io.StringIO()
    LiveTree(op.wf, out)
    op.run()
    return op, out.getvalue()


def phases(op):
    return {n.name: n.phase for n in op.wf.nodes.values()}


def log(op, display_name):
    (pod,) = [d for i, d in op.pod_dirs.items() if op.wf.nodes[i].display_name == display_name]
    return (pod / "stdout.txt").read_text()


def test_dag_runs_in_order_and_passes_outputs(docs, tmp_path):
    op, live = run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert phases(op) == {
        "wf": "Succeeded",
        "wf.train": "Succeeded",
        "wf.validate": "Succeeded",  # a Retry node: the template has a retryStrategy
        "wf.validate(0)": "Succeeded",
        "wf.deploy": "Succeeded",
    }
    assert op.wf.get("wf.train").outputs["parameters"][0]["value"] == "0.1"
    assert "greeting hello n 10" in log(op, "train")
    assert log(op, "deploy") == "deploying 0.1\n"
    assert "✔ deploy" in live


def test_failed_gate_skips_deploy_and_the_tree_shows_it(docs, tmp_path):
    op, _ = run(docs, "WorkflowTemplate", "pipeline", tmp_path, floor="0.9")  # score is 0.1
    deploy = op.wf.get("wf.deploy")
    assert (deploy.phase, deploy.message) == ("Skipped", "when ''false' == 'true'' evaluated false")
    assert op.wf.phase == "Succeeded"
    assert "○ deploy" in render(op.wf)


def test_parameter_override_reaches_the_train_step(docs, tmp_path):
    op, _ = run(docs, "WorkflowTemplate", "pipeline", tmp_path, **{"n-estimators": "42"})
    assert "n 42" in log(op, "train")


def test_failure_propagates_and_dependents_are_omitted(docs, tmp_path):
    docs[1]["spec"]["templates"][2]["container"]["args"][0] = "raise SystemExit('validation data missing')"
    op, _ = run(docs, "WorkflowTemplate", "pipeline", tmp_path)
    assert phases(op) == {
        "wf": "Failed",
        "wf.train": "Succeeded",
        "wf.validate": "Failed",
        "wf.validate(0)": "Failed",
        "wf.validate(1)": "Failed",  # retryStrategy.limit: 1
        "wf.deploy": "Omitted",
    }
    assert op.wf.get("wf.validate").message == "No more retries left"
    assert op.wf.get("wf.validate(1)").message == "main: Error (exit code 1)"
    assert op.wf.message == ""  # a DAG entry fails without a message (dag.go)


def test_cron_workflow_retrain_branch_gets_its_parameters_through_template_ref(docs, tmp_path):
    op, _ = run(docs, "CronWorkflow", "drift", tmp_path)
    assert op.wf.get("wf.retrain").phase == "Succeeded"
    # the caller's parameters arrive, not the WorkflowTemplate's spec.arguments (10)
    assert "n 70" in log(op, "train")


def test_cron_workflow_skips_retrain_without_drift(docs, tmp_path):
    op, _ = run(docs, "CronWorkflow", "drift", tmp_path, shifted="false")
    assert (op.wf.get("wf.drift").phase, op.wf.get("wf.retrain").phase) == ("Succeeded", "Skipped")


REFUSED = {
    "unknown-parameter": (
        lambda d: None,
        {"trees": "5"},
        "-p trees: WorkflowTemplate/pipeline declares no such parameter (it has: floor, n-estimators)",
    ),
    "missing-output-parameter": (
        lambda d: d[1]["spec"]["templates"][0]["dag"]["tasks"][2].update(
            when="'{{tasks.validate.outputs.parameters.verdict}}' == 'true'"
        ),
        {},
        "WorkflowTemplate/pipeline: Argo refuses it at submit: templates.main.tasks.deploy failed to resolve "
        "{{tasks.validate.outputs.parameters.verdict}}",
    ),
    "template-ref-without-arguments": (
        lambda d: d[2]["spec"]["workflowSpec"]["templates"][0]["dag"]["tasks"][1].pop("arguments"),
        {},
        "CronWorkflow/drift: Argo refuses it at submit: cannot validate Workflow: templates.check.tasks.retrain "
        "templates.main inputs.parameters.n-estimators was not supplied",
    ),
    "foreign-image": (
        lambda d: d[1]["spec"]["templates"][3]["container"].update(image="busybox:1.36"),
        {},
        "WorkflowTemplate/pipeline.spec.templates[echo].container.image: 'busybox:1.36' is not the step image "
        "(ghcr.io/example-org/pipeline-steps); only its commands run locally",
    ),
    "host-path-volume": (
        lambda d: d[1]["spec"]["volumes"].append({"name": "data", "hostPath": {"path": "/data"}}),
        {},
        "WorkflowTemplate/pipeline.spec.volumes[1]: volume 'data' is hostPath; only emptyDir runs locally",
    ),
    "parallelism": (
        lambda d: d[1]["spec"].update(parallelism=2),
        {},
        "WorkflowTemplate/pipeline.spec.parallelism: not supported by the local runner (it runs activeDeadlineSeconds, "
        "arguments, entrypoint, hooks, onExit, retryStrategy, synchronization, templateDefaults, templates, volumes)",
    ),
    "output-outside-a-mount": (
        lambda d: d[1]["spec"]["templates"][1]["outputs"]["parameters"][0]["valueFrom"].update(path="/out/score"),
        {},
        "WorkflowTemplate/pipeline.spec.templates[train].outputs.parameters[score].valueFrom.path: '/out/score' is "
        "not on a volume mount; Argo copies it from the image's filesystem, which a local run does not have "
        "(mount an emptyDir there)",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_cannot_run_faithfully_is_refused_before_anything_runs(case, docs, tmp_path):
    mutate, overrides, message = REFUSED[case]
    mutate(docs)
    kind, name = ("CronWorkflow", "drift") if "template-ref" in case else ("WorkflowTemplate", "pipeline")
    with pytest.raises(RunnerError) as err:
        run(copy.deepcopy(docs), kind, name, tmp_path, **overrides)
    assert str(err.value) == message
    assert not (tmp_path / "run").exists()
