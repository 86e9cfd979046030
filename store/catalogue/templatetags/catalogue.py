"""Template helpers of the catalogue: ``{% load catalogue %}``."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from integrations import htmx
from integrations.money import format_price, locale_for
from sevendigital.models import Price
from store.catalogue import page_cache
from store.catalogue.artwork import artwork as artwork_at
from store.catalogue.lru import LRU

register = template.Library()


@register.filter
def money(price: Price | None, country: str | None = None) -> str:
    """``{{ price|money:country }}`` -> "£2.49", or "Not sold separately" for a nil price.

    A nil price is 7digital's way of saying a track is sold only with its release.
    """
    if price is None:
        return ""
    if not price.sold_separately:
        return gettext("Not sold separately")
    locale = locale_for(country or settings.SEVENDIGITAL_COUNTRY)
    return format_price(price.amount, price.currency, locale)


@register.simple_tag(takes_context=True)
def price_tag(context, price: Price | None) -> str:
    """``{% price_tag price %}``: the price in a ``<span class="price">`` for the page's
    country, marked ``not-sold-separately`` (and styled as a note, not a price) when
    7digital sells the item only with its release; nothing without a price."""
    if price is None:
        return ""
    classes = "price" if price.sold_separately else "price not-sold-separately"
    return format_html('<span class="{}">{}</span>', classes, money(price, context.get("country")))


@register.simple_tag(takes_context=True)
def amount(context, value, currency: str) -> str:
    """``{% amount line.price line.currency %}``: a Decimal amount written the way the
    page's country writes money ("£2.49", "2,49 €")."""
    return format_price(value, currency, locale_for(context.get("country")))


@register.filter
def duration(seconds: int | None) -> str:
    """``{{ track.duration|duration }}`` -> "3:42" (or "1:02:03" past an hour)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def same_titled(releases) -> set[int]:
    """``{% with same_titled=releases|same_titled %}``: ids of the releases that share
    their title, version and artist with another in the list, whose cards then say how
    long they are (two CD singles of "No Surprises" are otherwise the same card)."""
    releases = [release for release in releases or () if release]
    counts = Counter(_card_identity(release) for release in releases)
    return {release.id for release in releases if counts[_card_identity(release)] > 1}


@register.filter
def same_titled_results(results) -> set[int]:
    """:func:`same_titled` of search results (each holds its release as ``item``)."""
    return same_titled([result.item for result in results or ()])


def _card_identity(release) -> tuple:
    artist = getattr(release, "artist", None)
    return (release.title.casefold(), release.version.casefold(), artist.id if artist else None)


@register.filter
def standard_price(item) -> Price | None:
    """The price of the standard package (2) of a release or track, if on sale."""
    download = getattr(item, "download", None)
    package = download.package(2) if download else None
    return package.price if package else None


@register.filter
def artwork(url: str | None, size: int) -> str | None:
    """``{{ release.image|artwork:180 }}``: the cover at the size the page draws it."""
    return artwork_at(url, int(size))


@register.simple_tag
def cached_url(name: str, *args: int | str) -> str:
    """``{% cached_url "catalogue:track" track.id %}``: what ``{% url %}`` gives, remembered.

    Every page links its layout's few fixed URLs and each item of its lists, and
    reversing them all was a fifth of the time a release page took to render. A URL
    depends only on its name and arguments, the script prefix and the URLconf, which
    make the key; positional arguments only.
    """
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(name, tuple(map(str, args)), get_script_prefix(), urlconf)


@lru_cache(maxsize=16384)
def _reverse(name: str, args: tuple[str, ...], prefix: str, urlconf: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":  # tests only: a module's patterns may differ now
        _reverse.cache_clear()


# -- htmx: the page or a partial, and in-place navigation ------------------------------


@register.filter
def wants_partial(request: HttpRequest) -> bool:
    """``{% if request|wants_partial %}``: this answer is a partial for a targeted swap
    (not a page, boosted or restored from history; see ``integrations.htmx``)."""
    return htmx.wants_partial(request)


@register.filter
def navigates_in_place(request: HttpRequest) -> bool:
    """``{% if request|navigates_in_place %}``: the page's main region may be boosted."""
    return htmx.navigates_in_place(request)


# -- the layout's fixed markup ----------------------------------------------------------

MEMO_SIZE = 256


_memo: LRU[tuple, SafeString] = LRU(MEMO_SIZE)  # rendered markup by key


class MemoNode(template.Node):
    def __init__(self, name: str, vary_on: list[template.base.FilterExpression], nodelist):
        self.name = name
        self.vary_on = vary_on
        self.nodelist = nodelist

    def render(self, context) -> SafeString:
        if context.template is not None and context.template.engine.debug:
            return self.nodelist.render(context)  # template edits show at once
        key = (
            self.name,
            get_script_prefix(),
            get_urlconf() or settings.ROOT_URLCONF,
            *(str(var.resolve(context)) for var in self.vary_on),
        )
        markup = _memo.get(key)
        if markup is None:
            markup = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the engine
            _memo.keep(key, markup)
        return markup


@register.tag
def memo(parser, token) -> MemoNode:
    """``{% memo "name" var ... %}...{% endmemo %}``: rendered once per process and key.

    For the layout's markup that is the same on every page: static file URLs, fixed
    links, the country options. Rendering it again on every view was most of the
    time a cached release page took. The key is the name, the variables given, the
    script prefix and the URLconf; the block must depend on nothing else (no CSRF
    token, no user, nothing from the request). Settings are part of what it may
    depend on, so a change of settings (tests) forgets every block; a deploy starts
    new processes. With the template engine's debug on, it renders every time.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% memo %} needs a name")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return MemoNode(name, [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


@receiver(setting_changed)
def _forget_memos(**kwargs) -> None:
    _memo.forget()


class PerVisitorNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        if request is not None and page_cache.storing(request):
            return page_cache.hole(self.name)
        return self.nodelist.render(context)


@register.tag
def per_visitor(parser, token) -> PerVisitorNode:
    """``{% per_visitor "name" %}...{% endper_visitor %}``: a block that is each
    visitor's own (the basket link) on a page that may be stored for everyone. Rendered
    as usual, except on a page being stored, where it is a hole that each response
    fills in with what ``page_cache.fill_hole(name)`` registered
    (store/catalogue/page_cache.py)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% per_visitor %} needs a name, and only that")
    nodelist = parser.parse(("endper_visitor",))
    parser.delete_first_token()
    return PerVisitorNode(bits[1].strip("\"'"), nodelist)
