"""Partner users (reference lines 6447-6474)."""

from __future__ import annotations

from .. import exceptions
from ..backends.users import users_backend as backend
from ..context import Call
from ..models import PartnerUser
from ..routing import endpoint

USER_ID_LIMIT = 255
EMAIL_LIMIT = 254  # an address longer than this cannot be delivered (RFC 5321)


def _user_content(user: PartnerUser) -> dict:
    content = {"@id": user.user_id, "type": "partner"}
    if user.email:
        content["emailAddress"] = user.email
    return {"user": content}


def partner_user(call: Call) -> PartnerUser:
    """The partner user the call acts for; 2001 if it was never created."""
    return backend.partner_user(consumer_key=call.consumer_key, user_id=call.user_id)


@endpoint("GET", "user/create", auth="user")
def create(call: Call) -> dict:
    country = call.country
    user_id = call.user_id or ""
    if len(user_id) > USER_ID_LIMIT:
        raise exceptions.InvalidParameter(
            f"Invalid parameter value: userId is longer than {USER_ID_LIMIT} characters"
        )
    email = call.params.get("emailAddress", "")
    if len(email) > EMAIL_LIMIT:
        raise exceptions.InvalidParameter(
            f"Invalid parameter value: emailAddress is longer than {EMAIL_LIMIT} characters"
        )
    user = backend.create_user(
        consumer_key=call.consumer_key, user_id=user_id, email=email, country=country
    )
    return _user_content(user)


@endpoint("GET", "user/details", auth="user")
def details(call: Call) -> dict:
    return _user_content(partner_user(call))
