"""Repo tooling, one package per command over a small shared core (never in the step image).

core/      documents, findings, YAML parsing, kustomize builds and the run's renders, git, environments
render/    python -m gitops.render DIR      (make render)
validate/  python -m gitops.validate        (make validate): schemas, policy rules
promote/   python -m gitops.promote         (scripts/promote)
diff/      python -m gitops.diff            (scripts/diff) and python -m gitops.diff.prcomment
runner/    python -m gitops.runner          (make demo): the WorkflowTemplate on this machine
bench/     python -m gitops.bench           (make bench)
"""
