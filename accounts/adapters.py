"""allauth's hooks into the site: every new account gets its 7digital partner user."""

from __future__ import annotations

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

from accounts import services
from integrations.country import SESSION_KEY, SUPPORTED_COUNTRIES


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The visitor's country so far (the switch in the header) is the account's.
        country = getattr(request, "country", "") or ""
        if country and not user.country:
            user.country = country
        try:
            with transaction.atomic():
                user = super().save_user(request, user, form, commit=commit)
        except IntegrityError:
            # The same address signed up a moment earlier (the form sent twice at once):
            # the form's own check passed for both. Answer as allauth does for an address
            # that has an account, which tells a stranger nothing.
            raise ImmediateHttpResponse(redirect("account_email_verification_sent")) from None
        if commit:
            services.partner_user_create(user=user, country=user.country or None)
        return user

    def send_mail(self, template_prefix, email, context):
        # allauth's mails greet and sign off with the Site's name; without the sites
        # framework that is the request's host ("Hello from 127.0.0.1:8000!"). They speak
        # with the shop's name, and keep the host as the address they give.
        domain = get_current_site(allauth_context.request).domain
        shop = SimpleNamespace(name=settings.SHOP_NAME, domain=domain)
        super().send_mail(template_prefix, email, {**context, "current_site": shop})

    def login(self, request, user):
        super().login(request, user)
        # The account's country wins over the one this browser had chosen.
        if user.country in SUPPORTED_COUNTRIES:
            request.session[SESSION_KEY] = user.country
