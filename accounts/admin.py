"""Invitations in the admin: invite a person (the service sends the email); nobody types a password here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Invitation


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role", "country", "language"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        try:
            services.check_email_length(email)
        except ValidationError as error:
            raise ValidationError(error.message_dict["email"]) from None
        if services.account_exists(email=email):
            raise ValidationError(_("Somebody already has an account with this email address."))
        return email


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    """Add = invite: the service stores the invitation and emails the one-time link (valid for
    INVITATION_MAX_AGE_HOURS). Invitations are not edited; an unused one may be deleted (withdrawn)."""

    form = InvitationAdminForm
    list_display = ["email", "role", "country", "invited_by", "created_at", "expires_at", "used_at"]
    list_filter = ["role", "used_at"]
    search_fields = ["email"]
    readonly_fields = ["invited_by", "created_at", "expires_at", "used_at", "user"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Invitation, form, change: bool) -> None:
        # The form checked what the service checks; the service is still the one writer.
        invitation = services.invitation_send(
            email=obj.email,
            role=obj.role,
            country=obj.country,
            invited_by=request.user,
            language=obj.language,
            base_url=request.build_absolute_uri("/"),
        )
        obj.pk = invitation.pk
        obj.__dict__.update({k: v for k, v in invitation.__dict__.items() if not k.startswith("_")})
        messages.success(request, _("The invitation was emailed to %(email)s.") % {"email": invitation.email})
