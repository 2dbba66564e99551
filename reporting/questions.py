"""Suggested questions for governors, chosen from the figures beside them.

Governors "hold leaders to account … regularly review attendance data and trends"
(docs/domain.md §5) and receive summaries, not pupils (§9), so every question is about a group
or the school and is built only from figures the governors' page already shows (suppressed
groups give no figures, so they prompt no question).
"""

from __future__ import annotations

from decimal import Decimal

from registers.models import School

from .breakdowns import GroupFigures
from .tables import Table

GAP_WORTH_ASKING = Decimal("-1.0")  # points below the rest of the school

GROUP_PROMPTS = {
    "pupil_premium": "How is pupil premium funding used to improve their attendance, and how "
    "will we know it has worked?",
    "fsm": "What barriers (cost, transport, breakfast) are families telling us about?",
    "sen": "Are attendance barriers discussed at SEN support and EHC plan reviews, and are "
    "any part-time timetables temporary and reviewed?",
    "eal": "Do families understand the school's attendance expectations in their language?",
    "cin": "Are social workers told promptly when these pupils are absent?",
    "cla": "Is the virtual school kept informed, and is absence raised at care reviews?",
    "young_carer": "What support do young carers get to attend, and who checks in with them?",
    "year_group": "What is behind the lower attendance in this year group?",
    "gender": "Is there a pattern behind the difference, and does the support fit it?",
}


def _headline(school: School, headline: GroupFigures) -> list[str]:
    found: list[str] = []
    if headline.suppressed or not isinstance(headline.attendance, Decimal):
        return found
    target = school.target_pct.quantize(Decimal("0.1"))
    if headline.attendance < school.target_pct:
        found.append(
            f"Attendance is {headline.attendance}%, below the school's target of {target}%. "
            "What are the main reasons, and what will change this half-term?"
        )
    else:
        found.append(
            f"Attendance is {headline.attendance}%, at or above the target: what is working "
            "that the school should keep doing?"
        )
    # Comparisons with England are asked beside the like-for-like table (_national).
    found.append("How does the school make sure support comes before enforcement?")
    return found


def _group(table: Table) -> list[str]:
    gap_index = next(
        (i for i, c in enumerate(table.columns) if c.title.startswith("Attendance gap")), None
    )
    if gap_index is None:
        return []
    worst = None
    for row in table.rows:
        # Ask about the group the prompt is about (pupil premium, SEN support …), never
        # its complement ("Not pupil premium", "No SEN").
        if str(row[0]).startswith(("Not ", "No ")):
            continue
        gap = row[gap_index]
        if (
            isinstance(gap, Decimal)
            and gap <= GAP_WORTH_ASKING
            and (worst is None or gap < worst[1])
        ):
            worst = (row[0], gap)
    if worst is None:
        return []
    label, gap = worst
    prompt = GROUP_PROMPTS.get(table.name, "What is being done about it?")
    return [f"{label}: attendance is {-gap} points below other pupils. {prompt}"]


NATIONAL_PROMPTS = {
    "Persistent absence": "Which groups make up most of it, and how are those families "
    "supported first?",
    "Unauthorised absence": "How quickly is an unexplained absence followed up on the first day?",
    "Overall absence": "What are the main reasons, and what is being done about them?",
    "Severe absence": "Is every severely absent pupil known to the local authority, with "
    "a plan agreed with the family?",
}


def _national(table: Table) -> list[str]:
    """A question for each measure where the school's pupils aged 5 to 15 are above the
    national rate beside them: the phase's first, else England's."""
    found = []
    national_columns = list(enumerate(table.columns))[2:]
    phase_first = sorted(national_columns, key=lambda ic: "all schools" in ic[1].title)
    for row in table.rows:
        prompt = next((p for k, p in NATIONAL_PROMPTS.items() if str(row[0]).startswith(k)), None)
        own = row[1]
        if prompt is None or not isinstance(own, Decimal):
            continue
        for index, column in phase_first:
            rate = row[index]
            if isinstance(rate, Decimal):
                if own > rate:
                    scope, _, source = column.title.removeprefix("England, ").partition(": ")
                    measure = str(row[0]).split(" (")[0]
                    found.append(
                        f"{measure} among pupils aged 5 to 15 is {own}%, above the {rate}% in "
                        f"England's {scope} ({source}). {prompt}"
                    )
                break
    return found


def questions_for(name: str, *, school: School, headline: GroupFigures, table: Table) -> list[str]:
    if name == "headline":
        return _headline(school, headline)
    if name == "national":
        return _national(table)
    if name == "trend":
        return [
            "Is attendance better than at the same point last year? What happened in the "
            "weeks where it dipped?"
        ]
    if name == "reasons" and table.rows:
        top = table.rows[0]
        return [
            f"The largest reason for absence is {top[0]} ({top[4]}% of absence). What is the "
            "school doing about it?"
        ]
    if name == "weekdays":
        return ["Is absence higher at the start or end of the week, and why?"]
    if name == "lateness":
        return ["How are families who are often late contacted and supported?"]
    if name == "bands":
        return [
            "Do all pupils below the formal-meeting line have an agreed plan (attendance "
            "contract or support) with their family?"
        ]
    if name == "movement":
        return ["What support did pupils who moved to a worse band receive, and when?"]
    return _group(table)
