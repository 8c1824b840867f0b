"""`python -m gitops.rules`: list every rule id with its severity and description."""

from gitops.rules.registry import RULES

for rule in RULES:
    print(f"{rule.ID:28} {rule.SEVERITY:8} {rule.DESCRIPTION}")
