"""What the PostSync check saw, written on the model version: the commit it verified, that commit's author and
committer, when, in which environment, and how the served model answered.

MLflow already knows what was trained, when, on what data and how it scored;
this adds which commit was deployed and what was seen running, so the registry
answers the audit questions without a cluster (docs/audit.md). Who merged the
pull request is not in git (a merge on GitHub is committed by GitHub itself):
the pull request's merged_by says it. In the cluster the commit is Argo CD's
revision (the Job's pod annotation); its people are read from GIT_REPO_URL
(with GITHUB_TOKEN if the environment sets one; the cluster's Job has none), so
a private repository leaves the commit alone there. One
version is verified in dev, then staging, then prod, so every tag carries its
environment: `deployed.<environment>.<field>`. The check writes them before it
moves the alias, so an alias always has its evidence on the version.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mlpipeline import upsert
from mlpipeline.gitrepo import auth_env

log = logging.getLogger(__name__)

PREFIX = "deployed"
# git log --format fields, NUL-separated: commit, author, committer, commit time, subject.
_FORMAT = "%H%x00%an <%ae>%x00%cn <%ce>%x00%cI%x00%s"


def tag(environment: str, field: str) -> str:
    return f"{PREFIX}.{environment}.{field}"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str  # "Name <email>": who wrote the change (the deploy step, or whoever ran promote)
    # Who made the commit object: for a pull request merged on GitHub, GitHub itself (noreply@github.com),
    # not the person who merged; that is the pull request's merged_by.
    committer: str
    committed_at: str  # ISO 8601, as git records it
    subject: str


def read_commit(repo_url: str, sha: str, env: dict[str, str] | None = None) -> Commit | None:
    """The commit from a local repository (the demo's bare remote) or, fetched alone, from a remote URL.

    None (with a warning) when it cannot be read: the audit then names the commit without its people,
    and the deployment is not held up by it.
    """
    try:
        if Path(repo_url).is_dir():
            return _parse(_git(["-C", repo_url, "log", "-1", f"--format={_FORMAT}", sha], env))
        with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
            _git(["init", "-q", "--bare", tmp], env)
            _git(["-C", tmp, "fetch", "-q", "--depth=1", "--filter=blob:none", repo_url, sha], env)
            return _parse(_git(["-C", tmp, "log", "-1", f"--format={_FORMAT}", "FETCH_HEAD"], env))
    except (OSError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", "") or str(err)
        log.warning("commit %s not readable from %s (%s); audit tags name the commit only", sha, repo_url, detail)
        return None


def _git(args: list[str], env: dict[str, str] | None) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=True, env=env, timeout=60)
    return done.stdout


def _parse(text: str) -> Commit:
    sha, author, committer, committed_at, subject = text.rstrip("\n").split("\x00", 4)
    return Commit(sha, author, committer, committed_at, subject)


def deployment_tags(
    environment: str,
    alias: str,
    commit_sha: str,
    commit: Commit | None,
    probe_accuracy: float,
    probe_latency_seconds: float,
    probe_rows: int,
    now: datetime | None = None,
) -> dict[str, str]:
    """The tags for one verified deployment; only what was seen, nothing filled in."""
    verified = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tags = {
        "alias": alias,
        "verified_at": verified,
        "probe_accuracy": repr(probe_accuracy),
        "probe_latency_seconds": repr(probe_latency_seconds),
        "probe_rows": str(probe_rows),
    }
    if commit_sha:
        tags["git_commit"] = commit.sha if commit else commit_sha
    if commit:
        tags["git_author"], tags["git_committer"] = commit.author, commit.committer
        tags["git_committed_at"], tags["git_subject"] = commit.committed_at, commit.subject[:250]
    return {tag(environment, field): value for field, value in tags.items()}


def record(client, name: str, version: str, tags: dict[str, str]) -> None:
    upsert.set_tags(client, name, version, tags)


def add_flags(p) -> None:
    """mark_deployed's flags for the audit: which commit the environment synced, and where to read it."""
    p.flag(
        "--deployed-commit",
        "DEPLOYED_COMMIT",
        help="the git commit the environment synced (in the cluster: Argo CD's revision, from the pod annotation)",
    )
    p.flag(
        "--repo-url",
        "GIT_REPO_URL",
        help="the GitOps repository, where the commit's author and committer are read (with GITHUB_TOKEN if set)",
    )


def record_deployment(client, args, alias: str, version: str, probe) -> dict[str, str]:
    """mark_deployed's audit: read the commit, tag the version. Called before the alias moves."""
    commit = None
    if args.deployed_commit and args.repo_url:
        token = os.environ.get("GITHUB_TOKEN")
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **auth_env(args.repo_url, token)}
        commit = read_commit(args.repo_url, args.deployed_commit, env)
    elif not args.deployed_commit:
        log.warning("no --deployed-commit (DEPLOYED_COMMIT): the audit tags cannot name the git commit verified")
    tags = deployment_tags(
        args.environment,
        alias,
        args.deployed_commit or "",
        commit,
        probe.accuracy,
        probe.latency_seconds,
        probe.rows,
    )
    record(client, args.model_name, version, tags)
    return tags
