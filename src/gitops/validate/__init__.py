"""`python -m gitops.validate`: render every kustomization, check it the way the platform would.

run.py       one run: render (once, through core.renders), parse, schema-check, rules
schemas/     the offline schema store (pinned platform CRDs), the schema and CEL check of one object
apiserver/   the API server's built-in validation of core kinds, one module per concern
policy/      the rules engine (registry, waivers, context) and its rules/
discover.py  which kustomizations a run builds; components no overlay builds
report.py    findings per kustomization, the summary table, JSON
"""
