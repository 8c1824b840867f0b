"""Run a rendered WorkflowTemplate or CronWorkflow on this machine (the main job).

    python -m gitops.runner [--overlay k8s/overlays/dev] [--cron-workflow NAME] [-p name=value ...]
                            [--tracking-uri URI] [--no-serve] [--drift-sample shifted|unshifted]

Exit 0: the workflow (and the local sync) succeeded. 1: it ran and failed.
2: it cannot run faithfully here (the message names the field) or bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from gitops.core import kustomize as render
from gitops.core import layout, yamlio
from gitops.runner import drift_sample, local_pod, localenv, summary, sync, workflow
from gitops.runner.errors import RunnerError
from gitops.runner.nodes import LiveTree, render_tree


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="gitops.runner", description=__doc__.splitlines()[0])
    p.add_argument("--model", default="iris", help="the model whose dev folder runs (default: iris)")
    p.add_argument("--overlay", help="kustomization to render (default: k8s/overlays/dev/<model>)")
    p.add_argument("--workflow-template", metavar="NAME", help="default: the overlay's only WorkflowTemplate")
    p.add_argument("--cron-workflow", metavar="NAME", help="run this CronWorkflow's workflowSpec instead")
    p.add_argument(
        "-p", "--parameter", action="append", default=[], metavar="NAME=VALUE", help="override a workflow parameter"
    )
    p.add_argument("--tracking-uri", help="MLflow tracking URI (default: SQLite under the state dir)")
    p.add_argument("--state-dir", type=Path, default=Path(".local"), help="git-ignored local state (default: .local)")
    p.add_argument(
        "--secrets-file", type=Path, help=f"local Secret values, {localenv.SECRETS_HELP} (default: <state>/secrets.env)"
    )
    p.add_argument("--no-serve", action="store_true", help="skip the local sync (serving and the PostSync Job)")
    p.add_argument(
        "--drift-sample",
        choices=("shifted", "unshifted"),
        default="shifted",
        help="CronWorkflow runs: the recent-inputs sample to generate (default: shifted)",
    )
    p.add_argument("--repo", type=Path, default=Path.cwd())
    args = p.parse_args(argv)
    args.overlay = args.overlay or str(layout.model_dir("dev", args.model))
    for item in args.parameter:
        if "=" not in item:
            p.error(f"-p {item}: expected NAME=VALUE")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    repo = args.repo.resolve()
    state = (repo / args.state_dir).resolve() if not args.state_dir.is_absolute() else args.state_dir
    try:
        return _run(args, repo, state)
    except (RunnerError, render.RenderError) as err:
        print(f"runner: {err}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, repo: Path, state: Path) -> int:
    started = time.perf_counter()
    bodies, errors = yamlio.load_documents(render.build(repo / args.overlay, repo).text)
    if errors:
        raise RunnerError(f"{args.overlay}: cannot parse the render: {errors[0].message}")
    kind, name = (
        ("CronWorkflow", args.cron_workflow) if args.cron_workflow else ("WorkflowTemplate", args.workflow_template)
    )
    doc = workflow.find(bodies, kind, name, args.overlay)
    config = _pipeline_config(bodies)
    parameters = dict(p.split("=", 1) for p in args.parameter)
    workflow.check(bodies, doc, parameters)  # refuse before any service starts
    run_dir = state / "runs" / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{doc['metadata']['name']}"
    run_dir.mkdir(parents=True)
    env = localenv.start(
        repo,
        state,
        args.tracking_uri,
        config.get("MLFLOW_EXPERIMENT_NAME", "default"),
        config.get("GIT_BASE_BRANCH", "main"),
        run_dir,
    )
    overrides = {
        "MLFLOW_TRACKING_URI": env.tracking_uri,
        "PUSHGATEWAY_URL": env.pushgateway_url,
        "GIT_REPO_URL": str(env.remote),
        "MLFLOW_S3_ENDPOINT_URL": "",
    }
    if kind == "CronWorkflow":
        sample = drift_sample.write(run_dir / "recent-inputs.csv", config["MODEL_SPEC"], args.drift_sample == "shifted")
        overrides["DRIFT_INPUT_URI"] = str(sample)
        env.notes.append(f"drift input: a generated {args.drift_sample} sample, {sample}")
    secrets_file = args.secrets_file or state / "secrets.env"
    cluster = local_pod.Cluster(
        workflow.config_maps(bodies),
        localenv.read_secrets(secrets_file),
        overrides,
        # The step image is built from this checkout's src/: run that code, whatever the venv has installed.
        extra={"PR_PROVIDER": "none", "PYTHONPATH": str(repo / "src")},
        pod_fields={"metadata.namespace": doc["metadata"].get("namespace", "")},
    )
    print(
        f"Running {kind} {doc['metadata']['name']} from {args.overlay} "
        f"(run directory {run_dir.relative_to(repo) if run_dir.is_relative_to(repo) else run_dir})"
    )
    tree = LiveTree()
    out = summary.Summary()
    metrics = (
        f"Pushgateway {env.pushgateway_url} (stopped with the run)"
        if env.pushgateway
        else f"written to {env.metrics_dir}/"
    )
    try:
        root = workflow.run(bodies, doc, parameters, cluster, run_dir, tree)
        summary.pipeline_lines(root, out)
        synced_ok = _deploy_and_sync(args, env, config, cluster, root, run_dir, tree, out)
    finally:
        env.stop()
    print("\n" + render_tree(root))
    out.add("metrics", metrics)
    for note in env.notes:
        out.add("note", note)
    if cluster.missing_secrets:
        out.add(
            "secrets",
            f"not set locally, ran with empty values: {', '.join(sorted(cluster.missing_secrets))} ({secrets_file})",
        )
    if env.tracking_uri.startswith("sqlite:///"):
        out.add("browse runs", f".venv/bin/mlflow ui --backend-store-uri {env.tracking_uri}")
    out.add("took", f"{time.perf_counter() - started:.1f} s")
    print(out.render())
    summary.write_json(run_dir / "summary.json", root, out)
    return 0 if root.phase == "Succeeded" and synced_ok else 1


def _pipeline_config(bodies: list[dict]) -> dict[str, str]:
    # The generated <model>-pipeline-config-<hash> (k8s/base/kustomization.yaml).
    names = [n for n in workflow.config_maps(bodies) if "pipeline-config" in n]
    return workflow.config_maps(bodies)[names[0]] if names else {}


def _deploy_and_sync(args, env, config, cluster, root, run_dir, tree, out) -> bool:
    deploy = summary.step(root, "deploy")
    if deploy is None or deploy.phase != "Succeeded":
        if deploy is not None:
            out.add("deploy", f"{deploy.phase.lower()}: {deploy.message}" if deploy.message else deploy.phase.lower())
        return True
    base = config.get("GIT_BASE_BRANCH", "main")
    pin_file = config.get("PIN_FILE") or str(layout.pin_file("dev", config.get("MODEL_NAME", args.model)))
    if deploy.outputs.get("pin_changed") != "true":
        out.add("deploy", f"{pin_file} already pins this version: no change, no pull request")
        return True
    branch = deploy.outputs["branch"]
    diff = localenv.git("diff", f"{base}...{branch}", "--", pin_file, cwd=env.remote)
    out.add("pull request", f"not opened locally (no GitHub); branch {branch} in {env.remote} carries this diff:", diff)
    if args.no_serve:
        out.add("local sync", "skipped (--no-serve): the branch was not merged, nothing served, the alias did not move")
        return True
    synced = sync.run(env.remote, branch, base, "dev", cluster, run_dir, tree)
    ok = all(job.phase == "Succeeded" for job in synced.jobs)
    out.add(
        "local sync",
        f"merged {branch} into {base} ({synced.commit[:12]}), served {', '.join(synced.models)} "
        f"with MLServer on {synced.server_url}",
    )
    for job in synced.jobs:
        out.add("post-sync", summary.probe_line(job))
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
