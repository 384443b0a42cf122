"""The administrator's invitation form and the invitee's password form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from commitments.models import Country

from .models import Invitation


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Invitation.Role.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("code"),
        required=False,
        help_text=_("Required for a focal point; for staff, the country they will work on."),
    )
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)


class ChoosePasswordForm(SetPasswordForm):
    """Django's set-password form (with the password validators), labelled for a first sign-in."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")  # labels read as plain words, like the workspace's forms
        super().__init__(*args, **kwargs)
