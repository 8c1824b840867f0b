"""The pull-request interface promotion, the deploy step and the PR-diff job share.

Everything that talks to the forge goes through `PullRequests`; the GitHub
REST client (gitops.github) implements it for real and `RecordingPullRequests`
implements it for tests, so no test needs the network. Standard library only,
so the step image can import it too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str


class PullRequests(Protocol):
    def open_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request merging branch `head` (already pushed) into `base`."""
        ...

    def upsert_comment(self, *, number: int, marker: str, body: str) -> str:
        """Create or replace the one comment on PR `number` whose body contains `marker`; returns its URL.

        `marker` is a hidden HTML comment, so a job updates its own comment
        instead of adding one per push.
        """
        ...


@dataclass
class RecordingPullRequests:
    """Test double: records every call and keeps comments in memory."""

    calls: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    comments: dict[int, list[str]] = field(default_factory=dict)
    next_number: int = 1

    def open_pull_request(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        self.calls.append(("open_pull_request", {"head": head, "base": base, "title": title, "body": body}))
        number, self.next_number = self.next_number, self.next_number + 1
        return PullRequest(number=number, url=f"https://github.test/pulls/{number}")

    def upsert_comment(self, *, number: int, marker: str, body: str) -> str:
        self.calls.append(("upsert_comment", {"number": number, "marker": marker, "body": body}))
        comments = self.comments.setdefault(number, [])
        for index, existing in enumerate(comments):
            if marker in existing:
                comments[index] = body
                return f"https://github.test/pulls/{number}#comment-{index}"
        comments.append(body)
        return f"https://github.test/pulls/{number}#comment-{len(comments) - 1}"
