"""axe-core finds no WCAG 2.2 A/AA violation on the pages every visitor meets (issue 16).

axe-core runs inside the page, on the DOM the visitor has once the page has settled (its
late htmx sections in), at the desktop and the phone widths. It is vendored, pinned, in
``tests/browser/vendor/`` (MPL-2.0, its licence header kept): no download at test time.

A failure lists each violated rule with its help text and the first offending elements,
which is what one needs to mend it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import settle

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright").expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

AXE = Path(__file__).parent / "vendor" / "axe-4.11.4.min.js"
# The rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices
# that carry no WCAG number but that a screen-reader user meets (landmarks, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RADIOHEAD = 304
NO_SURPRISES = 1046
NO_SURPRISES_TRACK = 9525

PAGES = {
    "home": "/",
    "browse": "/artists/",
    "search": "/search/?q=radiohead",
    "artist": f"/artists/{RADIOHEAD}/",
    "release": f"/releases/{NO_SURPRISES}/",
    "track": f"/tracks/{NO_SURPRISES_TRACK}/",
    "tag": "/tags/rock/",
    "basket": "/basket/",
    "sign-in": "/accounts/login/",
    "sign-up": "/accounts/signup/",
}

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
        count: violation.nodes.length,
    }));
}"""


def violations(page) -> list[dict]:
    settle(page)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


def described(found: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']}; e.g. "
        + ", ".join(v["nodes"])
        for v in found
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_no_page_a_visitor_meets_has_an_axe_violation(viewport, request):
    page = request.getfixturevalue(viewport)
    found = {}
    for name, path in PAGES.items():
        page.goto(path)
        problems = violations(page)
        if problems:
            found[name] = problems
    assert not found, "axe-core found violations:\n" + "\n".join(
        f"{name} ({path}):\n{described(found[name])}"
        for name, path in PAGES.items()
        if name in found
    )


def test_a_basket_holding_a_track_has_no_axe_violation(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    settle(page)
    page.locator(".release-buy").get_by_role("button", name="Add standard to basket").click()
    expect(page.locator("#basket-link")).to_contain_text("(1")
    page.goto("/basket/")
    problems = violations(page)
    assert not problems, "axe-core found violations on a full basket:\n" + described(problems)


def test_a_screen_reader_hears_the_password_rules_on_sign_up(desktop):
    page = desktop
    page.goto("/accounts/signup/")
    password = page.get_by_label("Password", exact=False).first
    described_by = password.get_attribute("aria-describedby")
    assert described_by, "the password field points at no description"
    rules = page.locator(f"#{described_by}").text_content()
    assert "at least 8 characters" in rules
    assert "commonly used password" in rules
