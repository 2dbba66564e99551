"""The head's dashboard opens with a summary (headline figures, what changed since the
last half-term, the questions to ask) and a contents list linking every section."""

from __future__ import annotations

import re

from django.urls import reverse


def _page(client, school, member) -> str:
    client.force_login(member.user)
    response = client.get(reverse("reporting:dashboard", args=[school.urn]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_summary_comes_before_the_sections(client, school, ten_pupils, head):
    html = _page(client, school, head)
    kpis = html.index('class="row g-3 mb-3 kpis"')
    changes = html.index('id="h-changes"')
    questions = html.index('id="h-questions"')
    contents = html.index('id="h-contents"')
    first_section = html.index('id="h-headline"')
    assert kpis < changes < questions < contents < first_section
    # Questions are asked of the head too (not only governors), one per section at most,
    # each with a link to the section it comes from.
    asked = html[questions:contents]
    links = re.findall(r'href="#(h-[\w-]+)"', asked)
    assert links, "the summary asks at least one question about these figures"
    assert len(links) == len(set(links))
    for anchor in links:
        assert f'id="{anchor}"' in html


def test_the_contents_list_links_every_section_and_every_table_stays(
    client, school, ten_pupils, head
):
    html = _page(client, school, head)
    start = html.index('id="h-contents"')
    contents = html[start : html.index("</nav>", start)]
    linked = re.findall(r'href="#(h-[\w-]+)"', contents)
    sections = re.findall(r'<h2 class="h5 mb-0" id="(h-[\w-]+)" tabindex="-1"', html)
    assert sections and linked == sections
    assert html.count("<table") >= len(sections)
    # Each section leads back to the contents, whose heading takes the focus (tabindex -1),
    # so a keyboard user goes section to section without tabbing through the tables.
    assert html.count('href="#h-contents" data-back') == len(sections)
    assert 'id="h-contents" tabindex="-1"' in html


def test_with_no_earlier_half_term_the_summary_says_so(client, school, ten_pupils, head):
    html = _page(client, school, head)
    if 'id="h-movement"' not in html:
        assert "no earlier half-term this year to compare with" in html
    else:
        assert "data-summary-changes" in html


def test_what_changed_gives_the_headline_rates_then_and_now(
    client, school, ten_pupils, head, trust_lead
):
    """Autumn 1 (tests/reporting/conftest.py): 93.0% attendance, 6.0% unauthorised, 3 of
    10 pupils persistently absent. Autumn 2: everyone present but one pupil off sick for
    two sessions of ten: 98.0%, 0.0% unauthorised, 1 of 10 persistent."""
    import datetime as dt

    import time_machine

    from tests.registers.factories import MarkFactory, make_half_term

    make_half_term(school, "Autumn 2", dt.date(2025, 11, 3), dt.date(2025, 12, 19))
    for n, pupil in enumerate(ten_pupils):
        codes = ["/", "\\"] * 5
        if n == 0:
            codes[0:2] = ["I", "I"]
        MarkFactory.run(pupil, codes, start=dt.date(2025, 11, 3))
    with time_machine.travel(dt.datetime(2025, 11, 12, 12, 0), tick=False):
        html = _page(client, school, head)
        # The year to date against the year to date at the end of Autumn 1.
        client.force_login(head.user)
        ytd = client.get(
            reverse("reporting:dashboard", args=[school.urn]), {"period": "ytd"}
        ).content.decode()
        trust = _page(client, school, trust_lead)
    start = html.index("data-summary-rates")
    rates = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</ul>", start)]))
    assert "Attendance: 98.0% , up 5.0 points better (from 93.0%)" in rates
    assert "Unauthorised absence: 0.0% , down 6.0 points better (from 6.0%)" in rates
    assert "Persistent absence: 10.0% , down 20.0 points better (from 30.0%)" in rates
    assert "Compared with Autumn 1" in html
    # Year to date: 191 of 200 sessions (95.5%), against 93.0% at the end of Autumn 1.
    assert "Attendance: <strong>95.5%</strong>, up 2.5 points" in ytd
    assert "the year to date at the end of Autumn 1" in ytd
    # A trust lead sees a change only between figures shown to them: 1 persistently absent
    # pupil of 10 is withheld (reporting.disclosure), so that line is left out.
    start = trust.index("data-summary-rates")
    shown = trust[start : trust.index("</ul>", start)]
    assert "Attendance:" in shown and "Persistent absence" not in shown
