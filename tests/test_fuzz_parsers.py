"""Every parser of untrusted input, fuzzed (tests/fuzz_targets.py): 0 untyped exceptions (an input is
refused only with a ParseError naming it) and 0 inputs over the per-input time budget. bench/fuzz.py
runs the same targets with more inputs and records the counts in bench/results/fuzz.json."""

from __future__ import annotations

import pytest
from fuzz_targets import TARGETS, Target, attempt, describe
from hypothesis import HealthCheck, given, settings


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_fuzzed_inputs_are_parsed_or_refused_typed_within_budget(target: Target) -> None:
    slow: list[str] = []
    calls = [0]

    @settings(max_examples=target.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def check(value: object) -> None:
        outcome = attempt(target, value)
        calls[0] += 1
        assert outcome.kind != "untyped", f"{target.name}: {outcome.detail}\ninput: {describe(value)}"
        if outcome.seconds > target.budget and calls[0] > 1:  # the first input also pays for imports
            slow.append(f"{outcome.seconds:.1f}s: {describe(value)}")

    check()
    assert slow == [], f"{target.name}: {len(slow)} inputs over the {target.budget}s budget: {slow[:3]}"
