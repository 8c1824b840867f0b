"""What people read where the record keeps Argo's own words: a skipped step's reason as a sentence.

workflow.json keeps the controller's message for a skipped node, `when
''false' == 'true'' evaluated false` (the condition after substitution), so it
matches `argo get`. The live view and the summary say it with the task's own
condition: `skipped: validate's output passed is 'false'; deploy runs only
when it is 'true'`.
"""

from __future__ import annotations

import re
from typing import Any

_EVALUATED = re.compile(r"^when '(?P<evaluated>.*)' evaluated false$", re.S)
_COMPARISON = re.compile(r"^\s*'?(?P<left>[^']*?)'?\s*(?P<op>==|!=)\s*'?(?P<right>[^']*?)'?\s*$")
_OUTPUT = re.compile(r"^\{\{(?:tasks|steps)\.(?P<task>[\w-]+)\.outputs\.parameters\.(?P<parameter>[\w-]+)\}\}$")


def task_when(owners: list[Any], display_name: str) -> str:
    """The `when` of the DAG task or step named `display_name`, as written in its template."""
    for owner in owners:
        for template in owner.spec.get("templates") or []:
            tasks = list((template.get("dag") or {}).get("tasks") or [])
            tasks += [step for group in template.get("steps") or [] for step in group or []]
            for task in tasks:
                if task.get("name") == display_name and task.get("when"):
                    return str(task["when"])
    return ""


def skip_sentence(name: str, message: str, written: str) -> str:
    """`message` (Argo's) as a sentence, using `written`, the condition as the template has it."""
    evaluated = _EVALUATED.match(message)
    if not evaluated:
        return message
    now, wanted = _COMPARISON.match(evaluated["evaluated"]), _COMPARISON.match(written)
    if now and wanted:
        output = _OUTPUT.match(wanted["left"])
        subject = f"{output['task']}'s output {output['parameter']}" if output else wanted["left"]
        rule = "is" if wanted["op"] == "==" else "is not"
        return f"skipped: {subject} is '{now['left']}'; {name} runs only when it {rule} '{wanted['right']}'"
    return f"skipped: its condition {written or evaluated['evaluated']} is false ({evaluated['evaluated']})"


def people_message(operator, node) -> str:
    """A node's message for the live view, the tree and the summary."""
    if node.phase != "Skipped":
        return node.message
    owners = [operator.main, *operator.owners.values()]  # the running workflow's own, then templateRef targets
    return skip_sentence(node.display_name, node.message, task_when(owners, node.display_name))


def step_name(display_name: str) -> str:
    """`train(1)`, Argo's name for a retried step's second attempt, as people say it: `train, attempt 2`."""
    return re.sub(r"\((\d+)\)$", lambda m: f", attempt {int(m[1]) + 1}", display_name)
