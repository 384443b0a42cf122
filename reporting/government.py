"""What the evaluation cycle and the focal points add to a report: the follow-up of the last meeting's
decisions, the round's stage, and the government's right of reply with its divergences.

Unlike ``content`` (pure functions of the frozen data), these are read from their own apps' selectors
when the pages are made: they belong to those apps (cycle/, focal/), which decide what a report may print
(approved decisions and progress, submitted self-reports, the reply as sent). Each is read once per
``Book`` and kept on it, so that every part of an alliance-wide report made from the same book agrees.
"""

from __future__ import annotations

from typing import Any

from commitments.models import Country, EvaluationRound

from .content import Book, CountryInfo


def _kept(book: Book, key: Any, compute):
    """``compute()`` once per book and key (the book is made once per report or part rendering)."""
    store = book.__dict__.setdefault("_government", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def evaluation_round(book: Book) -> EvaluationRound:
    """The report's round, with its periods (one query per book)."""
    return _kept(
        book,
        "round",
        lambda: EvaluationRound.objects.select_related("evaluation_period").get(pk=book.data["round"]["id"]),
    )


def decision_follow_up(book: Book):
    """The chapter "What became of the decisions of <meeting>" (None when the round follows up none)."""
    from cycle.selectors import decision_follow_up as follow_up

    return _kept(book, "follow-up", lambda: follow_up(evaluation_round=evaluation_round(book)))


def reply(book: Book, country: CountryInfo):
    """The government's reply to its chapter of the round (None when it sent none)."""
    from focal.selectors import reply_for

    return _kept(
        book,
        ("reply", country.id),
        lambda: reply_for(country=Country(pk=country.id), evaluation_round=evaluation_round(book)),
    )


def divergences(book: Book, country: CountryInfo) -> list:
    """Where the government's submitted figures differ from the rapporteur's approved ones."""
    from focal.selectors import divergences as differences

    def compute() -> list:
        country_row = Country.objects.get(pk=country.id)
        period = evaluation_round(book).evaluation_period
        return [row for row in differences(country=country_row, period=period) if row.differs]

    return _kept(book, ("divergences", country.id), compute)


def government_context(book: Book, country: CountryInfo) -> dict[str, Any]:
    """The variables of ``_government.html`` for one country."""
    return {"reply": reply(book, country), "divergences": divergences(book, country)}
