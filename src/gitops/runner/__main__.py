"""Run a rendered WorkflowTemplate or CronWorkflow on this machine, as Argo Workflows would (the main job).

    python -m gitops.runner [--model iris | --overlay k8s/overlays/dev/iris | --file rendered.yaml]
                            [--workflow-template NAME | --cron-workflow NAME] [-p name=value ...]
                            [--output json] [--tracking-uri URI] [--no-serve] [--drift-sample shifted|unshifted]

An overlay run starts the platform's local stand-ins (MLflow, a Pushgateway, a
git remote) and afterwards plays Argo CD for dev; a `--file` run runs the
workflow alone. Each run leaves <state>/runs/<time>-<workflow>/workflow.json,
the Workflow as `argo get -o json` prints it; `--output json` prints it on
stdout (the live view then goes to stderr).

Exit 0: the workflow (and the local sync) succeeded. 1: it ran and failed.
2: it cannot run faithfully here, or Argo would refuse it (the message names the
field), or bad usage, or a local service or input (secrets, the MLflow store) failed:
one line says which and the fix. 3: Argo would leave it Running forever (the
message says which node waits on what); the record shows where it stopped.
130: interrupted (Ctrl-C); the servers the run started are stopped. 143 (SIGTERM) and 129 (SIGHUP): the
same stop, as a service manager or a closed terminal asks for it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from gitops.argo.arguments import GlobalParameterError
from gitops.core import kustomize as render
from gitops.core import layout, rendercache, yamlio
from gitops.runner import (
    children,
    drift_sample,
    local_pod,
    localenv,
    services,
    step_server,
    summary,
    sync,
    wording,
    workflow,
)
from gitops.runner.errors import RunnerError
from gitops.runner.operator import Hang
from gitops.runner.tree import LiveTree
from gitops.runner.tree import render as render_tree


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="gitops.runner", description=__doc__.splitlines()[0])
    source = p.add_mutually_exclusive_group()
    source.add_argument("--overlay", help="kustomization to render (default: k8s/overlays/dev/<model>)")
    source.add_argument("--file", type=Path, help="an already rendered YAML stream: run the workflow alone")
    p.add_argument("--model", default="iris", help="the model whose dev folder runs (default: iris)")
    p.add_argument("--workflow-template", metavar="NAME", help="default: the only WorkflowTemplate")
    p.add_argument("--cron-workflow", metavar="NAME", help="run this CronWorkflow's workflowSpec instead")
    p.add_argument(
        "-p", "--parameter", action="append", default=[], metavar="NAME=VALUE", help="override a workflow parameter"
    )
    p.add_argument("--name", help="the Workflow's name, as argo submit --name (default: <template>-<5 characters>)")
    p.add_argument("--output", choices=("tree", "json"), default="tree", help="json: print the Workflow on stdout")
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
    p.add_argument(
        "--step-server",
        choices=("on", "off"),
        default=os.environ.get("GITOPS_STEP_SERVER", "on"),
        help="on: fork the step image's pods from one interpreter that imported its libraries once; "
        "off: a plain process per pod (default: $GITOPS_STEP_SERVER, else on)",
    )
    p.add_argument("--repo", type=Path, default=Path.cwd())
    args = p.parse_args(argv)
    if args.file is None:
        args.overlay = args.overlay or str(layout.model_dir("dev", args.model))
    for item in args.parameter:
        if "=" not in item:
            p.error(f"-p {item}: expected NAME=VALUE")
    if args.step_server not in ("on", "off"):  # argparse checks choices on the command line only
        p.error(f"GITOPS_STEP_SERVER={args.step_server}: expected on or off (fix: unset it, or set on or off)")
    return args


@dataclass
class Progress:
    """Where the run is, for the one line Ctrl-C (or SIGTERM, SIGHUP) prints."""

    stage: str = "preparing the run"
    run_dir: Path | None = None
    op: Any = None
    env: Any = None  # the local services, stopped again here in case the interrupt came before their `finally`

    def where(self) -> str:
        running = []
        if self.op is not None:
            pods = self.op.wf.nodes.values()
            running = [wording.step_name(n.display_name) for n in pods if n.type == "Pod" and n.phase == "Running"]
        return f"{self.stage}" + (f" (step {', '.join(running)})" if running else "")


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the runner is: a KeyboardInterrupt, so every path that stops the pods
    and servers on Ctrl-C stops them on these too."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _stop_on_signals() -> dict:
    """SIGTERM and SIGHUP stop the run as Ctrl-C does; returns the handlers to put back."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set them
        return {}

    def stop(signum, _frame):
        for other in wanted:  # one stop: a second signal must not cut the cleanup short
            signal.signal(other, lambda *_: None)
        raise Stopped(signum)

    # One ignored on purpose stays so (nohup ignores SIGHUP).
    wanted = [signum for signum in STOP_SIGNALS if signal.getsignal(signum) != signal.SIG_IGN]
    return {signum: signal.signal(signum, stop) for signum in wanted}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    repo = args.repo.resolve()
    state = (repo / args.state_dir).resolve() if not args.state_dir.is_absolute() else args.state_dir
    server = None
    progress = Progress()
    previous = _stop_on_signals()
    try:
        if args.step_server == "on" and args.file is None:
            # An overlay runs the step image's pipeline: start importing its libraries now, while this process
            # renders and starts the local services (a refusal below stops it, having run nothing).
            server = _start_step_server(_step_extra(args, repo))
        return _run(args, repo, state, progress, server)
    except (RunnerError, render.RenderError, services.ServiceError) as err:
        print(f"runner: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        # The finally blocks on the way here stopped the step's pod, the Pushgateway and MLServer.
        signum = err.signum if isinstance(err, Stopped) else signal.SIGINT
        how = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        if progress.env is not None:
            progress.env.stop()
        record = f"; the record so far: {progress.run_dir}/workflow.json" if progress.run_dir else ""
        if progress.op is not None and progress.run_dir is not None:
            progress.op.wf.message = f"interrupted ({how}) while {progress.where()}"
            progress.op.wf.write(progress.run_dir / "workflow.json")
        print(
            f"\nrunner: interrupted ({how}) while {progress.where()}: stopped it and the local servers this run "
            f"started{record} (fix: run it again; a step stopped halfway is finished or redone by the next run)",
            file=sys.stderr,
        )
        return 128 + signum
    finally:
        for signum in previous:  # what is left to stop is stopped here: a signal now must not cut it short
            signal.signal(signum, lambda *_: None)
        if progress.env is not None:  # whatever ended the run: no server of it outlives it
            progress.env.stop()
        if server is not None:
            server.stop()
        children.end_strays()  # every process the run started was waited on: what is left, pods orphaned
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _step_extra(args: argparse.Namespace, repo: Path) -> dict[str, str]:
    """Set in every container: the step image runs this checkout's src/ (it is built from it), whatever the
    venv has installed, and no pull request leaves this machine."""
    return {"PR_PROVIDER": "none", "PYTHONPATH": str(repo / "src")} if args.file is None else {}


def _start_step_server(extra: dict[str, str]) -> step_server.StepServer:
    home = Path(tempfile.mkdtemp(prefix="gitops-step-server-"))
    return step_server.StepServer.start({**local_pod.base_environment(home), **extra}, home)


def _documents(args: argparse.Namespace, repo: Path) -> tuple[list[dict[str, Any]], str]:
    if args.file is not None:
        path = args.file if args.file.is_absolute() else repo / args.file
        try:
            text = path.read_text()
        except OSError as err:
            raise RunnerError(f"{args.file}: cannot read it: {err.strerror}") from None
        source = str(args.file)
    else:
        text, source = _render(repo, args.overlay), args.overlay
    bodies, errors = yamlio.load_documents(text)
    if errors:
        raise RunnerError(f"{source}: cannot parse it: {errors[0].message} (fix: {errors[0].fix(source)})")
    return [b for b in bodies if isinstance(b, dict)], source


def _render(repo: Path, overlay: str) -> str:
    """The overlay's render, kustomize's warnings refused: from the validator's render cache when the same
    inputs were built before (make demo validates first, so a warm demo builds nothing twice)."""
    directory = (repo / overlay).resolve()
    if not directory.is_relative_to(repo):  # the cache keys a render by its path in the repo
        return render.build(directory, repo).text
    try:
        return rendercache.build_cached(directory, repo, repo / rendercache.DIRECTORY, strict=True).text
    except OSError:  # a cache it cannot read or write (a read-only checkout): build as without one
        return render.build(directory, repo).text


def _run(
    args: argparse.Namespace, repo: Path, state: Path, progress: Progress, server: step_server.StepServer | None
) -> int:
    started = time.perf_counter()
    out: TextIO = sys.stderr if args.output == "json" else sys.stdout
    docs, source = _documents(args, repo)
    kind, name = (
        ("CronWorkflow", args.cron_workflow) if args.cron_workflow else ("WorkflowTemplate", args.workflow_template)
    )
    doc = workflow.find(docs, kind, name, source)
    parameters = dict(p.split("=", 1) for p in args.parameter)
    plan = workflow.prepare(docs, doc, parameters)  # every refusal, before any service or process starts
    wf_name = args.name or workflow.workflow_name(plan)
    secrets_file = args.secrets_file or state / "secrets.env"
    secrets = localenv.read_secrets(secrets_file)  # a bad line refuses the run before anything starts
    run_dir = state / "runs" / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{wf_name}"
    run_dir.mkdir(parents=True)
    progress.run_dir, progress.stage = run_dir, "starting the local services"
    overlay_run = args.file is None
    config = _pipeline_config(docs)
    extra = _step_extra(args, repo)
    env = None
    overrides: dict[str, str] = {}
    if overlay_run:
        env = localenv.start(
            repo,
            state,
            args.tracking_uri,
            config.get("MLFLOW_EXPERIMENT_NAME", "default"),
            config.get("GIT_BASE_BRANCH", "main"),
            run_dir,
            serve=not args.no_serve,
        )
        progress.env = env
        overrides = {
            "MLFLOW_TRACKING_URI": env.tracking_uri,
            "PUSHGATEWAY_URL": env.pushgateway_url,
            "GIT_REPO_URL": str(env.remote),
            "MLFLOW_S3_ENDPOINT_URL": "",
        }
        if kind == "CronWorkflow":
            sample = drift_sample.write(
                run_dir / "recent-inputs.csv", config["MODEL_SPEC"], args.drift_sample == "shifted"
            )
            overrides["DRIFT_INPUT_URI"] = str(sample)
            env.notes.append(f"drift input: a generated {args.drift_sample} sample, {sample}")
    cluster = local_pod.Cluster(
        workflow.config_maps(docs),
        secrets,
        overrides,
        extra=extra,
        pod_fields={"metadata.namespace": plan.namespace},
        step_server=server,
    )
    shown = run_dir.relative_to(repo) if run_dir.is_relative_to(repo) else run_dir
    out.write(f"Running {kind} {doc['metadata']['name']} from {source} as {wf_name} (run directory {shown})\n")
    out.flush()
    report = summary.Summary()
    code = 1
    metrics = ""
    if env is not None:
        metrics = (
            f"Pushgateway {env.pushgateway_url} (stopped with the run)"
            if env.pushgateway
            else f"written to {env.metrics_dir}/"
        )
    if server is None and args.step_server == "on" and step_server.serves(plan):
        server = cluster.step_server = _start_step_server(extra)
    if server is not None:
        server.keep_log(run_dir / "step-server.log")
    try:
        try:
            op = workflow.start(plan, cluster, run_dir, state, wf_name)
        except GlobalParameterError as err:
            wf = workflow.record(plan, wf_name)
            wf.phase, wf.message, wf.started_at = "Failed", str(err), time.time()
            wf.finished_at = wf.started_at
            wf.write(run_dir / "workflow.json")
            out.write(f"✖ {wf_name}  {err}\n")
            _emit(args, wf)
            return 1
        progress.op, progress.stage = op, "running the workflow"

        def describe(node) -> str:
            return wording.people_message(op, node)

        live = LiveTree(op.wf, out, describe)
        op.note = live.note
        hang = None
        try:
            op.run()
        except Hang as err:
            hang = err
        op.wf.write(run_dir / "workflow.json")
        out.write("\n" + render_tree(op.wf, describe) + "\n")
        if hang is not None:
            out.write(f"\nArgo would leave {op.wf.name} Running forever: {hang}\n")
            _emit(args, op.wf)
            return 3
        if op.wf.message:
            out.write(f"\n{op.wf.name} {op.wf.phase}: {op.wf.message}\n")
        code = 0 if op.wf.phase == "Succeeded" else 1
        summary.failure_lines(op, report, repo)
        if overlay_run:
            summary.drift_line(op, report)
            summary.pipeline_lines(op, report)
            progress.stage = "playing Argo CD (the local sync)"
            if not _deploy_and_sync(args, env, config, cluster, op, run_dir, out, report, repo):
                code = 1
        summary.write_json(run_dir / "summary.json", op, report)
    finally:
        if server is not None:
            server.stop()
        if env is not None:
            env.stop()
    if server is not None:
        report.add("step server", server.describe())
    if overlay_run:
        report.add("metrics", metrics)
        for note in env.notes:
            report.add("note", note)
        if cluster.missing_secrets:
            report.add(
                "secrets",
                f"not set locally, ran with empty values: {', '.join(sorted(cluster.missing_secrets))} "
                f"({secrets_file})",
            )
        if env.tracking_uri.startswith("sqlite:///"):
            report.add("browse runs", f".venv/bin/mlflow ui --backend-store-uri {env.tracking_uri}")
    report.add("record", f"{shown}/workflow.json")
    report.add("took", f"{time.perf_counter() - started:.1f} s")
    out.write(report.render() + "\n")
    out.flush()
    _emit(args, op.wf)
    return code


def _emit(args: argparse.Namespace, wf) -> None:
    if args.output == "json":
        sys.stdout.write(json.dumps(wf.to_json(), indent=2) + "\n")
        sys.stdout.flush()


def _pipeline_config(docs: list[dict[str, Any]]) -> dict[str, str]:
    maps = workflow.config_maps(docs)
    # The generated <model>-pipeline-config-<hash> (k8s/base/kustomization.yaml).
    names = [n for n in maps if "pipeline-config" in n]
    return maps[names[0]] if names else {}


def _deploy_and_sync(args, env, config, cluster, op, run_dir, out, report, repo) -> bool:
    deploy = summary.step(op, "deploy")
    if deploy is None and (skip := summary.skipped(op, "deploy")) is not None:
        report.add("deploy", wording.people_message(op, skip))
        return True
    if deploy is None or deploy.phase != "Succeeded":
        if deploy is not None:
            report.add(
                "deploy", f"{deploy.phase.lower()}: {deploy.message}" if deploy.message else deploy.phase.lower()
            )
        return True
    base = config.get("GIT_BASE_BRANCH", "main")
    pin_file = config.get("PIN_FILE") or str(layout.pin_file("dev", config.get("MODEL_NAME", args.model)))
    if deploy.outputs.get("pin_changed") != "true":
        report.add("deploy", f"{pin_file} already pins this version: no change, no pull request")
        return True
    branch = deploy.outputs["branch"]
    diff = localenv.git("diff", f"{base}...{branch}", "--", pin_file, cwd=env.remote)
    report.add(
        "pull request", f"not opened locally (no GitHub); branch {branch} in {env.remote} carries this diff:", diff
    )
    if args.no_serve:
        report.add(
            "local sync", "skipped (--no-serve): the branch was not merged, nothing served, the alias did not move"
        )
        return True
    synced = sync.run(env.remote, branch, base, "dev", cluster, run_dir, out, env.mlserver)
    ok = all(job.phase == "Succeeded" for job in synced.jobs)
    report.add(
        "local sync",
        f"merged {branch} into {base} ({synced.commit[:12]}), served {', '.join(synced.models)} "
        f"with MLServer on {synced.server_url}",
    )
    for job in synced.jobs:
        report.add("post-sync", summary.probe_line(job, repo))
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
