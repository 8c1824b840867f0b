"""`scripts/diff` (python -m gitops.diff) and the pull-request comment (python -m gitops.diff.prcomment).

against.py    render an overlay now or at a git ref; diff environments or commits
objects.py    the semantic, per-object, per-field diff of two renders
hashsuffix.py generator hash suffixes, so a renamed ConfigMap is not noise
report.py     a diff as text, JSON or Markdown
prcomment.py  one comment per PR with the diff of every overlay it touches
"""
