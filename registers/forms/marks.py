"""Forms of the register pages.

They catch what a user can fix on the page (a missing reason, minutes late on a present
mark); the services in registers.services.marks repeat and enforce every rule that matters.
"""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.http import QueryDict
from django.utils.choices import normalize_choices

from attendance_portal.dates import DateField
from registers import code_rules, codes
from registers.models.pupils import YEAR_GROUPS
from registers.selectors import RegisterRow, RegisterSheet
from registers.services.marks import Entry, describe
from registers.widgets import CodeField, PlainNumberInput, PlainTextInput

NO_MARK = ""


# The codes a class teacher uses at registration, after the session's present mark; the
# rest are under "More codes" (the office records most of them).
TEACHER_CODES = ("L", "N")
MORE_CODES = "More codes"


def _label(c: codes.Code) -> str:
    return f"{c.code} – {c.meaning}"


def code_choices(
    *, blank_label: str | None, session: str | None = None, teacher: bool = False
) -> list:
    """See _code_choices: one shared list per combination, however it is asked for."""
    return _code_choices(blank_label, session, bool(teacher and session))


@lru_cache(maxsize=16)
def _code_choices(blank_label: str | None, session: str | None, teacher: bool) -> list:
    """Every code, grouped as the regulations group them, each showing code and meaning.

    With `session`, the other session's present mark is left out (the morning register
    never offers \\, the afternoon never /); with `teacher`, the session's present mark,
    L and N come first and every other code is under "More codes".
    Built once per combination and shared by every form (CodeField.offer): never mutate it."""
    wrong = None if session is None else codes.present_code_for("PM" if session == "AM" else "AM")
    if teacher and session is not None:
        common = [codes.present_code_for(session), *TEACHER_CODES]
        rest = [c for c in codes.CODES if c.code not in common and c.code != wrong]
        grouped = [
            ("Common", [(code, _label(codes.BY_CODE[code])) for code in common]),
            (MORE_CODES, [(c.code, _label(c)) for c in rest]),
        ]
    else:
        grouped = [
            (str(group), [(c.code, _label(c)) for c in items if c.code != wrong])
            for group, items in codes.grouped()
        ]
    blank = [(NO_MARK, blank_label)] if blank_label is not None else []
    return normalize_choices(blank + grouped)


class _MarkFields(forms.Form):
    """A code with its minutes late and comment, as in the register and the amend page."""

    # Rendered in one pass from the fixed code table (registers.widgets): a register of 30
    # pupils otherwise spends most of its page in Django's per-option templates.
    code = CodeField(label="Mark")
    minutes_late = forms.IntegerField(
        label="Minutes late",
        required=False,
        min_value=0,
        max_value=600,
        widget=PlainNumberInput(attrs={"inputmode": "numeric"}),
    )
    comment = forms.CharField(
        label="Comment", required=False, max_length=500, widget=PlainTextInput
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["class"] = "form-select"
        self.fields["minutes_late"].widget.attrs["class"] = "form-control"
        self.fields["comment"].widget.attrs["class"] = "form-control"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("minutes_late") is not None and data.get("code") not in codes.LATE_CODES:
            self.add_error("minutes_late", "Minutes late go with L or U only.")
        return data

    def entry(self, pupil_id: int) -> Entry:
        data = self.cleaned_data
        return Entry(
            pupil_id=pupil_id,
            code=data["code"],
            minutes_late=data.get("minutes_late"),
            comment=data.get("comment", ""),
        )


class MarkLineForm(_MarkFields):
    """One pupil's line of the class register (fields prefixed p<pupil id>)."""

    def __init__(
        self,
        data: QueryDict | None,
        *,
        row: RegisterRow,
        locked: bool = False,
        session: str | None = None,
        teacher: bool = False,
    ) -> None:
        self.row = row
        # A mark pre-filled from granted leave or a planned absence, on a teacher's register:
        # shown but not editable (save_register refuses a change to it as well).
        self.locked = locked and row.is_prefilled
        mark = row.mark
        initial = (
            {"code": mark.code_id, "minutes_late": mark.minutes_late, "comment": mark.comment}
            if mark
            else {}
        )
        super().__init__(data, prefix=f"p{row.pupil.pk}", initial=initial)
        name = row.pupil.name
        code = self.fields["code"]
        # A recorded mark can be changed (with a reason) but never removed, so only a pupil
        # without a mark is offered "No mark". A blank posted for a recorded mark (only a
        # page opened before someone else saved sends one) leaves that mark as it is.
        code.required = False
        # A mark recorded before the session check (an old import) is still shown as it is.
        if mark is not None and session and code_rules.session_problem(mark.code_id, session):
            session = None
        code.offer(
            code_choices(
                blank_label=None if mark else "No mark",
                session=session,
                teacher=teacher and not self.locked,
            )
        )
        code.label = f"Mark for {name}"
        self.fields["minutes_late"].label = f"Minutes late for {name}"
        self.fields["comment"].label = f"Comment for {name}"
        # Visible hints where the column headings wrap away on a portrait tablet.
        self.fields["minutes_late"].widget.attrs["placeholder"] = "min"
        self.fields["comment"].widget.attrs["placeholder"] = "Comment"
        if self.locked:
            # The select is shown disabled; a hidden input posts the recorded code.
            code.widget.attrs["disabled"] = True
        self.stale = False
        self.changed_meanwhile = False
        self.yours: tuple[str, str, str] | None = None

    def _raw(self, field: str) -> str:
        if self.is_bound:
            return (self.data.get(self.add_prefix(field)) or "").strip()
        value = self.initial.get(field)
        return "" if value is None else str(value)

    @property
    def chosen_code(self) -> str:
        return self._raw("code")

    @property
    def is_unmarked(self) -> bool:
        return not self.chosen_code

    @property
    def chosen(self) -> tuple[str, str, str]:
        """What the page holds for this pupil: (code, minutes late, comment) as text."""
        return (self.chosen_code, self._raw("minutes_late"), self._raw("comment"))

    @property
    def changes_recorded_mark(self) -> bool:
        """Whether the page's value differs from the recorded mark (code, lateness or
        comment): an amendment, which needs a reason."""
        mark = self.row.mark
        if mark is None or self.is_unmarked:
            return False
        return self.chosen != mark_values(mark)

    @property
    def seen_name(self) -> str:
        return self.add_prefix("seen")

    @property
    def seen_token(self) -> str:
        """The mark as this page was first opened with it, posted back in a hidden field:
        after a stale save it tells the user's own changes from everyone else's."""
        if self.is_bound and self.seen_name in self.data:
            return self.data[self.seen_name]
        return seen_token(self.row.mark)

    def rebase(self) -> None:
        """After StaleRegister (the row now holds the current mark): start from the current
        mark, put back only what this user changed themselves, and mark the pupils whose
        mark changed meanwhile. A value the user did not touch is never posted again."""
        current = mark_values(self.row.mark) if self.row.mark else None
        seen = parse_seen(self.data.get(self.seen_name))
        mine = self.chosen
        # A blank code for a recorded mark means "leave it": not a change of the user's.
        if seen is UNKNOWN:  # a page without the hidden field: assume the worst
            touched = bool(mine[0]) and mine != current
            self.changed_meanwhile = current is not None and touched
        else:
            touched = bool(mine[0]) and mine != seen
            self.changed_meanwhile = current != seen
        self.stale = True
        if touched and self.changed_meanwhile:
            self.yours = mine  # offered beside their mark, not applied
        if not touched or self.changed_meanwhile:
            code, minutes, comment = current or ("", "", "")
            self.data[self.add_prefix("code")] = code
            self.data[self.add_prefix("minutes_late")] = minutes
            self.data[self.add_prefix("comment")] = comment
        self.data[self.seen_name] = seen_token(self.row.mark)

    @property
    def conflict(self) -> bool:
        """After a stale save: this user and someone else both changed this pupil."""
        return self.yours is not None

    @property
    def yours_text(self) -> str:
        if self.yours is None:
            return ""
        code, minutes, comment = self.yours
        return describe(code, int(minutes) if minutes.isdigit() else None, comment)

    def entry_or_none(self) -> Entry | None:
        """The pupil's entry, or None for a line left blank (nothing to record)."""
        mark = self.row.mark
        if self.locked and mark is not None:
            # Shown, not editable: the hidden input posts the recorded code and the comment
            # is shown as text. A crafted post of another code is passed on, for
            # save_register to refuse.
            data = self.cleaned_data
            minutes = data.get("minutes_late")
            return Entry(
                self.row.pupil.pk,
                data.get("code") or mark.code_id,
                mark.minutes_late if minutes is None else minutes,
                mark.comment,
            )
        if not self.cleaned_data.get("code"):
            return None
        return self.entry(self.row.pupil.pk)


UNKNOWN = object()


def mark_values(mark) -> tuple[str, str, str]:
    """A recorded mark as the page's fields hold it: (code, minutes late, comment)."""
    minutes = "" if mark.minutes_late is None else str(mark.minutes_late)
    return (mark.code_id, minutes, mark.comment.strip())


def seen_token(mark) -> str:
    return "" if mark is None else "|".join(mark_values(mark))


def parse_seen(token: str | None):
    """The hidden field back to (code, minutes, comment), None for no mark, UNKNOWN if the
    page did not send it or it is not of the page's making."""
    if token is None:
        return UNKNOWN
    if token == "":
        return None
    parts = token.split("|", 2)
    return tuple(parts) if len(parts) == 3 else UNKNOWN


class RegisterForm(forms.Form):
    """A whole class register: one MarkLineForm per pupil on roll, the version the user
    opened, and the reason that changing an already-recorded mark needs."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label="Reason for changing recorded marks",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text="Needed only when you change a mark that was already recorded.",
    )

    def __init__(
        self,
        sheet: RegisterSheet,
        data: QueryDict | None = None,
        *,
        lock_prefilled: bool = False,
        teacher: bool = False,
    ) -> None:
        super().__init__(data, initial={"version": sheet.version})
        self.sheet = sheet
        # Lines are built from the pupils on roll, never from posted ids, so a tampered
        # post cannot mark a pupil who is not in this register.
        self.lines = [
            MarkLineForm(
                data, row=row, locked=lock_prefilled, session=sheet.session, teacher=teacher
            )
            for row in sheet.rows
        ]
        self.stale = False

    def is_valid(self) -> bool:
        lines_valid = [line.is_valid() for line in self.lines]  # validate every line
        return super().is_valid() and all(lines_valid)

    def entries(self) -> list[Entry]:
        return [e for e in (line.entry_or_none() for line in self.lines) if e is not None]

    @property
    def unmarked_count(self) -> int:
        return sum(1 for line in self.lines if line.is_unmarked)

    @property
    def changes_recorded_marks(self) -> bool:
        return any(line.changes_recorded_mark for line in self.lines)

    @property
    def line_errors(self) -> bool:
        return any(line.errors for line in self.lines)

    def fill_unmarked_present(self) -> int:
        """Put the session's present code on every line left blank; nothing is saved.

        The no-JavaScript twin of register.js: the page comes back filled for checking.
        """
        filled = 0
        for line in self.lines:
            if line.is_unmarked:
                self.data[line.add_prefix("code")] = self.sheet.present_code
                filled += 1
        return filled

    def rebase_after_stale(self) -> None:
        """After StaleRegister, with the sheet read again: the current marks are the
        starting point, only this user's own changes are put back (where nobody else
        changed the same pupil), and the current version is taken so the next save can go
        through. The reason stays only if a change that needs it was put back."""
        self.data["version"] = str(self.sheet.version)
        self.stale = True
        for line in self.lines:
            line.rebase()
        if not self.changes_recorded_marks:
            self.data["reason"] = ""

    @property
    def changed_meanwhile(self) -> list[MarkLineForm]:
        return [line for line in self.lines if line.changed_meanwhile]

    @property
    def conflicts(self) -> list[MarkLineForm]:
        return [line for line in self.lines if line.conflict]

    @property
    def reapplied(self) -> list[MarkLineForm]:
        """After a stale save: the user's own changes put back for the next save."""
        return [
            line
            for line in self.lines
            if not line.changed_meanwhile
            and line.chosen_code
            and (line.row.mark is None or line.changes_recorded_mark)
        ]


class AmendMarkForm(_MarkFields):
    """The office's change to one pupil's session: a reason is always required."""

    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="Kept in the register's history with your name and position.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].offer(code_choices(blank_label="Choose a code"))


class DayForm(forms.Form):
    """The query string of the day page: ?date=YYYY-MM-DD&missing=1."""

    date = DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    missing = forms.BooleanField(label="Only missing or with blanks", required=False)


class MissingMarksForm(forms.Form):
    """The query string of the missing-marks list: ?from=&to=&pupil= (any past dates)."""

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    pupil = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The first day must not come after the last.")
        return cleaned


class PupilSearchForm(forms.Form):
    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    form = forms.TypedChoiceField(label="Form", required=False, coerce=int, empty_value=None)
    year = forms.ChoiceField(
        label="Year group",
        required=False,
        choices=[("", "All years"), *[(y, f"Year {y}" if y.isdigit() else y) for y in YEAR_GROUPS]],
    )
    left = forms.BooleanField(label="Include pupils who have left", required=False)

    def __init__(self, data: QueryDict, *, form_choices: list[tuple[int, str]]) -> None:
        super().__init__(data)
        # Choices come in as a list the view has read, so rendering runs no query.
        self.fields["form"].choices = [("", "All forms"), *form_choices]
        self.fields["form"].widget.attrs["class"] = "form-select"
        self.fields["year"].widget.attrs["class"] = "form-select"
        self.fields["left"].widget.attrs["class"] = "form-check-input"


class YearForm(forms.Form):
    """?year=<start year> on the pupil page; the selector falls back to a year it has."""

    year = forms.IntegerField(required=False, min_value=1990, max_value=2200)
