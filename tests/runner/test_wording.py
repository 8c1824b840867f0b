"""A skipped step's reason in words, from the condition as written; Argo's message stays in the record."""

from __future__ import annotations

import pytest

from gitops.runner.wording import skip_sentence, step_name


@pytest.mark.parametrize(
    ("message", "written", "sentence"),
    [
        pytest.param(
            "when ''false' == 'true'' evaluated false",
            "'{{tasks.validate.outputs.parameters.passed}}' == 'true'",
            "skipped: validate's output passed is 'false'; deploy runs only when it is 'true'",
            id="an-output-equal",
        ),
        pytest.param(
            "when ''prod' != 'prod'' evaluated false",
            "'{{steps.pick.outputs.parameters.env}}' != 'prod'",
            "skipped: pick's output env is 'prod'; deploy runs only when it is not 'prod'",
            id="an-output-not-equal",
        ),
        pytest.param(
            "when '3 > 4' evaluated false",
            "{{inputs.parameters.n}} > 4",
            "skipped: its condition {{inputs.parameters.n}} > 4 is false (3 > 4)",
            id="any-other-condition",
        ),
        pytest.param("omitted: depends condition not met", "", "omitted: depends condition not met", id="not-a-when"),
    ],
)
def test_a_skip_reads_as_a_sentence(message, written, sentence):
    assert skip_sentence("deploy", message, written) == sentence


def test_an_attempt_is_named_as_people_count():
    assert (step_name("train(0)"), step_name("train(3)"), step_name("deploy")) == (
        "train, attempt 1",
        "train, attempt 4",
        "deploy",
    )
