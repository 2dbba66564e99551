"""The shapes of the API's answers and bodies, for the OpenAPI schema (drf-spectacular).

Reads build plain dicts from the selectors (a serializer per row would cost more than the
figures for 1,500 pupils); these classes describe them. The bulk writes are checked by the
import services themselves, row by row, so that the API refuses exactly what
`import_marks` and `import_pupils` refuse.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registers.services.imports import contacts as contacts_import
from registers.services.imports import marks as marks_import
from registers.services.imports import pupils as pupils_import

# A figure an aggregate-only token may not see is "c" (1 to 4 pupils) or "x" (withheld to
# protect a small group), as on the governors' pages.
WITHHELD_OR_NUMBER = {
    "oneOf": [{"type": "number"}, {"type": "string", "enum": ["c", "x"]}],
    "nullable": True,
}
WITHHELD_OR_INTEGER = {
    "oneOf": [{"type": "integer"}, {"type": "string", "enum": ["c", "x"]}],
}


@extend_schema_field(WITHHELD_OR_NUMBER)
class FigureField(serializers.Field):
    pass


@extend_schema_field(WITHHELD_OR_INTEGER)
class CountField(serializers.Field):
    pass


class Problem(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class SchoolOut(serializers.Serializer):
    urn = serializers.CharField()
    name = serializers.CharField()
    phase = serializers.CharField()
    trust = serializers.CharField(allow_null=True)


class PupilFiguresOut(serializers.Serializer):
    """The attendance_stats record (docs/interfaces.md), same keys, same values."""

    upn = serializers.CharField()
    possible_sessions = serializers.IntegerField()
    present_sessions = serializers.IntegerField()
    aea_sessions = serializers.IntegerField()
    authorised_sessions = serializers.IntegerField()
    unauthorised_sessions = serializers.IntegerField()
    late_sessions = serializers.IntegerField()
    unmarked_sessions = serializers.IntegerField()
    attendance_pct = serializers.FloatField(allow_null=True)
    persistent_absence = serializers.BooleanField()
    severe_absence = serializers.BooleanField()
    band = serializers.CharField(allow_null=True)


class MarkOut(serializers.Serializer):
    upn = serializers.CharField()
    date = serializers.DateField()
    session = serializers.ChoiceField(choices=["AM", "PM"])
    code = serializers.CharField()
    minutes_late = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class GroupOut(serializers.Serializer):
    dimension = serializers.CharField()
    dimension_label = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    pupils = CountField()
    possible = serializers.IntegerField()
    attendance = FigureField()
    authorised = FigureField()
    unauthorised = FigureField()
    absence = FigureField()
    persistent = FigureField()
    severe = FigureField()
    attendance_gap = FigureField()
    persistent_gap = FigureField()
    suppressed = serializers.BooleanField()


class BandOut(serializers.Serializer):
    band = serializers.CharField()
    label = serializers.CharField()
    pupils = CountField()
    share = FigureField()


class CaseCountOut(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    cases = CountField()


class CaseOut(serializers.Serializer):
    upn = serializers.CharField()
    stage = serializers.CharField()
    reason = serializers.CharField()
    opened_on = serializers.DateField()
    next_review = serializers.DateField(allow_null=True)
    band = serializers.CharField(allow_null=True)


def _page(name: str, row: type[serializers.Serializer]) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "results": row(many=True),
            "next": serializers.URLField(allow_null=True, help_text="the next page, if any"),
        },
    )


SchoolsPage = _page("SchoolsPage", SchoolOut)
FiguresPage = _page("FiguresPage", PupilFiguresOut)
MarksPage = _page("MarksPage", MarkOut)
GroupsPage = _page("GroupsPage", GroupOut)
BandsPage = _page("BandsPage", BandOut)
CaseCountsPage = _page("CaseCountsPage", CaseCountOut)
CasesPage = _page("CasesPage", CaseOut)


def _row_of(name: str, columns: tuple[str, ...]) -> type[serializers.Serializer]:
    # Values as the CSV has them (text); the import service checks each one.
    fields = {
        c: serializers.CharField(allow_blank=True, allow_null=True, required=False) for c in columns
    }
    return type(name, (serializers.Serializer,), fields)


MarkIn = _row_of("MarkIn", marks_import.COLUMNS)
PupilIn = _row_of("PupilIn", (*pupils_import.COLUMNS, *pupils_import.OPTIONAL_COLUMNS))


ContactIn = _row_of("ContactIn", contacts_import.COLUMNS)


class ContactsIn(serializers.Serializer):
    contacts = ContactIn(many=True)


class ContactsResultOut(serializers.Serializer):
    pupils = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    removed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class MarksIn(serializers.Serializer):
    marks = MarkIn(many=True)


class PupilsIn(serializers.Serializer):
    pupils = PupilIn(many=True)


class MarksResultOut(serializers.Serializer):
    created = serializers.IntegerField()
    amended = serializers.IntegerField()
    comments_updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class PupilsResultOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    forms_created = serializers.IntegerField()
