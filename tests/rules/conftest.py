"""Fixtures shared by the rule tests."""

from __future__ import annotations

import pytest

from gitops.validate.policy import Context
from tests.rules.rule_fixtures import make_context


@pytest.fixture
def context() -> Context:
    return make_context()
