"""Partner tokens from the command line: create (the key is printed once), revoke, list.

manage.py partner_token create "INHOPE statistics" --countries NL,BE --expires 2027-01-01
manage.py partner_token revoke "INHOPE statistics"
manage.py partner_token list
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from commitments import services
from commitments.models import Country, PartnerToken


def _expiry(text: str | None) -> dt.datetime | None:
    """A date means the start of that day, local time: ``--expires 2027-01-01`` works until new year's eve."""
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(
                f"--expires takes a date (2027-01-01) or a time (2027-01-01T12:00), not {text!r}."
            )
        moment = dt.datetime.combine(day, dt.time.min)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def _countries(text: str | None) -> list[Country]:
    codes = sorted({code.strip().upper() for code in (text or "").split(",") if code.strip()})
    countries = list(Country.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {country.code for country in countries})
    if unknown:
        raise CommandError(
            f"Unknown country codes: {', '.join(unknown)} (use ISO 3166 alpha-2: NL, BE, ...)."
        )
    return countries


class Command(BaseCommand):
    help = "Create, revoke or list the read-only API tokens of partner systems."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="Create a token and print its key, once.")
        create.add_argument("name", help="Who uses it, e.g. 'INHOPE statistics'.")
        create.add_argument("--countries", help="Limit it to these ISO codes, comma-separated: NL,BE.")
        create.add_argument("--expires", help="Expiry date (2027-01-01: valid until that day starts).")
        revoke = commands.add_parser("revoke", help="Revoke a token: its next request is refused.")
        revoke.add_argument("name", help="The token's name (or its key prefix).")
        commands.add_parser("list", help="List the tokens (never their keys).")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, name: str, countries: str | None, expires: str | None, **options) -> None:
        try:
            token, key = services.partner_token_create(
                name=name, countries=_countries(countries), expires_at=_expiry(expires)
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created partner token {token.pk} for {token.name}."))
        self.stdout.write("Its key is shown this once only (just its hash is stored); pass it on now:")
        self.stdout.write(key)

    def handle_revoke(self, *, name: str, **options) -> None:
        token = (
            PartnerToken.objects.filter(name=name).first()
            or PartnerToken.objects.filter(key_prefix=name).first()
        )
        if token is None:
            raise CommandError(f"No partner token is named {name!r}.")
        if token.revoked_at is not None:
            self.stdout.write(
                f"Partner token {token.pk} ({token.name}) was already revoked at {token.revoked_at}."
            )
            return
        services.partner_token_revoke(token=token)
        self.stdout.write(self.style.SUCCESS(f"Revoked partner token {token.pk} ({token.name})."))

    def handle_list(self, **options) -> None:
        tokens = PartnerToken.objects.prefetch_related("countries").order_by("name")
        now = timezone.now()
        for token in tokens:
            state = (
                "revoked"
                if token.revoked_at
                else "expired"
                if token.expires_at and token.expires_at <= now
                else "active"
            )
            countries = ",".join(sorted(country.code for country in token.countries.all())) or "all countries"
            self.stdout.write(
                f"{token.pk}\t{token.name}\t{token.key_prefix}…\t{state}\t{countries}\t"
                f"expires {_when(token.expires_at)}\tlast used {_when(token.last_used_at)}"
            )
