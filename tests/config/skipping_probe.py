"""Not collected by the suite (no test_ prefix): tests/config/test_prerequisites.py runs
it on its own, to see what becomes of skips."""

import pytest

from tests.prerequisites import missing


def test_needs_redis():
    missing("no Redis answers here", service="redis")


@pytest.mark.skipif(True, reason="a plain skip")
def test_skipped_plainly():
    pass


@pytest.mark.optional_on("the probe's check cannot apply here")
def test_optional_here():
    pytest.skip("does not apply to this machine")
