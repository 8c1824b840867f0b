"""Which fields the local runner honours, which only matter on a cluster, and (by omission) the rest.

A field in neither set is refused before anything runs, with its path: the
runner never accepts something it would then ignore or run differently.
Cluster-only fields place or shape pods (scheduling, security, resources, pod
garbage collection, TTLs); on one machine they change nothing a run produces.
"""

from __future__ import annotations

# The image the repo builds (Dockerfile): the only one whose commands can run in the project venv.
STEP_IMAGE = "ghcr.io/example-org/pipeline-steps"

SPEC_RUNS = frozenset(
    {
        "entrypoint",
        "templates",
        "arguments",
        "volumes",
        "onExit",
        "hooks",
        "templateDefaults",
        "synchronization",
        "activeDeadlineSeconds",
        "retryStrategy",
    }
)
SPEC_CLUSTER_ONLY = frozenset(
    {
        "serviceAccountName",
        "podGC",
        "ttlStrategy",
        "securityContext",
        "podMetadata",
        "nodeSelector",
        "tolerations",
        "affinity",
        "priorityClassName",
        "podPriorityClassName",
        "podDisruptionBudget",
        "archiveLogs",
        "artifactRepositoryRef",
        "automountServiceAccountToken",
        "executor",
        "volumeClaimGC",
        "imagePullSecrets",
        "dnsPolicy",
        "dnsConfig",
        "hostNetwork",
        "schedulerName",
        "hostAliases",
    }
)
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
        "activeDeadlineSeconds",
        "timeout",
        "synchronization",
    }
)
TEMPLATE_CLUSTER_ONLY = frozenset(
    {
        "metadata",
        "securityContext",
        "serviceAccountName",
        "automountServiceAccountToken",
        "nodeSelector",
        "tolerations",
        "affinity",
        "priorityClassName",
        "schedulerName",
        "hostAliases",
        "archiveLocation",
        "executor",
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
    }
)
TASK_RUNS = frozenset(
    {
        "name",
        "template",
        "templateRef",
        "arguments",
        "when",
        "dependencies",
        "depends",
        "withItems",
        "withParam",
        "withSequence",
        "continueOn",
        "onExit",
        "hooks",
    }
)
STEP_RUNS = TASK_RUNS - {"dependencies", "depends"}
DAG_RUNS = frozenset({"tasks", "target", "failFast"})
INPUT_PARAMETER_RUNS = frozenset({"name", "value", "default", "description", "enum", "valueFrom"})
ARGUMENT_PARAMETER_RUNS = frozenset({"name", "value", "default", "description", "enum", "valueFrom"})
VALUE_FROM_ARGUMENT = frozenset({"configMapKeyRef", "default"})
POD_OUTPUT_VALUE_FROM = frozenset({"path", "default"})
NESTED_OUTPUT_VALUE_FROM = frozenset({"parameter", "default"})
OUTPUT_PARAMETER_RUNS = frozenset({"name", "valueFrom", "description"})
RETRY_RUNS = frozenset({"limit", "retryPolicy", "expression", "backoff"})
RETRY_CLUSTER_ONLY = frozenset({"affinity"})  # which node an attempt lands on
BACKOFF_RUNS = frozenset({"duration", "factor", "cap", "maxDuration"})
SEQUENCE_RUNS = frozenset({"start", "end", "count", "format"})
TEMPLATE_REF_RUNS = frozenset({"name", "template"})
HOOK_RUNS = frozenset({"template", "templateRef", "arguments", "expression"})
SYNC_RUNS = frozenset({"mutexes", "semaphores"})
MUTEX_RUNS = frozenset({"name", "namespace"})
SEMAPHORE_RUNS = frozenset({"configMapKeyRef", "namespace"})
VOLUME_SOURCES = frozenset({"emptyDir"})
ENV_VALUE_FROM = frozenset({"configMapKeyRef", "secretKeyRef", "fieldRef"})
POD_FIELDS = frozenset({"metadata.namespace"})
