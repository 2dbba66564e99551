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
    sections = re.findall(r'<h2 class="h5 mb-0" id="(h-[\w-]+)"', html)
    assert sections and linked == sections
    assert html.count("<table") >= len(sections)


def test_with_no_earlier_half_term_the_summary_says_so(client, school, ten_pupils, head):
    html = _page(client, school, head)
    if 'id="h-movement"' not in html:
        assert "no earlier half-term this year to compare with" in html
    else:
        assert "data-summary-changes" in html
