"""`python -m gitops.validate.policy`: list every rule id with its severity and description."""

from gitops.validate.policy import waivers
from gitops.validate.policy.registry import RULES

for rule in (*RULES, waivers):
    print(f"{rule.ID:28} {rule.SEVERITY:8} {rule.DESCRIPTION}")
