"""The parsers the API server's checks rely on, against the upstream texts they port.

Cron: robfig/cron v3.0.1 parser.go (ParseStandard, getRange, mustParseInt, parseDescriptor),
which pkg/apis/batch/validation/validation.go calls for CronJob schedules.
Quantities: apimachinery v0.33.0 pkg/api/resource/quantity.go (ParseQuantity and its three errors).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from gitops.validate.apiserver import cron, quantity, registry
from tests.support import fixtures

SCHEDULES = [
    ("*/15 * * * *", ""),
    ("0 9 * * MON-FRI", ""),
    ("? * * * *", ""),
    ("@daily", ""),
    ("@every 1h30m", ""),
    ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
    ("0 0 1 * * *", "expected exactly 5 fields, found 6: [0 0 1 * * *]"),
    ("0 3 * *", "expected exactly 5 fields, found 4: [0 3 * *]"),
    ("@reboot", "unrecognized descriptor: @reboot"),
    ("0 0 L * *", 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
    ("@every 1d", 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"'),
    ("", "empty spec string"),
]


@pytest.mark.parametrize("spec,error", SCHEDULES, ids=[s or "empty" for s, _ in SCHEDULES])
def test_cron_schedules_parse_as_robfig_v3_0_1_does(spec, error):
    assert cron.parse_error(spec) == error


QUANTITIES = [
    ("512Mi", Fraction(512 * 2**20), ""),
    ("0.5", Fraction(1, 2), ""),
    ("100m", Fraction(1, 10), ""),
    ("1e3", Fraction(1000), ""),
    (" 1Gi", Fraction(2**30), ""),
    (2, Fraction(2), ""),
    ("512Mb", None, quantity.FORMAT_WRONG),
    ("1 Gi", None, quantity.FORMAT_WRONG),
    ("1K", None, quantity.SUFFIX),
    ("1mi", None, quantity.SUFFIX),
]


@pytest.mark.parametrize("raw,value,error", QUANTITIES, ids=[str(q) for q, _, _ in QUANTITIES])
def test_quantities_parse_as_parse_quantity_does(raw, value, error):
    assert quantity.parse(raw) == (value, error)


def test_every_check_module_has_a_bad_fixture():
    """One fixture per rule class: tests/fixtures/validate/apiserver-<module id>/."""
    cases = {c.name for c in fixtures.cases("validate")}
    assert [m.ID for m in registry.CHECKS if f"apiserver-{m.ID}" not in cases] == []
