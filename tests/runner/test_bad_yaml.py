"""A YAML stream that does not parse is one line naming the file, the line in that file (not in its
document), what is wrong and the fix; exit 2 and nothing run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gitops.core import yamlio

# Not .yaml: yamllint checks every .yaml file of the repo, and this one must not parse.
BAD = Path(__file__).resolve().parents[1] / "fixtures" / "runner" / "bad-yaml" / "two-documents.txt"


def test_a_parse_error_in_a_later_document_gives_the_file_s_line(repo, tmp_path):
    source = str(BAD.relative_to(repo))
    argv = [sys.executable, "-m", "gitops.runner", "--file", source, "--state-dir", str(tmp_path)]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=repo, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")
    # Line 12 of the file (`  templates: []` after the unclosed list), which is line 9 of its document.
    assert done.stderr.splitlines() == [
        f"runner: {source}: cannot parse it: line 12, column 12: illegal placement of ':' indicator (fix: fix the "
        f"YAML at that line; .venv/bin/yamllint {source} shows it in context)"
    ]
    assert not (tmp_path / "runs").exists()


def test_each_document_s_errors_count_lines_from_the_top_of_the_text():
    text = "---\na: 1\n---\n\n---\nb: [1\nc: 2\n---   \nd: 1\n  e: 2\n"
    docs, errors = yamlio.load_documents(text)
    assert docs == [{"a": 1}]
    assert [(e.index, e.message) for e in errors] == [
        (1, "line 7, column 2: illegal placement of ':' indicator"),
        (2, "line 10, column 4: mapping values are not allowed in this context"),
    ]
    assert yamlio.split_documents(text) == ["\na: 1\n", "\nb: [1\nc: 2\n", "\nd: 1\n  e: 2\n"]
