"""The layout on a 390 px phone and a 1,280 px screen (issue 16): a compact header whose
controls are all on screen (the country and the account behind a "Menu" disclosure), a
slim player bar until something plays, no page that scrolls sideways (the order page
included), and the signed-in header on one row at 1,280 px. Screenshots at both widths."""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS, opened_page, screenshot, settle
from .test_journey import NO_SURPRISES, NO_SURPRISES_TRACK, PLAYING, RADIOHEAD

playwright = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
expect = playwright.expect

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", "sandbox"]),
]

PHONE_390 = {"width": 390, "height": 844}
DESKTOP_1280 = {"width": 1280, "height": 800}
EMAIL = "listener@example.com"
MOST_OF_THE_SCREEN = 0.15  # the header's share of a phone's height, at most
SLIM = 56  # px: the player bar before anything plays, at most

# The header's controls a visitor can see now, and where they are.
HEADER_CONTROLS = """() => [...document.querySelectorAll(
        ".site-header :is(a[href], button, input:not([type=hidden]), select, summary)")]
    .filter((element) => element.checkVisibility({visibilityProperty: true}))
    .map((element) => {
        const box = element.getBoundingClientRect();
        return {
            name: (element.matches("input, select") ? element.id : element.textContent.trim())
                .slice(0, 30),
            left: box.left, right: box.right, top: box.top, bottom: box.bottom,
        };
    })"""

# The header's items (name, search, links, menu, basket) as laid out.
HEADER_ITEMS = """() => [...document.querySelectorAll(
        ".site-name, .site-search, .site-nav a, .country-switch > :not([type=hidden]), "
        + ".account-nav a, .header-basket a, .header-menu-toggle")]
    .filter((element) => element.checkVisibility({visibilityProperty: true}))
    .map((element) => {
        const box = element.getBoundingClientRect();
        return {name: (element.textContent.trim() || element.className).slice(0, 30),
                top: box.top, bottom: box.bottom};
    })"""

# A phone's browser widens its layout to fit a page that is too wide (innerWidth grows
# with it): compare with the screen's width, as the window was opened.
WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def customer(storefront, monkeypatch):
    """A signed-in customer who has bought "No Surprises": their session cookie and the
    address of their order (complete: the worker's jobs are done at once)."""
    from allauth.account.models import EmailAddress
    from django.test import Client

    from accounts.models import User
    from accounts.services import partner_user_ensure
    from store.checkout import tasks
    from store.checkout.models import Order

    monkeypatch.setattr(tasks.order_line_deliver, "delay", tasks.order_line_deliver)
    monkeypatch.setattr(tasks.order_receipt_send, "delay", tasks.order_receipt_send)
    user = User.objects.create_user(email=EMAIL, password="x" * 12, country="GB")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    partner_user_ensure(user=user)
    client = Client()
    client.force_login(user)
    client.post(
        "/basket/add/",
        {"release": NO_SURPRISES, "package": 2, "next": f"/releases/{NO_SURPRISES}/"},
    )
    client.post("/checkout/", {"card_number": "4242 4242 4242 4242"})
    order = Order.objects.get(user=user)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": storefront}
    return {"cookie": cookie, "order": order.get_absolute_url()}


@pytest.fixture
def phone_390(browser, storefront):
    with opened_page(browser, storefront, PHONE_390, phone=True) as page:
        yield page


@pytest.fixture
def signed_in_phone(phone_390, customer):
    phone_390.context.add_cookies([customer["cookie"]])
    return phone_390


@pytest.fixture
def signed_in_desktop(browser, storefront, customer):
    with opened_page(browser, storefront, DESKTOP_1280) as page:
        page.context.add_cookies([customer["cookie"]])
        yield page


def window_shot(page, name: str) -> None:
    """What the visitor sees in the window (the header and a menu open over the page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_size['width']}px.png"))


def add_to_basket(page) -> None:
    page.goto(f"/releases/{NO_SURPRISES}/")
    page.locator(".release-buy").get_by_role("button", name="Add standard to basket").click()
    expect(page.locator("#basket-link")).to_contain_text("(1")


def sideways(page) -> float:
    """How far the page scrolls sideways on the screen it was opened on."""
    return page.evaluate(WIDTH) - page.viewport_size["width"]


def assert_on_screen(page, controls: list[dict]) -> None:
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    off = [
        c
        for c in controls
        if c["left"] < 0 or c["right"] > width or c["top"] < 0 or c["bottom"] > height
    ]
    assert not off, f"cut off in a {width}x{height} window: {off}"


def assert_one_row(items: list[dict]) -> None:
    """Every item crosses one horizontal line: they sit on one row."""
    lowest_top = max(item["top"] for item in items)
    highest_bottom = min(item["bottom"] for item in items)
    assert lowest_top < highest_bottom, f"the header wraps: {items}"


@pytest.mark.parametrize("who", ["visitor", "customer"])
def test_on_a_phone_the_header_is_compact_and_nothing_in_it_is_cut_off(who, request):
    page = request.getfixturevalue("phone_390" if who == "visitor" else "signed_in_phone")
    if who == "customer":  # the longest header: every account link and a basket count
        add_to_basket(page)
    page.goto("/")
    settle(page)

    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= MOST_OF_THE_SCREEN * PHONE_390["height"], header
    closed = page.evaluate(HEADER_CONTROLS)
    names = {control["name"] for control in closed}
    assert {"site-search-q", "Charts", "Menu"} <= names, names
    assert any(name.startswith("Basket") for name in names), names
    assert_on_screen(page, closed)
    window_shot(page, f"phone-header-{who}")

    menu = page.locator(".header-menu-toggle")
    menu.focus()
    page.keyboard.press("Enter")  # a disclosure: the keyboard opens it
    expect(page.locator(".header-menu")).to_have_attribute("open", "")
    expect(page.locator("#country-select")).to_be_visible()
    change = page.locator(".country-switch").get_by_role("button", name="Change")
    expect(change).to_be_visible()
    account = "Locker" if who == "customer" else "Sign in"
    expect(page.locator(".account-nav").get_by_role("link", name=account)).to_be_visible()
    opened = page.evaluate(HEADER_CONTROLS)
    assert {"country-select", "Change"} <= {control["name"] for control in opened}
    assert_on_screen(page, opened)
    window_shot(page, f"phone-menu-{who}")


def test_on_a_phone_the_country_is_changed_from_the_menu(phone_390):
    page = phone_390
    page.goto(f"/releases/{NO_SURPRISES}/")
    settle(page)
    expect(page.locator(".release-buy .price").first).to_contain_text("£")
    page.locator(".header-menu-toggle").click()
    page.locator("#country-select").select_option("DE")
    page.locator(".country-switch").get_by_role("button", name="Change").click()
    expect(page.locator(".release-buy .price").first).to_contain_text("€")
    expect(page.locator(".header-menu")).not_to_have_attribute("open", "")


def test_on_a_phone_the_menu_closes_on_escape_and_on_a_click_outside(phone_390):
    page = phone_390
    page.goto("/")
    toggle, menu = page.locator(".header-menu-toggle"), page.locator(".header-menu")

    toggle.click()
    page.locator("#country-select").focus()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.classList.contains('header-menu-toggle')")

    toggle.click()
    expect(page.locator("#country-select")).to_be_visible()
    page.mouse.click(20, PHONE_390["height"] - 200)  # on the page, below the open menu
    expect(menu).not_to_have_attribute("open", "")


def test_on_a_phone_the_menu_opens_without_javascript(browser, storefront):
    with opened_page(browser, storefront, PHONE_390, phone=True, script=False) as page:
        page.goto("/")
        page.locator(".header-menu-toggle").click()
        expect(page.locator("#country-select")).to_be_visible()
        expect(page.locator(".account-nav").get_by_role("link", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone_390", "desktop"])
def test_the_player_is_a_slim_bar_until_something_plays(viewport, request):
    page = request.getfixturevalue(viewport)
    page.goto(f"/releases/{NO_SURPRISES}/")
    settle(page)
    player = page.locator("#player")
    expect(player).to_contain_text("choose a track")
    slim = player.bounding_box()["height"]
    assert slim <= SLIM, f"{slim} px before anything has played"
    padding = page.evaluate("parseFloat(getComputedStyle(document.body).paddingBottom)")
    assert padding >= slim, "the bar covers the end of the page"

    page.locator(f'button[data-preview-track="{NO_SURPRISES_TRACK}"]').click()
    page.wait_for_function(PLAYING, timeout=20_000)
    expect(page.locator("#player-toggle")).to_be_visible()
    expect(page.locator("#player-seek")).to_be_visible()
    playing = player.bounding_box()["height"]
    padding = page.evaluate("parseFloat(getComputedStyle(document.body).paddingBottom)")
    assert padding >= playing, "the bar covers the end of the page while playing"


def test_no_page_scrolls_sideways_on_a_phone(signed_in_phone, customer):
    page = signed_in_phone
    add_to_basket(page)
    pages = {
        "home": "/",
        "release": f"/releases/{NO_SURPRISES}/",
        "artist": f"/artists/{RADIOHEAD}/",
        "search": "/search/?q=radiohead&kind=track",
        "basket": "/basket/",
        "order": customer["order"],
    }
    wide = {}
    for name, path in pages.items():
        page.goto(path)
        settle(page)
        if (overflow := sideways(page)) > 0:
            wide[name] = overflow
        screenshot(page, f"phone-{name}")
    assert not wide, f"pages wider than the phone (px): {wide}"
    expect(page.locator("h1")).to_contain_text("Order ")


def test_an_order_of_long_titles_fits_a_phone(signed_in_phone, customer):
    from store.checkout.models import OrderLine

    OrderLine.objects.update(
        title="Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen (Extended)",
        artist_name="Die Vereinigten Staatsorchestermusikantinnen",
        package_name="FLAC 24-bit/96kHz",
    )
    page = signed_in_phone
    page.goto(customer["order"])
    settle(page)
    expect(page.locator(".order-lines")).to_contain_text("Donaudampf")
    assert sideways(page) <= 0, "the order page scrolls sideways"
    screenshot(page, "phone-order-long-titles")


def test_the_signed_in_header_is_one_row_at_1280_px(signed_in_desktop):
    page = signed_in_desktop
    add_to_basket(page)
    page.goto("/")
    settle(page)
    expect(page.locator(".account-nav").get_by_role("link", name="Orders")).to_be_visible()
    window_shot(page, "header-signed-in")
    items = page.evaluate(HEADER_ITEMS)
    names = {item["name"] for item in items}
    assert {"Charts", "Locker", "Orders", "Account", "Change"} <= names, names
    search = page.locator("#site-search-q").bounding_box()
    assert search["width"] >= 160, "the search box was squeezed to make room"
    assert_one_row(items)
    assert_on_screen(page, page.evaluate(HEADER_CONTROLS))
    expect(page.locator(".header-menu-toggle")).to_be_hidden()


def test_the_visitors_header_is_one_row_at_1280_px(desktop):
    page = desktop
    page.goto(f"/releases/{NO_SURPRISES}/")
    settle(page)
    items = page.evaluate(HEADER_ITEMS)
    assert {"Charts", "Sign in", "Change"} <= {item["name"] for item in items}
    assert_one_row(items)
