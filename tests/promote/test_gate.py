"""The registry gate: promote only what the source environment was seen serving; every refusal changes nothing,
and --force --reason records the bypass. The registry is a real MLflow (SQLite) matching the repository's pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.promote import cli as promote
from gitops.runner.services import free_port
from tests.drills.faults import start_mlflow
from tests.promote.repo import folder, storage_uri
from tests.support.git import git, write

PIN = "k8s/overlays/dev/iris/kustomization.yaml"
WAIT = "(fix: wait until dev's PostSync check (iris-mark-deployed) has verified it after the sync, then promote again)"


def run(root: Path, prs, uri: str, *args: str) -> int:
    return promote.main([*args, "--root", str(root), "--tracking-uri", uri], prs=prs, check=lambda rendered: [])


def client(uri: str):
    from mlflow import MlflowClient

    return MlflowClient(uri)


def unchanged(repo: Path, head: str) -> bool:
    return (
        git(repo, "rev-parse", "HEAD").strip() == head
        and git(repo, "status", "--porcelain", "--untracked-files=all") == ""
        and git(repo, "branch", "-a", "--format=%(refname:short)").split() == ["main", "origin/main"]
    )


def alias_elsewhere(repo: Path, uri: str) -> str:
    client(uri).set_registered_model_alias("iris", "dev", "3")
    return f"MLflow {uri}: alias dev of iris is at version 3, not 4: dev has not been seen serving version 4 {WAIT}"


def no_alias(repo: Path, uri: str) -> str:
    client(uri).delete_registered_model_alias("iris", "dev")
    return f"MLflow {uri}: alias dev of iris does not exist: dev has not been seen serving version 4 {WAIT}"


def no_probe_figures(repo: Path, uri: str) -> str:
    client(uri).delete_model_version_tag("iris", "4", "deployed.dev.probe_accuracy")
    return (
        f"MLflow {uri}: iris version 4 carries no probe figures for dev (deployed.dev.probe_accuracy): no passing "
        "dev's PostSync check (iris-mark-deployed) verified it (fix: let dev's PostSync check (iris-mark-deployed) "
        "run against the synced environment, then promote again)"
    )


def hand_edited_pin(repo: Path, uri: str) -> str:
    # The case: a pin that says "passed" for a version the pipeline never deployed.
    write(repo, PIN, folder("dev", "iris", "5", "1.3.0"))
    git(repo, "commit", "-qam", "dev: v5 by hand")
    return (
        f"MLflow {uri}: iris has no version 5, which {PIN} pins (fix: promote a pin the pipeline wrote, and check "
        "--tracking-uri names the pipeline's registry)"
    )


def other_storage(repo: Path, uri: str) -> str:
    text = (repo / PIN).read_text().replace(storage_uri("iris", "4"), "s3://elsewhere/model")
    write(repo, PIN, text)
    git(repo, "commit", "-qam", "dev: storage edited")
    return (
        f"{PIN}: storageUri s3://elsewhere/model is not version 4's artifact location in the registry "
        f"({storage_uri('iris', '4')}) (fix: restore the pin the pipeline wrote: git log -p -- {PIN})"
    )


@pytest.mark.parametrize(
    "setup", [alias_elsewhere, no_alias, no_probe_figures, hand_edited_pin, other_storage], ids=lambda f: f.__name__
)
def test_the_gate_refuses_what_the_source_was_not_seen_serving(repo, prs, registry, capsys, setup):
    message = setup(repo, registry)
    head = git(repo, "rev-parse", "HEAD").strip()
    assert run(repo, prs, registry, "iris", "dev", "staging") == 1
    assert capsys.readouterr().err == f"promote: {message}\n"
    assert prs.calls == []
    assert unchanged(repo, head)


def test_an_unreachable_registry_refuses_with_the_reason(repo, prs, capsys, monkeypatch):
    from mlpipeline import backoff

    monkeypatch.setattr(backoff, "BASE_DELAY", 0.01)
    uri = f"http://127.0.0.1:{free_port()}"
    head = git(repo, "rev-parse", "HEAD").strip()
    assert run(repo, prs, uri, "iris", "dev", "staging") == 1
    assert capsys.readouterr().err == (
        f"promote: MLflow {uri}: MLflow tracking server unreachable (ConnectionError): the gate reads what the "
        "source environment was seen serving (fix: set MLFLOW_TRACKING_URI or --tracking-uri to the pipeline's "
        'registry; to promote without the gate, add --force --reason "<why>")\n'
    )
    assert prs.calls == [] and unchanged(repo, head)


URI_FIX = "set MLFLOW_TRACKING_URI (--tracking-uri) to the MLflow server's http(s):// address or a sqlite:/// file"


@pytest.mark.parametrize(
    ("uri", "what"),
    [
        pytest.param(
            "mlflow.internal:5000",
            "MLflow has no registry store for the scheme 'mlflow.internal'",
            id="no-scheme-host-port",
        ),
        pytest.param("foo://registry", "MLflow has no registry store for the scheme 'foo'", id="unsupported-scheme"),
        pytest.param(
            "postgresql://mlflow@127.0.0.1:1/mlflow",
            f"its database driver is not installed (psycopg) (fix: {URI_FIX}: only SQLite's driver is installed)",
            id="database-without-driver",
        ),
    ],
)
def test_a_tracking_uri_mlflow_cannot_use_is_a_bad_argument_in_one_line(repo, prs, capsys, uri, what):
    head = git(repo, "rev-parse", "HEAD").strip()
    assert run(repo, prs, uri, "iris", "dev", "staging") == 2
    line = f"promote: --tracking-uri {uri}: {what}"
    assert capsys.readouterr().err == (line if "(fix: " in what else f"{line} (fix: {URI_FIX})") + "\n"
    assert prs.calls == [] and unchanged(repo, head)


@pytest.mark.slow
def test_a_registry_that_refuses_promote_is_named_with_its_answer_not_read_as_a_missing_version(
    repo, prs, registry, capsys, tmp_path
):
    # A real server that accepts only its cluster host name (--allowed-hosts), reached by address, as through a
    # port-forward: it answers 403 to every registry call, where wrong credentials answer 401. Neither means
    # "iris has no version 4".
    server = start_mlflow(
        tmp_path / "mlflow", None, Path(registry.removeprefix("sqlite:///")), "--allowed-hosts", "mlflow.internal"
    )
    head = git(repo, "rev-parse", "HEAD").strip()
    try:
        code = run(repo, prs, server.url, "iris", "dev", "staging")
    finally:
        server.stop()
    assert (code, capsys.readouterr().err) == (
        2,
        f"promote: MLflow {server.url}: reading iris version 4 failed: MLflow tracking server refused the Host "
        "header (HTTP 403 at /api/2.0/mlflow/model-versions/get: Invalid Host header - possible DNS rebinding attack "
        "detected) (fix: name the server in --tracking-uri by a host:port it allows (its --allowed-hosts, "
        "MLFLOW_SERVER_ALLOWED_HOSTS; the chart's serverAllowedHosts in argocd/apps/application-mlflow.yaml), or add "
        "that one there)\n",
    )
    assert prs.calls == [] and unchanged(repo, head)


def test_no_registry_configured_or_found_refuses(repo, prs, capsys, tmp_path):
    assert promote.main(["iris", "dev", "staging", "--root", str(repo)], prs=prs) == 1
    assert capsys.readouterr().err == (
        "promote: MLFLOW_TRACKING_URI: not set: the gate reads what the source environment was seen serving "
        '(fix: export MLFLOW_TRACKING_URI or pass --tracking-uri; to promote without the gate, add --force --reason "'
        '<why>")\n'
    )
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert run(repo, prs, missing, "iris", "dev", "staging") == 1
    assert capsys.readouterr().err == (
        f"promote: MLflow {missing}: no registry database there (fix: run make demo first, or pass --tracking-uri)\n"
    )
    assert not (tmp_path / "none.db").exists()  # MLflow would have created an empty one
    assert prs.calls == []


def test_force_with_a_reason_records_the_bypassed_gate_in_the_commit_and_the_pull_request(repo, prs, registry):
    message = no_alias(repo, registry)
    assert run(repo, prs, registry, "iris", "dev", "staging", "--force", "--reason", "dev sync stuck; hotfix") == 0
    request = prs.opened[0]
    assert request["title"] == "Promote iris version 4 (semver 1.2.0) from dev to staging (forced)"
    body = git(repo, "log", "-1", "--format=%B", request["head"])
    assert f"\nRegistry gate bypassed: {message}\n" in body
    assert body.endswith("\nForced: the registry gate\nReason: dev sync stuck; hotfix\n\n")
    # The pull request records the bypass and its reason, and still compares: the registry answered.
    assert f"\nRegistry gate bypassed: {message}\n" in request["body"]
    assert "\nReason: dev sync stuck; hotfix\n" in request["body"]
    assert "Seen serving:" not in request["body"]  # the gate saw nothing serving; the block must not say it did
    table = request["body"].split("### iris: the candidate and what staging serves\n\n", 1)[1].split("\n\n")[0]
    assert table.splitlines()[:5] == [
        "| | candidate: iris version 4 | staging serves: iris version 3 |",
        "|---|---|---|",
        "| semver | 1.2.0 | 1.1.0 |",
        "| holdout accuracy | 0.9700 | 0.9700 |",
        "| macro F1 | 0.9600 | 0.9600 |",
    ]


def test_force_past_an_unreachable_registry_says_the_pull_request_has_no_comparison(repo, prs, monkeypatch):
    from mlpipeline import backoff

    monkeypatch.setattr(backoff, "BASE_DELAY", 0.01)
    uri = f"http://127.0.0.1:{free_port()}"
    assert run(repo, prs, uri, "iris", "dev", "staging", "--force", "--reason", "registry down; hotfix") == 0
    body = prs.opened[0]["body"]
    assert f"\nRegistry gate bypassed: MLflow {uri}: MLflow tracking server unreachable (ConnectionError)" in body
    assert "\nReason: registry down; hotfix\n" in body
    assert (
        "_No comparison: the registry did not describe this version (unreachable, or it has no such version; the "
        "gate was bypassed)._"
    ) in body


def test_a_rollback_needs_the_version_seen_in_that_environment_once_not_its_alias(repo, prs, registry):
    # prod serves 3; roll back to the pin of an earlier commit that named version 3 as well, after prod moved on.
    before = git(repo, "rev-parse", "--short", "HEAD").strip()
    write(repo, "k8s/overlays/prod/iris/kustomization.yaml", folder("prod", "iris", "4", "1.2.0", champion="3"))
    git(repo, "commit", "-qam", "prod: v4")
    args = ["iris", "prod", "prod", "--from-ref", before, "--force", "--reason", "v4 doubles p99"]
    assert run(repo, prs, registry, *args) == 0
    body = prs.opened[0]["body"]
    assert "Seen serving: alias production at version 3; prod since 2026-01-05T09:30:00Z" in body
    assert "Registry gate bypassed" not in body
    client(registry).delete_model_version_tag("iris", "3", "deployed.prod.probe_accuracy")
    git(repo, "push", "-q", "origin", "--delete", prs.opened[0]["head"])
    git(repo, "branch", "-q", "-D", prs.opened[0]["head"])
    assert run(repo, prs, registry, *args) == 0  # forced: let through, but recorded
    assert "Registry gate bypassed: MLflow" in prs.opened[1]["body"]


def test_the_pull_request_compares_the_candidate_with_what_the_target_serves(repo, prs, registry):
    assert run(repo, prs, registry, "iris", "dev", "staging") == 0
    body = prs.opened[0]["body"]
    rows = body.split("### iris: the candidate and what staging serves\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    run4, run3 = (client(registry).get_model_version("iris", v).run_id for v in ("4", "3"))
    seen = "since 2026-01-05T09:30:00Z: probe accuracy 0.9667, 12.3 ms"
    assert rows[:7] == [
        "| | candidate: iris version 4 | staging serves: iris version 3 |",
        "|---|---|---|",
        "| semver | 1.2.0 | 1.1.0 |",
        "| holdout accuracy | 0.9700 | 0.9700 |",
        "| macro F1 | 0.9600 | 0.9600 |",
        "| validation | passed: accuracy >= 0.9, every class F1 >= 0.9, within 0.02 of champion version 3 | "
        "passed: accuracy >= 0.9, every class F1 >= 0.9, within 0.02 of champion version 2 |",
        f"| seen serving | dev {seen} | prod {seen}; staging {seen} |",
    ]
    assert rows[7].startswith("| trained | ") and "data sha256 not recorded" in rows[7]
    assert rows[8] == (
        f"| MLflow | [run](http://127.0.0.1:5000/#/experiments/1/runs/{run4}) · "
        "[version 4](http://127.0.0.1:5000/#/models/iris/versions/4) | "
        f"[run](http://127.0.0.1:5000/#/experiments/1/runs/{run3}) · "
        "[version 3](http://127.0.0.1:5000/#/models/iris/versions/3) |"
    )
