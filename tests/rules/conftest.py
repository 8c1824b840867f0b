"""Fixtures shared by the rule tests."""

from __future__ import annotations

import pytest

from gitops.validate.policy import Context
from tests.rules.rule_fixtures import make_context


@pytest.fixture
def context(schema_index) -> Context:
    """The fixture repo's context; the Helm rules read the pinned charts from the schema store."""
    return make_context()
