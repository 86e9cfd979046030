"""Generated requests at every endpoint of the sandbox get no server error.

Every 7digital endpoint its router serves (``sandbox.routing.ROUTES``) and every path of
its URLconf (the control API, the artwork CDN, the catch-all), called as a 7digital
client would (signed in the Authorization header or the query, wrongly signed,
unsigned), starting from a call that works and changing a few parameters: oversized
and malformed ids, pages, page sizes, countries, shop ids, formats, usage types, OAuth
parameters, Range headers, play-log bodies in JSON and XML. A failure is a 5xx, an
exception raised while serving, or a traceback in the body.
"""

from __future__ import annotations

import pytest

from scripts import fuzzing

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

PER_ENDPOINT = 6  # the call that works first, then generated ones
ACROSS_ENDPOINTS = 200


def _routes() -> list[fuzzing.Route]:
    return fuzzing.sandbox_api_routes() + fuzzing.url_routes("sandbox.urls")


def _checker(catcher, failures: fuzzing.Failures):
    session = fuzzing.sandbox_session()

    def check(case: fuzzing.Case) -> None:
        with fuzzing.rolled_back():
            outcome = fuzzing.run_sandbox_case(session, case, catcher)
        if outcome.failed:
            failures.add("sandbox", case, outcome)

    return check


def test_every_endpoint_answers_generated_calls_without_a_server_error(shop, catcher):
    failures = fuzzing.Failures()
    strategies = [fuzzing.sandbox_cases(route, shop.known) for route in _routes()]

    fuzzing.sweep(strategies, PER_ENDPOINT, _checker(catcher, failures))

    assert failures.total == 0, f"server errors:\n{failures.report()}"


def test_generated_calls_at_endpoints_drawn_at_random_get_no_server_error(shop, catcher):
    failures = fuzzing.Failures()
    strategy = fuzzing.any_sandbox_case(_routes(), shop.known)

    fuzzing.explore(strategy, ACROSS_ENDPOINTS, _checker(catcher, failures))

    assert failures.total == 0, f"server errors:\n{failures.report()}"


def test_the_inputs_issue_16_found_make_no_server_error_at_any_endpoint(shop, catcher):
    """ "²", 5,000 digits, 2**63 and a NUL byte in each parameter each handler reads and in
    its path (``/clip/<5,000 digits>``), and Ranges of thousands of digits, on calls that
    otherwise work."""
    failures = fuzzing.Failures()
    check = _checker(catcher, failures)

    for route in fuzzing.sandbox_api_routes():
        for case in fuzzing.issue_16_sandbox_cases(route, shop.known):
            check(case)

    assert failures.total == 0, f"server errors:\n{failures.report()}"
