"""Two factors for the staff side of the site.

A member of staff without an authenticator is sent to set one up; setting it up proves
both factors (the password again, then a code from the new authenticator), so it counts
as this session's second factor, and the recovery codes shown next lead back to the
staff page they were going to.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.roles import needs_second_factor
from integrations.http import next_path

# URL namespaces of staff pages (the admin; later issues add their dashboards here).
STAFF_NAMESPACES = frozenset({"admin", "staff", "studio"})
# Reachable without a second factor: leaving is always allowed.
EXEMPT_URL_NAMES = frozenset({"logout"})
# The user an authenticator was set up for in this session; and the staff page they
# were on their way to when sent to set it up.
SET_UP_SESSION_KEY = "accounts.second_factor_set_up"
NEXT_SESSION_KEY = "accounts.second_factor_next"


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later check, or setting up an
    authenticator) used a second factor."""
    if request.session.get(SET_UP_SESSION_KEY) == str(request.user.pk):
        return True
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def second_factor_set_up(sender, request, user, authenticator, **kwargs) -> None:
    """allauth's ``authenticator_added``: an authenticator app (not recovery codes,
    which come with it) set up in this session is this session's second factor.

    allauth asks for the password again before set-up and for a code from the new app
    to finish it: asking for a code once more at the next staff page proves nothing.
    Signing out ends the session, and with it this mark.
    """
    if request is None or authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return
    request.session[SET_UP_SESSION_KEY] = str(user.pk)


def continue_url(request: HttpRequest) -> tuple[str, str]:
    """Where the page after setting up two factors leads, and its link's words: the
    staff page that sent them to set it up, the admin for staff, else the account."""
    if needs_second_factor(request.user):
        default = reverse("admin:index")
        url = next_path(request, request.session.get(NEXT_SESSION_KEY), default=default)
        return url, "Continue to the staff pages"
    return reverse("mfa_index"), "Back to two-factor authentication"


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
        query = urlencode({"next": request.get_full_path()})
        # Asked first: a session that passed its second factor and then removed the
        # authenticator has no second factor left to pass.
        if not is_mfa_enabled(request.user):
            # allauth's set-up leaves the query behind on the way to the recovery codes.
            request.session[NEXT_SESSION_KEY] = request.get_full_path()
            messages.warning(
                request,
                "Staff pages need two-factor authentication: set up an authenticator app "
                "to continue.",
            )
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        if used_second_factor(request):
            return None
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
