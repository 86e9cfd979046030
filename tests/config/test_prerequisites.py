"""CI does not go green on checks it never ran: under TESTS_REQUIRE_PREREQUISITES=1 a
skipped test fails, except one marked optional_on or a server CI declared absent."""

import re
import subprocess
import sys

from tests.config.fresh_process import BASE_DIR, fresh_environment

PROBE = "tests/config/skipping_probe.py"


def summary(**environment) -> str:
    result = subprocess.run(  # noqa: S603 - this interpreter, our own probe
        [sys.executable, "-m", "pytest", PROBE, "-p", "no:cacheprovider", "-q"],
        cwd=BASE_DIR,
        env=fresh_environment(environment),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.stdout.strip().splitlines()[-1]


def counts(line: str) -> dict[str, int]:
    """pytest's closing line as counts: a skip turned to a failure at setup is an error."""
    found = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", line)}
    return {
        "not run": found.get("skipped", 0),
        "failed": found.get("failed", 0) + found.get("error", 0) + found.get("errors", 0),
    }


def test_locally_a_missing_prerequisite_skips():
    line = summary()
    assert counts(line) == {"not run": 3, "failed": 0}, line


def test_in_ci_every_skip_fails_but_the_optional_one():
    line = summary(TESTS_REQUIRE_PREREQUISITES="1")
    assert counts(line) == {"not run": 1, "failed": 2}, line


def test_in_ci_a_server_declared_absent_may_skip():
    line = summary(TESTS_REQUIRE_PREREQUISITES="1", TESTS_ABSENT_SERVICES="postgresql,redis")
    assert counts(line) == {"not run": 2, "failed": 1}, line
