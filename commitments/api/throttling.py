"""Request budgets: one per partner token, one per signed-in user; a 429 says when to try again.

The rates are read at request time from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (set from the
environment in settings), so they can be changed per deployment, and per test. Counters live in the
shared cache (Redis in production), so every web process counts against the same budget.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import PartnerAccess


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class PartnerTokenThrottle(_SettingsRateThrottle):
    """Each partner token has its own budget (scope ``partner``), whichever address it calls from."""

    scope = "partner"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, PartnerAccess):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.token_id}
        return None


class SessionUserThrottle(_SettingsRateThrottle):
    """Signed-in staff, reviewers and ministers (scope ``user``): generous, against runaway scripts."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, PartnerAccess) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
