"""Reads of accounts."""

from __future__ import annotations

from accounts.models import PartnerUser, User


def partner_user_id_of(*, user: User) -> str | None:
    """The 7digital user id of ``user``'s account, once the link is made; None until then."""
    link = PartnerUser.objects.filter(user=user, state=PartnerUser.State.LINKED).first()
    return link.partner_user_id if link else None
