"""The customer's own account page (allauth serves sign-in, emails, password, 2FA)."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import DeleteAccountForm, ProfileForm
from integrations.country import country_remember


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


@login_required
@reauthentication_required(allow_get=True)  # a password or a code again, if a while ago
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, "Your account is closed. Thank you for listening with us.")
        return redirect("catalogue:home")
    return render(request, "accounts/delete.html", {"form": form})
