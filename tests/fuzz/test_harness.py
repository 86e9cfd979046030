"""The fuzz suite notices what it is there to notice: a route nobody listed, a server
error behind it, a traceback shown with a 200."""

from __future__ import annotations

import pytest
from django.test import Client

from scripts import fuzzing

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.fuzz.broken_urls")]


@pytest.fixture
def visitor():
    return fuzzing.SiteActor("anonymous", Client(), fuzzing.new_csrf_token())


def _route(template: str) -> fuzzing.Route:
    return next(route for route in fuzzing.url_routes() if route.template == template)


def test_a_route_added_to_the_urlconf_is_fuzzed_with_the_inputs_issue_16_found(visitor, catcher):
    route = _route("/added-later/<int:number>/")
    failures = fuzzing.Failures()

    for case in fuzzing.issue_16_cases(route, {}):
        outcome = fuzzing.run_site_case(visitor, case, catcher)
        if outcome.failed:
            failures.add("anonymous", case, outcome)

    assert {(method, status, kind) for (_, method, _, status, kind) in failures.seen} == {
        ("GET", 500, "ValueError")
    }
    assert "page=%C2%B2" in failures.report()  # a request that reproduces it


def test_a_route_added_to_the_urlconf_gets_generated_requests_too(visitor, catcher):
    route = _route("/added-later/<int:number>/")
    sent: list[fuzzing.Case] = []

    def check(case: fuzzing.Case) -> None:
        sent.append(case)
        fuzzing.run_site_case(visitor, case, catcher)

    fuzzing.sweep([fuzzing.site_cases(route, {})], 5, check)

    assert len(sent) == 5
    assert all(case.route == "/added-later/<int:number>/" for case in sent)


def test_a_traceback_in_a_page_that_answered_200_is_a_failure(visitor, catcher):
    case = fuzzing.Case("GET", "/shows-a-traceback/", "/shows-a-traceback/")

    outcome = fuzzing.run_site_case(visitor, case, catcher)

    assert outcome.status == 200
    assert outcome.failed
