"""The ways a step fails, and the exit codes that tell them apart.

Exit codes (documented in src/mlpipeline/README.md). The workflow's retry
expression retries 1 and never 2 (k8s/base/pipeline-workflowtemplate.yaml):
  0    done; a model that fails a validation gate is still a clean verdict
  1    runtime error that may heal on a retry: a server, the registry, git or S3 unreachable
  2    will not heal on a retry: a bad flag or environment value, or a state only a person
       (or another step) can change: no version at the champion alias, bad data, a read-only
       registry database, a refused rollback
  130  interrupted (SIGINT)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C


class StepError(Exception):
    """A runtime failure the operator can fix; printed as one line.

    `input` names what was wrong (a flag, a URI, a path) and `fix` says what to
    do, so the Argo UI's one-line message is enough to act on.
    """

    exit_code = EXIT_RUNTIME

    def __init__(self, input: str, what: str, fix: str):
        super().__init__(what)
        self.input = input
        self.what = what
        self.fix = fix

    def line(self, step: str) -> str:
        return f"{step}: {self.input}: {self.what} (fix: {self.fix})"


class UsageError(StepError):
    """A bad flag or environment value: exit 2, nothing was touched."""

    exit_code = EXIT_USAGE


class PermanentError(StepError):
    """A state a retry minutes later cannot change (a missing version or alias, bad data,
    a read-only database, a refused rollback): exit 2, not retried."""

    exit_code = EXIT_USAGE
