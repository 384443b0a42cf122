"""Who may call the API at all; which rows they see is visibility.py, which writes succeed: the services.

``AllianceAccess`` is the default permission of every endpoint (REST_FRAMEWORK in settings):
- reads: partner tokens, ministers, staff, reviewers, administrators;
- writes: staff and reviewers signed in through the session (never a partner token); whether the write
  is allowed for that country or transition is decided by the service, exactly as in the browser.
Unauthenticated requests get 401 (the token authentication's challenge), refused ones 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .. import access
from .visibility import viewer_for


class AllianceAccess(BasePermission):
    """Partners and ministers read approved data; staff and reviewers also write, through the services."""

    message = _("You may not do this through the API.")

    def has_permission(self, request, view) -> bool:
        viewer = viewer_for(request)
        if request.method in SAFE_METHODS:
            if not viewer.can_read:
                self.message = (
                    _(
                        "A focal point reports through the questionnaire in the browser: the API is for "
                        "partners and the rapporteur's staff."
                    )
                    if access.is_focal_point(request.user)
                    else _("Your account has no role in Alliance Monitor yet; ask an administrator.")
                )
            return viewer.can_read
        if viewer.is_partner:
            self.message = _("Partner tokens are read-only.")
            return False
        if not viewer.can_write:
            self.message = _("Only staff and reviewers change data.")
        return viewer.can_write
