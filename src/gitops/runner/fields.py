"""Which template fields the local runner honours, which only matter on a cluster, and the rest.

A field in neither list is an error naming it: the runner never skips
something it cannot run faithfully.
"""

from __future__ import annotations

from typing import Any

from gitops.runner.errors import RunnerError

# Honoured: they change what runs or what it produces.
TEMPLATE_RUNS = frozenset(
    {
        "name",
        "inputs",
        "outputs",
        "dag",
        "steps",
        "container",
        "script",
        "retryStrategy",
        "volumes",
    }
)
# Cluster-only: scheduling, pod shape, limits. They have no effect on one machine.
TEMPLATE_CLUSTER_ONLY = frozenset(
    {
        "metadata",
        "activeDeadlineSeconds",
        "securityContext",
        "serviceAccountName",
        "automountServiceAccountToken",
        "nodeSelector",
        "tolerations",
        "affinity",
        "priorityClassName",
        "podSpecPatch",
        "timeout",
        "archiveLocation",
        "executor",
        "schedulerName",
        "hostAliases",
        "failFast",
        "parallelism",
    }
)
CONTAINER_RUNS = frozenset(
    {"name", "image", "command", "args", "env", "envFrom", "volumeMounts", "workingDir", "source"}
)
CONTAINER_CLUSTER_ONLY = frozenset(
    {
        "resources",
        "securityContext",
        "imagePullPolicy",
        "ports",
        "readinessProbe",
        "livenessProbe",
        "startupProbe",
        "terminationMessagePath",
        "terminationMessagePolicy",
        "lifecycle",
    }
)
TASK_RUNS = frozenset({"name", "template", "templateRef", "arguments", "when", "dependencies", "depends", "withItems"})
SPEC_RUNS = frozenset({"entrypoint", "templates", "arguments", "volumes"})
SPEC_CLUSTER_ONLY = frozenset(
    {
        "serviceAccountName",
        "podGC",
        "ttlStrategy",
        "activeDeadlineSeconds",
        "securityContext",
        "podMetadata",
        "workflowMetadata",
        "nodeSelector",
        "tolerations",
        "affinity",
        "priority",
        "priorityClassName",
        "podDisruptionBudget",
        "archiveLogs",
        "artifactRepositoryRef",
        "parallelism",
        "automountServiceAccountToken",
        "executor",
        "volumeClaimGC",
        "podSpecPatch",
        "imagePullSecrets",
    }
)
DAG_RUNS = frozenset({"tasks"})
PARAMETER_RUNS = frozenset({"name", "value", "default", "description", "enum", "valueFrom"})
# The image the repo builds (Dockerfile): the only one whose commands can run in the project venv.
STEP_IMAGE = "ghcr.io/example-org/pipeline-steps"
VOLUME_SOURCES = frozenset({"emptyDir"})
RETRY_RUNS = frozenset({"limit", "retryPolicy", "expression"})
RETRY_POLICIES = frozenset({"Always", "OnFailure", "OnError", "OnTransientError"})
RETRY_CLUSTER_ONLY = frozenset({"backoff", "affinity"})  # backoff: retries start at once locally


class UnsupportedField(RunnerError):
    """The template uses something the local runner cannot run faithfully."""


def check(obj: dict[str, Any], runs: frozenset[str], cluster_only: frozenset[str], where: str) -> None:
    for key in obj:
        if key not in runs and key not in cluster_only:
            raise UnsupportedField(
                f"{where}.{key}: not supported by the local runner (it runs {', '.join(sorted(runs))})"
            )
