"""`scripts/new-model NAME` (python -m gitops.scaffold): a new model's declaration, Python spec and folders.

model.py      what a model name must be, and the files a new model is
templates.py  the text of each file
cli.py        the command: refuse, or write every file (all or nothing)
"""
