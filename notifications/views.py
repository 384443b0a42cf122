"""The preferences page and the one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import emails, services
from .models import NotificationPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["language", "returned_items", "submission_digest", "deadline_reminders", "overdue_digest"]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Which emails the signed-in person gets, and in which language."""
    preference = services.preference_for(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        )
        messages.success(request, _("Your email choices are saved."))
        return redirect("notification_preferences")
    return render(
        request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200
    )


@csrf_exempt  # the signed token is the credential: mail clients post the one-click request without a form
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button. POST (the button, or a mail client's one-click): unsubscribed."""
    claim = emails.read_unsubscribe_token(token)
    if claim is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    user_id, kind = claim
    labels = {
        "returned_items": _("items returned to you"),
        "submission_digest": _("the digest of submissions waiting for review"),
        "deadline_reminders": _("reminders before deadlines"),
        "overdue_digest": _("the digest of what is overdue"),
        "all": _("all emails"),
    }
    done = False
    if request.method == "POST":
        done = services.unsubscribe(user_id=user_id, kind=kind) is not None
        if not done:  # the account is gone: there is nothing to unsubscribe, and the link says so
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    return render(
        request, "notifications/unsubscribe.html", {"what": labels[kind], "done": done, "token": token}
    )
