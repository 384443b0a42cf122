"""The invitee's page: the one-time link sets a password, signs in, and goes on to two-factor set-up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from alliance_monitor import auth

from . import services
from .forms import ChoosePasswordForm


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Choose a password through an invitation's link; then set up the authenticator before anything else."""
    invitation = services.invitation_for_token(token=token)
    if invitation is None:
        # Unknown, used or expired: the same answer, so that links cannot be probed.
        raise Http404(_("This invitation link is not valid: it was used already or has expired."))
    if request.user.is_authenticated:
        messages.error(request, _("Sign out first: this invitation is for a new account."))
        return redirect("home")
    user = get_user_model()(username=invitation.email, email=invitation.email)
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # Every invited account sets up its authenticator now, whatever its role.
            request.session[auth.SESSION_KEY] = auth.SETUP
            target = (
                reverse("focal_home") if invitation.role == invitation.Role.FOCAL_POINT else reverse("home")
            )
            return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': target})}")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=400 if form.errors else 200,
    )
