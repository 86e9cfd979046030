"""Every link and button of the catalogue's charts and lists is a target at least 24 px
high and wide (WCAG 2.2, 2.5.8 "Target size (minimum)"; issue 16).

Chart titles and artists, card artists and track titles were 16 to 19 px tall: a finger
meant for one could land on the next. Measured in the browser, on the pages' settled DOM
(late sections in), at the desktop and the phone widths.
"""

from __future__ import annotations

import pytest

from .conftest import settle

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

RADIOHEAD = 304
PAGES = {"home": "/", "tag": "/tags/rock/", "artist": f"/artists/{RADIOHEAD}/"}
MINIMUM = 24

# Every visible link and button in <main> smaller than the minimum either way (visually
# hidden ones, one pixel square, are not targets anyone sees).
SMALL_TARGETS = """(minimum) => [...document.querySelectorAll("main a[href], main button")]
    .filter((element) => element.checkVisibility())
    .map((element) => [element, element.getBoundingClientRect()])
    .filter(([, box]) => box.width > 1 && box.height > 1)
    .filter(([, box]) => box.width < minimum || box.height < minimum)
    .map(([element, box]) => ({
        text: element.textContent.trim().slice(0, 40),
        in: element.parentElement.className,
        width: Math.round(box.width * 10) / 10,
        height: Math.round(box.height * 10) / 10,
    }))"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_link_and_button_in_charts_and_lists_is_at_least_24_px(viewport, request):
    page = request.getfixturevalue(viewport)
    found = {}
    for name, path in PAGES.items():
        page.goto(path)
        settle(page)
        small = page.evaluate(SMALL_TARGETS, MINIMUM)
        if small:
            found[name] = small
    assert not found, "targets under 24 px:\n" + "\n".join(
        f"{name}: {len(small)}, e.g. {small[:3]}" for name, small in found.items()
    )
