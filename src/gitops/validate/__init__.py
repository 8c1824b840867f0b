"""`python -m gitops.validate`: render every kustomization, check it the way the platform would.

run.py       one run: render (once, through core.renders), parse, schema-check, rules
schemas/     the offline schema store and the schema check of one object
policy/      the rules engine (registry, waivers, context) and its rules/
discover.py  which kustomizations a run builds; components no overlay builds
report.py    findings per kustomization, the summary table, JSON
"""
