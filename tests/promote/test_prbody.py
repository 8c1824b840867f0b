"""The PR body's `Seen serving` line says what the audit tags hold, and nothing they do not."""

from __future__ import annotations

from datetime import datetime, timezone

from gitops.promote.gate import Facts
from gitops.promote.prbody import seen_line
from mlpipeline import audit

SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
# A pull request merged on GitHub: the person who pressed merge is in neither field (the PR's merged_by says it).
MERGED_ON_GITHUB = audit.Commit(
    SHA, "Ada <ada@example.org>", "GitHub <noreply@github.com>", "2026-01-05T09:00:00Z", "Merge pull request #7"
)


def facts(commit: audit.Commit | None) -> Facts:
    tags = audit.deployment_tags(
        "dev", "dev", SHA, commit, 0.9667, 0.0123, 30, datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    )
    seen = {key.removeprefix("deployed.dev."): value for key, value in tags.items()}
    return Facts("iris", "4", "1.2.0", "r", "1", "", "", "", "", {}, "", seen={"dev": seen})


def test_the_committer_is_named_as_committer_never_as_who_merged():
    line = seen_line(facts(MERGED_ON_GITHUB), "dev")
    assert line == (
        "dev since 2026-01-05T09:30:00Z: probe accuracy 0.9667, 12.3 ms, commit 1a2b3c4d5e6f, "
        "author Ada <ada@example.org>, committer GitHub <noreply@github.com>"
    )
    assert "merged" not in line


def test_a_commit_the_check_could_not_read_is_named_alone():
    """In the cluster a private repository is not readable by the check: the version holds the commit only."""
    line = seen_line(facts(None), "dev")
    assert line == "dev since 2026-01-05T09:30:00Z: probe accuracy 0.9667, 12.3 ms, commit 1a2b3c4d5e6f"
