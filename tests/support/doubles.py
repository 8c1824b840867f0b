"""The one test double in the suite: the GitHub API, which cannot be reached here.

It implements mlpipeline.pullrequests.PullRequests, the interface the real
client (mlpipeline.github) implements, and records every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlpipeline.pullrequests import PullRequest


@dataclass
class RecordingPullRequests:
    calls: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    comments: dict[int, list[str]] = field(default_factory=dict)
    next_number: int = 1

    @property
    def opened(self) -> list[dict[str, object]]:
        return [request for call, request in self.calls if call == "open_pull_request"]

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
