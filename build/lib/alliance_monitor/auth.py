"""Sign-in beyond the password: lock-out after failed attempts, and two-factor sign-in (TOTP).

The password step is Django's own LoginView (``/accounts/login/``). The code step is separate
(``/accounts/verify/``): at sign-in the session records what the user still has to do
(``two_factor_step``), and ``TwoFactorMiddleware`` keeps a user who has not done it on the verify or
setup page. Because the state is kept in the session, pages pay no extra query for it.

- Everyone may set up an authenticator app (``/accounts/two-factor/``); once they have, every sign-in
  asks for its code.
- With ``TWO_FACTOR_REQUIRED_FOR_REVIEWERS`` on, reviewers, administrators, focal points and anyone who
  can open the admin must set one up before they can do anything else.
- An invited person (accounts/) sets one up right after choosing a password, whatever the role.
- The admin is behind the same middleware, so it needs the verified session too.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import qrcode
import qrcode.image.svg
from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from commitments import access

if TYPE_CHECKING:
    from collections.abc import Callable

# What the signed-in user still has to do, kept in the session from the password sign-in on.
SESSION_KEY = "alliance_two_factor"
VERIFY = "verify"  # has an authenticator: must enter its code
SETUP = "setup"  # must set up an authenticator first
DONE = "done"

DEVICE_NAME = "Authenticator app"


# --------------------------------------------------------------------------------------------------
# Failed sign-ins (django-axes)
# --------------------------------------------------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """Refuses sign-in to a locked-out account; every sign-in over HTTP passes a request and is counted.

    Sign-ins without a request (``Client.login`` in tests, a shell) have no client to throttle, so they
    are passed on to the password check instead of failing as django-axes would.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# django-axes stores the user name of each attempt in a column of this length (user names end at 150).
ATTEMPT_USERNAME_LENGTH = 255


def attempt_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The user name a sign-in attempt is counted under (AXES_USERNAME_CALLABLE): as typed, cut to what
    django-axes can store. Uncut, a longer name made recording the failure fail (HTTP 500); no account
    has such a name, so cutting it only merges attempts on accounts that do not exist."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field)
    return username[:ATTEMPT_USERNAME_LENGTH] if isinstance(username, str) else username


def client_ip(request: HttpRequest) -> str:
    """The address failed sign-ins are counted against.

    Behind the TLS proxy (USE_X_FORWARDED_FOR), the last address of X-Forwarded-For is the one the proxy
    appended; earlier ones come from the client and could be made up. Otherwise: the socket's address.
    """
    if settings.USE_X_FORWARDED_FOR:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The page a locked-out account sees (HTTP 429): why, for how long, and who can unlock it."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(
        request,
        "security/locked_out.html",
        {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --------------------------------------------------------------------------------------------------
# Two-factor sign-in: the rules
# --------------------------------------------------------------------------------------------------


def two_factor_required(*, user) -> bool:
    """Must this user sign in with a code? Reviewers, administrators, admin users: if the setting says so."""
    if not settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS or not user.is_authenticated:
        return False
    return bool(user.is_staff or access.is_reviewer(user) or access.is_focal_point(user))


def two_factor_step(*, user) -> str:
    """What the user owes after the password: a code (VERIFY), an app to set up (SETUP) or nothing (DONE)."""
    if user_has_device(user, confirmed=True):
        return VERIFY
    if two_factor_required(user=user):
        return SETUP
    return DONE


@receiver(user_logged_in, dispatch_uid="alliance_monitor.auth.remember_two_factor_step")
def remember_two_factor_step(sender, request: HttpRequest | None, user, **kwargs: Any) -> None:
    """At the password sign-in, note in the (new) session what the user still has to do."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = two_factor_step(user=user)


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's authenticator being set up: the same one on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, user, device_id: int, token: str) -> TOTPDevice | None:
    """Confirm the pending authenticator with a code from it; it replaces any earlier one.

    Returns the confirmed device, or None when the code is wrong (or asked too fast after a wrong one).
    """
    with transaction.atomic():
        pending = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False)
        device = pending.filter(pk=device_id).first()
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


def totp_verify(*, user, token: str) -> TOTPDevice | None:
    """Check a sign-in code against the user's authenticator; the device on success, else None.

    django-otp refuses a code used before and slows down guessing (each wrong code doubles the wait).
    """
    with transaction.atomic():
        confirmed = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        device = confirmed.order_by("pk").first()
        if device is None or not device.verify_token(token):
            return None
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(*, uri: str) -> SafeString:
    """The otpauth:// URI as a QR code, drawn here as inline SVG: no image request, nothing external."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    # The SVG is built by qrcode from the URI's bits only: no user text reaches it unescaped.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


# --------------------------------------------------------------------------------------------------
# Two-factor sign-in: the middleware and the pages
# --------------------------------------------------------------------------------------------------


def _exempt_paths() -> set[str]:
    return {
        reverse(name)
        for name in ("login", "logout", "two_factor_verify", "two_factor_setup", "set_language")
    }


def _with_next(url: str, request: HttpRequest) -> str:
    return f"{url}?{urlencode({'next': request.get_full_path()})}" if request.method == "GET" else url


class TwoFactorMiddleware:
    """Keeps a user who signed in with a password, but still owes a code, on the verify or setup page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = request.session.get(SESSION_KEY)
        if step != DONE and request.user.is_authenticated and not request.user.is_verified():
            if step is None:  # a session from before this check existed
                step = request.session[SESSION_KEY] = two_factor_step(user=request.user)
            if step in (VERIFY, SETUP) and request.path_info not in _exempt_paths():
                target = reverse("two_factor_verify" if step == VERIFY else "two_factor_setup")
                if request.path_info.startswith("/api/"):
                    # An API client cannot follow a redirect to a form: say what is owed, in the API's shape.
                    return JsonResponse(
                        {
                            "status": 403,
                            "code": "two_factor_required",
                            "message": _("Finish two-factor sign-in first: %(url)s") % {"url": target},
                        },
                        status=403,
                    )
                return HttpResponseRedirect(_with_next(target, request))
        return self.get_response(request)


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("The code is the six digits your app shows."), code="digits")
        return token


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _finish(request: HttpRequest, device: TOTPDevice) -> None:
    otp_login(request, device)
    request.session[SESSION_KEY] = DONE


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: the code from the user's authenticator app."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user, confirmed=True):
        # The authenticator was removed (by an administrator, say): set one up, or go on if none is needed.
        step = request.session[SESSION_KEY] = two_factor_step(user=request.user)
        if step == SETUP:
            return redirect(_with_next(reverse("two_factor_setup"), request))
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            _finish(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _("That code is not right, or was used already. Wait for the next code and try again."),
        )
    return render(
        request,
        "security/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) an authenticator app: scan the QR code or type the key, then confirm a code."""
    has_device = user_has_device(request.user, confirmed=True)
    if has_device and not request.user.is_verified():
        # Whoever knows only the password must not be able to add an authenticator of their own.
        return redirect(_with_next(reverse("two_factor_verify"), request))
    device = totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        confirmed = totp_device_confirm(user=request.user, device_id=device.pk, token=token)
        if confirmed is not None:
            _finish(request, confirmed)
            messages.success(request, _("Two-factor sign-in is on: from now on, signing in asks for a code."))
            return redirect(_next_url(request))
        form.add_error("token", _("That code is not right. Check the time on your phone; try the next code."))
    uri = device.config_url
    return render(
        request,
        "security/two_factor_setup.html",
        {
            "form": form,
            "uri": uri,
            "secret": totp_secret(device),
            "qr": totp_qr_svg(uri=uri),
            "has_device": has_device,
            "required": two_factor_required(user=request.user),
            "next": _next_url(request),
        },
        status=400 if form.errors else 200,
    )
