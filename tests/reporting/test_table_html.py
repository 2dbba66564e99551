"""The table rows the dashboard, governors' and trust pages print (Table.body_html)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from reporting.disclosure import SMALL
from reporting.tables import Column, Kind, Table


def table(**kwargs) -> Table:
    columns = [Column("Group"), Column("Pupils", Kind.COUNT), Column("Attendance", Kind.PCT)]
    return Table("groups", "By group", columns, **kwargs)


def test_rows_have_a_row_header_right_aligned_numbers_and_a_drill_down_link():
    html = table(
        rows=[["Year 7", 120, Decimal("94.5")], ["Year 8", SMALL, None]],
        links=["/s/1/reporting/group/?dimension=year_group&group=7", None],
    ).body_html
    assert html.splitlines() == [
        '<tr><th scope="row"><a href="/s/1/reporting/group/?dimension=year_group&amp;group=7">'
        'Year 7</a></th><td class="num">120</td><td class="num">94.5%</td></tr>',
        f'<tr><th scope="row">Year 8</th><td class="num suppressed">{SMALL}</td>'
        '<td class="num">–</td></tr>',
    ]


def test_every_value_is_escaped():
    html = table(rows=[['<script>alert("x")</script>', 3, None]], links=['/x?a=1&b="2"']).body_html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'href="/x?a=1&amp;b=&quot;2&quot;"' in html


def test_a_table_without_rows_says_so():
    html = render_to_string("reporting/_table.html", {"table": table(rows=[])})
    assert "No figures for this period." in html and '<th scope="row">' not in html
