"""Subscriptions: ``user/unlimitedStreaming`` (reference lines 6411-6449)."""

from __future__ import annotations

from ..backends.subscriptions import REQUIRED, Streaming, missing
from ..backends.subscriptions import subscriptions_backend as backend
from ..context import Call
from ..routing import endpoint
from ..serializer import iso
from .users import partner_user

OPTIONAL = ("postcode", "shopId", "trialEndsAt")


def _streaming_content(streaming: Streaming) -> dict:
    content: dict = {"level": streaming.level}
    if streaming.expiry_date is not None:
        content["expiryDate"] = iso(streaming.expiry_date)
    return {"streaming": content}


@endpoint("POST", "user/unlimitedStreaming", auth="user")
def update(call: Call) -> dict:
    """The partner reports the user's subscription state; the answer is GET's."""
    user = partner_user(call)
    backend.update(
        user=user, params={name: call.params.get(name) for name in (*REQUIRED, *OPTIONAL)}
    )
    return _streaming_content(backend.get(user=user))


@endpoint("GET", "user/unlimitedStreaming", auth="user")
def details(call: Call) -> dict:
    """Whether the user may stream, and until when (2001 for an unknown user)."""
    user = partner_user(call)
    # Required (line 6441), read after the user as 7digital does, missing named as the POST
    # names it; a shopId alone stands for its country, as on every other endpoint.
    if call.params.get("country") is None and call.params.get("shopId") is None:
        raise missing("country")
    call.country  # noqa: B018 - 1002 for a country the sandbox does not serve
    return _streaming_content(backend.get(user=user))
