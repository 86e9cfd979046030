"""Generated requests at every route of the site get no server error.

Every pattern of the URL resolver (so a new route is covered without being listed), as
an anonymous visitor, a customer and a member of staff: ids that exist, 0, negative,
2**63 and beyond, "²", 5,000 digits, NUL bytes, paths, long and arbitrary text; the query
and form keys the views read and random ones; GET, HEAD, POST and rarer methods, with
and without the CSRF check and its token; htmx, Range, Accept and Origin headers. A
failure is a 5xx, an exception raised while serving (the site's, or the sandbox's behind
it), or a traceback in the body; each distinct one is listed with a request that
reproduces it (``bench/fuzz.py`` runs the same generators with many more cases).
"""

from __future__ import annotations

import pytest

from scripts import fuzzing

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

ACTORS = ["anonymous", "customer", "staff"]
PER_ROUTE = 3  # the simplest request first (the page as it works), then generated ones
ACROSS_ROUTES = 150  # more, each at a route Hypothesis draws


def _checker(shop, catcher, who: str, failures: fuzzing.Failures):
    actor = shop.actors[who]

    def check(case: fuzzing.Case) -> None:
        with fuzzing.rolled_back():
            outcome = fuzzing.run_site_case(actor, case, catcher)
        if outcome.failed:
            failures.add(who, case, outcome)

    return check


@pytest.mark.parametrize("who", ACTORS)
def test_every_route_answers_generated_requests_without_a_server_error(shop, catcher, who):
    failures = fuzzing.Failures()
    strategies = [fuzzing.site_cases(route, shop.known) for route in fuzzing.url_routes()]

    fuzzing.sweep(strategies, PER_ROUTE, _checker(shop, catcher, who, failures))

    assert failures.total == 0, f"server errors:\n{failures.report()}"


@pytest.mark.parametrize("who", ACTORS)
def test_generated_requests_at_routes_drawn_at_random_get_no_server_error(shop, catcher, who):
    failures = fuzzing.Failures()
    strategy = fuzzing.any_site_case(fuzzing.url_routes(), shop.known)

    fuzzing.explore(strategy, ACROSS_ROUTES, _checker(shop, catcher, who, failures))

    assert failures.total == 0, f"server errors:\n{failures.report()}"


@pytest.mark.parametrize("who", ACTORS)
def test_the_inputs_issue_16_found_make_no_server_error_at_any_route(shop, catcher, who):
    """ "²", 5,000 digits, 2**63, a NUL byte, ``x`` and ``account_logout`` in every
    parameter each view reads and in every part of its path, as GET and POST."""
    failures = fuzzing.Failures()
    check = _checker(shop, catcher, who, failures)

    for route in fuzzing.issue_16_routes(fuzzing.url_routes(), who):
        for case in fuzzing.issue_16_cases(route, shop.known):
            check(case)

    assert failures.total == 0, f"server errors:\n{failures.report()}"
