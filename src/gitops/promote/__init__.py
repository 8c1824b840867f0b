"""`scripts/promote` (python -m gitops.promote): a model pin and its images one environment up, by pull request.

promotion.py  plan (every refusal) and the all-or-nothing change
images.py     `kustomize edit set image` on a round-trip document
roundtrip.py  YAML that keeps comments and layout when tooling rewrites a file
"""
