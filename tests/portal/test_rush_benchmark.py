"""The 08:45 rush benchmark's client (benchmarks.rush): the pieces that need no server."""

from __future__ import annotations

from benchmarks.rush import hidden_fields, start_times


def test_the_ramp_starts_five_then_reaches_thirty_and_sixty():
    starts = start_times(60, ramp=10)
    assert starts[:5] == [0.0] * 5
    assert sum(t <= 10 for t in starts) == 30 and max(starts) == 20
    assert starts == sorted(starts)


def test_the_form_is_posted_back_with_its_hidden_fields():
    page = (
        '<input type="hidden" name="csrfmiddlewaretoken" value="a&amp;b">'
        '<input type="hidden" name="version" value="3" id="id_version">'
        '<input type="text" name="reason" value="">'
    )
    assert hidden_fields(page) == {"csrfmiddlewaretoken": "a&b", "version": "3"}
