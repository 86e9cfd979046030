"""Signing in with both factors, as staff must (accounts/middleware.py): shared by the
tests and the fuzzing harness, which may not import ``tests/``."""

from __future__ import annotations

import time


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``.

    Not in the last second of its 30 s: it might have changed by the time allauth
    checks it (which accepts the current code only).
    """
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = 30 - time.time() % 30
    if left < 1.5:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def pass_second_factor(client, user) -> str:
    """Give ``user`` an authenticator app and sign ``client`` in with both factors.

    Returns the authenticator's secret.
    """
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.urls import reverse

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client.force_login(user)
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    if response.status_code != 302:
        raise RuntimeError("the second factor was not accepted")
    return secret
