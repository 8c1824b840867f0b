"""Fixtures shared by the rule tests."""

from __future__ import annotations

import pytest
from rule_fixtures import make_context

from gitops.rules import Context


@pytest.fixture
def context() -> Context:
    return make_context()
