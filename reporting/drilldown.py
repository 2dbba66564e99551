"""The staff drill-down: the pupils behind one figure of the dashboard, weakest first.

Names and UPNs are read here and only here (one query for the group), after the group
has been chosen from the name-free frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registers import rates
from registers.models import School

from . import breakdowns, selectors
from .periods import Period
from .report import pupil_frame
from .responses import pupil_url
from .sections import band_label


@dataclass(frozen=True)
class PupilRow:
    name: str
    upn: str
    form: str
    year: str
    attendance: Decimal | None
    possible: int
    authorised: int
    unauthorised: int
    late: int
    band: str
    url: str
    attendance_shown: str = "–"  # rates.shown_pct: never on the wrong side of the band


def pupils_in_group(*, school: School, period: Period, dimension: str, key: str) -> list[PupilRow]:
    with selectors.report_reads():
        frame = pupil_frame(school=school, period=period)
    members = breakdowns.in_group(frame, dimension, key)
    names = selectors.pupil_names(school=school, pupil_ids=[int(i) for i in members["id"]])
    rows = []
    for record in members.to_dict("records"):
        person = names.get(record["id"], {})
        rows.append(
            PupilRow(
                name=f"{person.get('forename', '')} {person.get('surname', '')}".strip(),
                upn=person.get("upn", ""),
                form=record["form__name"] or "–",
                year=str(record["year_group"]),
                attendance=rates.percent(int(record["attended"]), int(record["possible"])),
                possible=int(record["possible"]),
                authorised=int(record["authorised"]),
                unauthorised=int(record["unauthorised"]),
                late=int(record["late"]),
                band=band_label(record["band"]) if record["band"] else "–",
                url=pupil_url(school, record["id"]),
                attendance_shown=rates.shown_pct_for(
                    rates.SessionCounts(
                        possible=int(record["possible"]), present=int(record["attended"])
                    ),
                    school,
                ),
            )
        )
    rows.sort(key=lambda r: (r.attendance is None, r.attendance or 0, r.name))
    return rows
