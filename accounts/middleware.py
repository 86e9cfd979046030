"""Two factors for the staff side of the site."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.roles import needs_second_factor

# URL namespaces of staff pages (the admin; later issues add their dashboards here).
STAFF_NAMESPACES = frozenset({"admin", "staff"})
# Reachable without a second factor: leaving is always allowed.
EXEMPT_URL_NAMES = frozenset({"logout"})


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later check) used a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffSecondFactorMiddleware:
    """Staff pages only for a session that passed a second factor.

    A member of staff or an editor without two-factor authentication is sent to set
    it up; one who has it but signed in without it (before setting it up, say) is
    asked for a code. Goes after allauth's AccountMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not STAFF_NAMESPACES.intersection(match.namespaces):
            return None
        if match.url_name in EXEMPT_URL_NAMES or not needs_second_factor(request.user):
            return None
        if used_second_factor(request):
            return None
        query = urlencode({"next": request.get_full_path()})
        if not is_mfa_enabled(request.user):
            messages.warning(
                request,
                "Staff pages need two-factor authentication: set up an authenticator app "
                "to continue.",
            )
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
