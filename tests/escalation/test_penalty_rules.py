"""Penalty-notice amounts and the limit of two in three years (docs/domain.md §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from escalation import rules
from escalation.rules import PriorNotice

D = dt.date


def test_a_first_notice_is_80_within_21_days_or_160_within_28():
    terms = rules.penalty_terms(prior=[], on=D(2025, 10, 1))
    assert (terms.sequence, terms.early_amount_pence, terms.amount_pence) == (1, 8000, 16000)
    assert terms.period_start == D(2025, 10, 1)
    assert (rules.EARLY_DAYS, rules.FULL_DAYS) == (21, 28)


def test_a_second_within_three_years_is_a_flat_160():
    terms = rules.penalty_terms(prior=[PriorNotice(D(2025, 1, 10), True)], on=D(2027, 12, 1))
    assert (terms.sequence, terms.early_amount_pence, terms.amount_pence) == (2, None, 16000)
    assert terms.period_start == D(2025, 1, 10)


def test_a_third_within_three_years_of_the_first_is_refused_with_the_other_routes():
    prior = [PriorNotice(D(2025, 1, 10), True), PriorNotice(D(2025, 6, 1), True)]
    with pytest.raises(rules.ThirdNoticeRefused) as refused:
        rules.penalty_terms(prior=prior, on=D(2028, 1, 9))
    message = str(refused.value)
    assert "section 444" in message
    assert "education supervision order" in message
    assert "parenting order" in message
    assert refused.value.until == D(2028, 1, 10)


def test_three_years_after_the_first_a_new_period_starts():
    prior = [PriorNotice(D(2025, 1, 10), True), PriorNotice(D(2025, 6, 1), True)]
    terms = rules.penalty_terms(prior=prior, on=D(2028, 1, 10))
    assert (terms.sequence, terms.early_amount_pence, terms.period_start) == (
        1,
        8000,
        D(2028, 1, 10),
    )


def test_withdrawn_notices_do_not_count():
    prior = [PriorNotice(D(2025, 1, 10), False), PriorNotice(D(2025, 6, 1), True)]
    terms = rules.penalty_terms(prior=prior, on=D(2025, 9, 1))
    assert (terms.sequence, terms.period_start) == (2, D(2025, 6, 1))


def test_notices_before_the_2024_framework_do_not_count():
    prior = [PriorNotice(D(2024, 3, 1), True), PriorNotice(D(2024, 6, 1), True)]
    assert rules.penalty_terms(prior=prior, on=D(2024, 10, 1)).sequence == 1


def test_a_second_in_a_new_period_counts_from_that_periods_first():
    prior = [
        PriorNotice(D(2024, 9, 1), True),
        PriorNotice(D(2025, 9, 1), True),
        PriorNotice(D(2027, 9, 2), True),  # three years after the first: a new period
    ]
    terms = rules.penalty_terms(prior=prior, on=D(2028, 1, 1))
    assert (terms.sequence, terms.period_start) == (2, D(2027, 9, 2))


def test_29_february_anniversary():
    assert rules.add_years(D(2028, 2, 29), 3) == D(2031, 2, 28)


@pytest.mark.parametrize(
    ("pence", "text"), [(8000, "£80"), (16000, "£160"), (1050, "£10.50"), (None, "")]
)
def test_pounds(pence, text):
    assert rules.pounds(pence) == text
