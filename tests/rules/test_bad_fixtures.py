"""Each rule on its bad fixture reports exactly these lines, the way a user reads them."""

from __future__ import annotations

import pytest
from rule_fixtures import FIXTURES, load

from gitops import rules

HINT = "fix the name, add the object to the overlay, or list it in policy/platform-objects.yaml with a reason"
POD = "tests/fixtures/rules/pod-security: Deployment/demo/api spec.template.spec.containers"

EXPECTED = {
    "pod-security": [
        f"{POD}[0].securityContext.runAsNonRoot: may run as root [pod-security] (fix: set runAsNonRoot: true (pod or container securityContext))",
        f"{POD}[0].securityContext.allowPrivilegeEscalation: allows privilege escalation [pod-security] (fix: set allowPrivilegeEscalation: false)",
        f"{POD}[0].securityContext.capabilities.drop: does not drop ALL capabilities [pod-security] (fix: set capabilities.drop: [ALL])",
        f"{POD}[0].securityContext.seccompProfile.type: seccomp profile is unset [pod-security] (fix: set seccompProfile.type: RuntimeDefault)",
        f"{POD}[0].securityContext.readOnlyRootFilesystem: root filesystem is writable [pod-security] (fix: set readOnlyRootFilesystem: true and mount an emptyDir at /tmp)",
        f"{POD}[1].securityContext.runAsUser: runs as UID 0 [pod-security] (fix: use a non-zero runAsUser)",
        f"{POD}[1].securityContext.privileged: is privileged [pod-security] (fix: remove privileged: true)",
        f"{POD}[1].securityContext.capabilities.add: adds SYS_ADMIN [pod-security] (fix: add no capability except NET_BIND_SERVICE)",
        f"{POD}[1].securityContext.seccompProfile.type: seccomp profile is Unconfined [pod-security] (fix: set seccompProfile.type: RuntimeDefault)",
        "tests/fixtures/rules/pod-security: WorkflowTemplate/demo/pipeline spec.templates[1].container.securityContext.readOnlyRootFilesystem: root filesystem is writable [pod-security] (fix: set readOnlyRootFilesystem: true and mount an emptyDir at /tmp)",
        "tests/fixtures/rules/pod-security: InferenceService/demo/iris spec.predictor.model.securityContext.readOnlyRootFilesystem: root filesystem is writable [pod-security] (fix: set readOnlyRootFilesystem: true and mount an emptyDir at /tmp)",
    ],
    "resource-limits": [
        "tests/fixtures/rules/resource-limits: CronJob/demo/report spec.jobTemplate.spec.template.spec.containers[0].resources: missing limits.cpu [resource-limits] (fix: set cpu and memory requests and limits (per-environment sizes belong in the overlay))",
    ],
    "image-pinned": [
        "tests/fixtures/rules/image-pinned: Pod/demo/tools spec.initContainers[0].image: image registry.example.org:5000/team/tool has no tag [image-pinned] (fix: pin a published tag (kustomize `images:` in the overlay))",
        "tests/fixtures/rules/image-pinned: Pod/demo/tools spec.containers[0].image: image example.org/tool:latest uses the tag latest [image-pinned] (fix: pin a published version tag)",
    ],
    "secret-in-git": [
        "tests/fixtures/rules/secret-in-git: Secret/demo/mlflow-credentials stringData: Secret carries values in git [secret-in-git] (fix: create it with an ExternalSecret against the platform's ClusterSecretStore)",
    ],
    "configmap-secret-keys": [
        "tests/fixtures/rules/configmap-secret-keys: ConfigMap/demo/pipeline-config data.AWS_SECRET_ACCESS_KEY: key looks like a credential [configmap-secret-keys] (fix: move it to a Secret created by an ExternalSecret)",
        "tests/fixtures/rules/configmap-secret-keys: ConfigMap/demo/pipeline-config data.githubToken: key looks like a credential [configmap-secret-keys] (fix: move it to a Secret created by an ExternalSecret)",
        "tests/fixtures/rules/configmap-secret-keys: ConfigMap/demo/pipeline-config data.tls.key: value holds a private key [configmap-secret-keys] (fix: move it to a Secret created by an ExternalSecret)",
    ],
    "rbac-wildcard": [
        "tests/fixtures/rules/rbac-wildcard: Role/demo/pipeline rules[0].resources: wildcard in resources [rbac-wildcard] (fix: list the resources the role needs)",
        "tests/fixtures/rules/rbac-wildcard: Role/demo/pipeline rules[1].verbs: wildcard in verbs [rbac-wildcard] (fix: list the verbs the role needs)",
    ],
    "rbac-secrets": [
        'tests/fixtures/rules/rbac-secrets: Role/demo/reader rules[0].resources: grants access to Secrets without declaring why [rbac-secrets] (fix: annotate the role with policy.iris-gitops.io/secrets-access: "<why>", or drop secrets)',
        "tests/fixtures/rules/rbac-secrets: Role/demo/deployer rules[0].resourceNames: grants access to every Secret in scope [rbac-secrets] (fix: list the Secrets it needs in resourceNames)",
    ],
    "default-deny": [
        "tests/fixtures/rules/default-deny: -: security component is on but no NetworkPolicy denies Egress by default [default-deny] (fix: add a NetworkPolicy with podSelector: {}, those policyTypes and no rules)",
    ],
    "prod-manual-sync": [
        "tests/fixtures/rules/prod-manual-sync: Application/argocd/iris-prod spec.syncPolicy.automated: prod Application syncs automatically [prod-manual-sync] (fix: remove syncPolicy.automated; prod is synced by hand after review)",
    ],
    "appproject-scope": [
        "tests/fixtures/rules/appproject-scope: AppProject/argocd/iris spec.destinations[0].namespace: destination allows * [appproject-scope] (fix: list the namespace this project deploys to)",
        "tests/fixtures/rules/appproject-scope: AppProject/argocd/iris spec.sourceRepos[0]: source repos allow * [appproject-scope] (fix: list the repositories this project deploys from)",
        "tests/fixtures/rules/appproject-scope: AppProject/argocd/iris spec.clusterResourceWhitelist: only the platform project may create cluster-scoped kinds [appproject-scope] (fix: move cluster-scoped objects to an Application in the platform project)",
    ],
    "cronworkflow-schedules": [
        'tests/fixtures/rules/cronworkflow-schedules: CronWorkflow/demo/drift spec.schedule: schedule is deprecated [cronworkflow-schedules] (fix: use schedules: ["<cron>"])',
    ],
    "argo-sync-singular": [
        "tests/fixtures/rules/argo-sync-singular: CronWorkflow/demo/drift spec.workflowSpec.synchronization.mutex: mutex is deprecated [argo-sync-singular] (fix: use mutexes: (a list))",
        "tests/fixtures/rules/argo-sync-singular: CronWorkflow/demo/drift spec.workflowSpec.templates[0].synchronization.semaphore: semaphore is deprecated [argo-sync-singular] (fix: use semaphores: (a list))",
    ],
    "ref-service-account": [
        f"tests/fixtures/rules/ref-service-account: WorkflowTemplate/demo/pipeline spec.serviceAccountName: ServiceAccount pipeline-runner is not in the overlay or the platform list [ref-service-account] (fix: {HINT})",
    ],
    "ref-config": [
        f"tests/fixtures/rules/ref-config: WorkflowTemplate/demo/pipeline spec.templates[0].container.envFrom[2].secretRef.name: Secret s3-credentials is not in the overlay or the platform list [ref-config] (fix: {HINT})",
        f"tests/fixtures/rules/ref-config: WorkflowTemplate/demo/pipeline spec.volumes[0].projected.sources[1].secret.name: Secret tls-bundle is not in the overlay or the platform list [ref-config] (fix: {HINT})",
        f"tests/fixtures/rules/ref-config: WorkflowTemplate/demo/pipeline spec.templates[0].inputs.parameters[0].valueFrom.configMapKeyRef.name: ConfigMap pipeline-config is not in the overlay or the platform list [ref-config] (fix: {HINT})",
    ],
    "ref-secret-store": [
        f"tests/fixtures/rules/ref-secret-store: ExternalSecret/demo/s3-credentials spec.secretStoreRef.name: ClusterSecretStore vault is not in the overlay or the platform list [ref-secret-store] (fix: {HINT})",
        f"tests/fixtures/rules/ref-secret-store: ExternalSecret/demo/git-credentials spec.secretStoreRef.name: SecretStore local is not in the overlay or the platform list [ref-secret-store] (fix: {HINT})",
    ],
    "ref-pvc": [
        f"tests/fixtures/rules/ref-pvc: StatefulSet/demo/db spec.template.spec.volumes[1].persistentVolumeClaim.claimName: PersistentVolumeClaim backups is not in the overlay or the platform list [ref-pvc] (fix: {HINT})",
    ],
    "ref-role-binding": [
        f"tests/fixtures/rules/ref-role-binding: RoleBinding/demo/pipeline roleRef.name: Role pipeline is not in the overlay or the platform list [ref-role-binding] (fix: {HINT})",
        f"tests/fixtures/rules/ref-role-binding: RoleBinding/demo/pipeline subjects[1].name: ServiceAccount iris-pipline is not in the overlay or the platform list [ref-role-binding] (fix: {HINT})",
    ],
    "ref-service-selector": [
        "tests/fixtures/rules/ref-service-selector: Service/demo/api spec.selector: selector app=api,tier=backend matches no pod template in the overlay [ref-service-selector] (fix: match the workload's pod template labels)",
    ],
    "ref-scale-target": [
        "tests/fixtures/rules/ref-scale-target: HorizontalPodAutoscaler/demo/api spec.scaleTargetRef: Deployment api is not in the overlay [ref-scale-target] (fix: point scaleTargetRef at a workload the overlay renders)",
        "tests/fixtures/rules/ref-scale-target: PodDisruptionBudget/demo/api spec.selector.matchLabels: selector app=api matches no pod template in the overlay [ref-scale-target] (fix: match the workload's pod template labels)",
    ],
    "ref-workflow-template": [
        "tests/fixtures/rules/ref-workflow-template: CronWorkflow/demo/drift spec.workflowSpec.templates[0].steps[0][0].templateRef.template: WorkflowTemplate pipeline has no template main [ref-workflow-template] (fix: use one of: train)",
        f"tests/fixtures/rules/ref-workflow-template: CronWorkflow/demo/drift spec.workflowSpec.templates[0].steps[2][0].templateRef.name: WorkflowTemplate audit is not in the overlay or the platform list [ref-workflow-template] (fix: {HINT})",
        f"tests/fixtures/rules/ref-workflow-template: Workflow/demo/once spec.workflowTemplateRef.name: WorkflowTemplate pipline is not in the overlay or the platform list [ref-workflow-template] (fix: {HINT})",
    ],
    "ref-template-name": [
        "tests/fixtures/rules/ref-template-name: WorkflowTemplate/demo/pipeline spec.onExit: no template named cleanup [ref-template-name] (fix: use one of: main, train)",
        "tests/fixtures/rules/ref-template-name: WorkflowTemplate/demo/pipeline spec.templates[0].dag.tasks[1].template: no template named validation [ref-template-name] (fix: use one of: main, train)",
    ],
    "ref-output-parameter": [
        "tests/fixtures/rules/ref-output-parameter: WorkflowTemplate/demo/pipeline spec.templates[0].dag.tasks[1].arguments.parameters[1].value: task train has no output parameter version [ref-output-parameter] (fix: declare it in the template's outputs, or use: model-version, run-id)",
        "tests/fixtures/rules/ref-output-parameter: WorkflowTemplate/demo/pipeline spec.templates[0].dag.tasks[2].when: tasks.validation is not a task of this template [ref-output-parameter] (fix: use one of: deploy, train, validate)",
    ],
    "app-source-path": [
        "tests/fixtures/rules/app-source-path: Application/argocd/demo-missing spec.source.path: apps/qa has no kustomization in the repo [app-source-path] (fix: point it at an overlay directory that exists)",
        "tests/fixtures/rules/app-source-path: Application/argocd/demo-broken spec.sources[1].path: apps/broken does not build: resources: 'missing.yaml' does not exist [app-source-path] (fix: fix the path under resources:, relative to the kustomization)",
    ],
    "app-destination-namespace": [
        "tests/fixtures/rules/app-destination-namespace: Application/argocd/demo-dev spec.destination.namespace: is demo-staging but apps/dev renders into demo-dev [app-destination-namespace] (fix: make the destination namespace the overlay's `namespace:`)",
    ],
    "app-namespace-created": [
        "tests/fixtures/rules/app-namespace-created: Application/argocd/demo-dev spec.destination.namespace: nothing creates namespace demo-dev [app-namespace-created] (fix: render the Namespace from the source path, list it in policy/platform-objects.yaml, or add syncOptions CreateNamespace=true)",
    ],
    "metric-known": [
        "tests/fixtures/rules/metric-known: PrometheusRule/demo/pipeline spec.groups[0].rules[1].expr: metric mlpipeline_accuracy_floor is not on src/mlpipeline/metric_names.py [metric-known] (fix: fix the name, or add it to METRICS with the step that emits it)",
        "tests/fixtures/rules/metric-known: PrometheusRule/demo/pipeline spec.groups[0].rules[2].expr: metric model_infer_request_succes_total is not on src/mlpipeline/metric_names.py [metric-known] (fix: fix the name, or add it to METRICS with the step that emits it)",
        "tests/fixtures/rules/metric-known: ConfigMap/demo/dashboard data.iris.json.panels[0].targets[0].expr: metric model_infer_request_duration_bucket is not on src/mlpipeline/metric_names.py [metric-known] (fix: fix the name, or add it to METRICS with the step that emits it)",
    ],
    "waiver-reason": [
        "tests/fixtures/rules/waiver-reason: ConfigMap/demo/legacy metadata.annotations.waivers.iris-gitops.io/configmap-secret-keys: waiver has no reason, so it waives nothing [waiver-reason] (fix: say why the rule does not apply to this object)",
        "tests/fixtures/rules/waiver-reason: ConfigMap/demo/legacy metadata.annotations.waivers.iris-gitops.io/no-such-rule: waiver names unknown rule no-such-rule [waiver-reason] (fix: use a rule id from `python -m gitops.rules`)",
    ],
}


@pytest.mark.parametrize("rule_id", list(EXPECTED), ids=list(EXPECTED))
def test_bad_fixture_reports_exact_lines(rule_id, context):
    source, docs = load(FIXTURES / rule_id)
    findings = rules.run({source: docs}, context, only=[rule_id])
    assert [f.line() for f in findings] == EXPECTED[rule_id]


def test_every_rule_has_a_bad_fixture():
    # metric-emitted reads code, not manifests: its fixtures live in test_metric_emitted.py.
    assert set(EXPECTED) | {"metric-emitted"} == {r.ID for r in rules.RULES}
