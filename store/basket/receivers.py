"""Sign-in brings the anonymous basket along (the work is in services.basket_merge)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .selectors import SESSION_KEY
from .services import basket_merge


@receiver(user_logged_in, dispatch_uid="basket_merge_on_login")
def _merge_basket(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    source_id = request.session.pop(SESSION_KEY, None)
    if source_id is not None:
        basket_merge(source_id=source_id, user=user)
