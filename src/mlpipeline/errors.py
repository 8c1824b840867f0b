"""The two ways a step fails, and the exit codes that tell them apart.

Exit codes (documented in src/mlpipeline/README.md):
  0    done; a model that fails a validation gate is still a clean verdict
  1    runtime error: an input (registry, git, data, server) is wrong or unreachable; a retry may heal it
  2    bad usage (a flag or its environment default is missing or invalid), or a cause no retry heals
       (a read-only registry database): the WorkflowTemplate's retryStrategy retries exit 1 only
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
    """A cause that retrying cannot heal (a read-only database, a refused rollback): exit 2, like bad usage,
    so the retry expression (exit 1 only) does not spend minutes on it."""

    exit_code = EXIT_USAGE
