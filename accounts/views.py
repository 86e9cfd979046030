"""The customer's own account page (allauth serves sign-in, emails, password, 2FA)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import ProfileForm
from store.catalogue.country import country_remember


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=user)
        if form.is_valid():
            services.account_update(
                user=user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                country=form.cleaned_data["country"],
            )
            messages.success(request, "Your details are saved.")
            response = redirect("account_profile")
            country_remember(request, response, user.country)
            return response
    else:
        form = ProfileForm(instance=user, initial={"country": user.country or request.country})
    return render(request, "accounts/profile.html", {"form": form})
