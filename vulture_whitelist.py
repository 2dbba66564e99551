"""Names vulture (the dead-code check in `make lint`) cannot see used: read by templates,
the ORM, Django or a library by name, or fields of records. Generated with
`vulture --make-whitelist` and reviewed; pyproject.toml [tool.vulture] ignores Django's
conventions (Meta, admin, apps, commands, clean_*, ...) by name.

A name that vulture reports for new code: if it is really used (a template, a setting, a
library hook), add it here with where it is used; if nothing uses it, delete the code.
"""

# ruff: noqa
# fmt: off
portal  # unused function (attendance_portal/context_processors.py)
view_args  # unused variable (attendance_portal/identity/middleware.py)
view_kwargs  # unused variable (attendance_portal/identity/middleware.py)
StaffEmailBackend  # unused class (attendance_portal/identity/oidc.py)
_.get_or_create_user  # unused method (attendance_portal/identity/oidc.py)
_.failure_url  # unused property (attendance_portal/identity/oidc.py)
sender  # unused variable (attendance_portal/identity/policy.py)
_.confirmed  # unused attribute (attendance_portal/identity/services.py)
ThrottledModelBackend  # unused class (attendance_portal/signin/backends.py)
app_configs  # unused variable (attendance_portal/signin/checks.py)
created_at  # unused variable (attendance_portal/signin/models.py)
addresses  # unused variable (attendance_portal/signin/selectors.py)
FORMULA_STARTS  # unused variable (attendance_portal/spreadsheets.py)
list_select_related  # unused variable (escalation/admin.py)
list_select_related  # unused variable (escalation/admin.py)
list_select_related  # unused variable (escalation/admin.py)
target_by  # unused variable (escalation/forms/cases.py)
other_targets  # unused variable (escalation/forms/cases.py)
parent_signed_on  # unused variable (escalation/forms/cases.py)
school_signatory  # unused variable (escalation/forms/cases.py)
school_signed_on  # unused variable (escalation/forms/cases.py)
pp  # unused variable (escalation/forms/cases.py)
_.queryset  # unused attribute (escalation/forms/letters.py)
_.queryset  # unused attribute (escalation/forms/letters.py)
_.placeholders  # unused property (escalation/forms/letters.py)
_.queryset  # unused attribute (escalation/forms/letters.py)
_.queryset  # unused attribute (escalation/forms/lists.py)
address_lines  # unused variable (escalation/letters.py)
school_urn  # unused variable (escalation/letters.py)
school_address  # unused variable (escalation/letters.py)
opened_at  # unused variable (escalation/models/cases.py)
opened_by  # unused variable (escalation/models/cases.py)
owner  # unused variable (escalation/models/cases.py)
closed_at  # unused variable (escalation/models/cases.py)
actor_role  # unused variable (escalation/models/cases.py)
created_at  # unused variable (escalation/models/cases.py)
MET  # unused variable (escalation/models/interventions.py)
PARTLY_MET  # unused variable (escalation/models/interventions.py)
NOT_MET  # unused variable (escalation/models/interventions.py)
target_by  # unused variable (escalation/models/interventions.py)
other_targets  # unused variable (escalation/models/interventions.py)
parent_signed_on  # unused variable (escalation/models/interventions.py)
school_signatory  # unused variable (escalation/models/interventions.py)
school_signed_on  # unused variable (escalation/models/interventions.py)
review_outcome  # unused variable (escalation/models/interventions.py)
review_notes  # unused variable (escalation/models/interventions.py)
reviewed_by  # unused variable (escalation/models/interventions.py)
IMPROVED  # unused variable (escalation/models/interventions.py)
NOT_IMPROVED  # unused variable (escalation/models/interventions.py)
outcome_on  # unused variable (escalation/models/interventions.py)
PAID  # unused variable (escalation/models/interventions.py)
UNPAID  # unused variable (escalation/models/interventions.py)
status_on  # unused variable (escalation/models/interventions.py)
updated_by  # unused variable (escalation/models/letters.py)
started_by  # unused variable (escalation/models/letters.py)
started_by_name  # unused variable (escalation/models/letters.py)
finished_at  # unused variable (escalation/models/letters.py)
generated_at  # unused variable (escalation/models/letters.py)
started_at  # unused variable (escalation/models/sweeps.py)
finished_at  # unused variable (escalation/models/sweeps.py)
attempts  # unused variable (escalation/models/sweeps.py)
_.closed_at  # unused attribute (escalation/services/cases.py)
school_signatory  # unused variable (escalation/services/interventions.py)
target_by  # unused variable (escalation/services/interventions.py)
other_targets  # unused variable (escalation/services/interventions.py)
parent_signed_on  # unused variable (escalation/services/interventions.py)
school_signed_on  # unused variable (escalation/services/interventions.py)
_.review_outcome  # unused attribute (escalation/services/interventions.py)
_.review_notes  # unused attribute (escalation/services/interventions.py)
_.reviewed_by  # unused attribute (escalation/services/interventions.py)
_.outcome_on  # unused attribute (escalation/services/interventions.py)
_.status_on  # unused attribute (escalation/services/interventions.py)
_.generated_at  # unused attribute (escalation/services/letter_generation.py)
_.finished_at  # unused attribute (escalation/services/letter_generation.py)
bands_moved  # unused variable (escalation/services/sweep.py)
incomplete_pupils  # unused variable (escalation/services/sweep.py)
_.incomplete_pupils  # unused attribute (escalation/services/sweep.py)
_.bands_moved  # unused attribute (escalation/services/sweep.py)
badges  # unused variable (escalation/views/caseload.py)
attendance_shown  # unused variable (escalation/views/caseload.py)
details  # unused variable (escalation/views/cases.py)
_.__qualname__  # unused attribute (escalation/views/cases.py)
short  # unused variable (escalation/views/lists.py)
badges  # unused variable (escalation/views/lists_calling.py)
attendance_shown  # unused variable (escalation/views/lists_calling.py)
_.resolution  # unused property (escalation/views/lists_calling.py)
forms_total  # unused variable (escalation/selectors/lists.py)
missing_am  # unused variable (escalation/selectors/lists.py)
missing_pm  # unused variable (escalation/selectors/lists.py)
badges  # unused variable (escalation/views/lists_concern.py)
week_absent  # unused variable (escalation/views/lists_concern.py)
week_unauthorised  # unused variable (escalation/views/lists_concern.py)
attendance_shown  # unused variable (escalation/views/lists_concern.py)
badges  # unused variable (escalation/views/lists_fpn.py)
fieldsets  # unused variable (registers/admin.py)
NOT_POSSIBLE_CODES  # unused variable (registers/codes.py)
_.conflict  # unused property (registers/forms/marks.py)
_.unmarked_count  # unused property (registers/forms/marks.py)
_.changes_recorded_marks  # unused property (registers/forms/marks.py)
_.line_errors  # unused property (registers/forms/marks.py)
_.queryset  # unused attribute (registers/forms/leave.py)
created_at  # unused variable (registers/models/base.py)
created_at  # unused variable (registers/models/calendar.py)
called_at  # unused variable (registers/models/calls.py)
called_by  # unused variable (registers/models/calls.py)
code_given  # unused variable (registers/models/calls.py)
last_reviewed_on  # unused variable (registers/models/leave.py)
decided_by  # unused variable (registers/models/leave.py)
MEDICAL  # unused variable (registers/models/leave.py)
TRIP  # unused variable (registers/models/leave.py)
SPORT  # unused variable (registers/models/leave.py)
WORK  # unused variable (registers/models/leave.py)
OTHER  # unused variable (registers/models/leave.py)
LA_PROVISION  # unused variable (registers/models/leave.py)
created_by  # unused variable (registers/models/leave.py)
sort_order  # unused variable (registers/models/marks.py)
old_minutes_late  # unused variable (registers/models/marks.py)
new_minutes_late  # unused variable (registers/models/marks.py)
changed_by  # unused variable (registers/models/marks.py)
changed_by_role  # unused variable (registers/models/marks.py)
created_at  # unused variable (registers/models/marks.py)
upn_digests  # unused variable (registers/models/privacy.py)
created_at  # unused variable (registers/models/privacy.py)
UNKNOWN  # unused variable (registers/models/pupils.py)
FEMALE  # unused variable (registers/models/pupils.py)
MALE  # unused variable (registers/models/pupils.py)
parental_responsibility  # unused variable (registers/models/pupils.py)
SECONDARY  # unused variable (registers/models/schools.py)
SPECIAL  # unused variable (registers/models/schools.py)
ctf_serial  # unused variable (registers/models/schools.py)
_.year_label  # unused property (registers/models/transfer.py)
load_codes  # unused function (registers/reference_data.py)
load_role_groups  # unused function (registers/reference_data.py)
_.taken_by_name  # unused property (registers/selectors/day.py)
_.is_school_day  # unused property (registers/selectors/day.py)
_.is_future  # unused property (registers/selectors/day.py)
_.closed_sessions  # unused method (registers/selectors/day.py)
_.state_summary  # unused property (registers/selectors/day.py)
_.attention_count  # unused property (registers/selectors/day.py)
old_css  # unused variable (registers/selectors/pupils.py)
new_css  # unused variable (registers/selectors/pupils.py)
legend  # unused variable (registers/selectors/pupils.py)
prefill_label  # unused variable (registers/selectors/sheet.py)
_.recorded_by_name  # unused property (registers/selectors/sheet.py)
_.unmarked_count  # unused property (registers/selectors/sheet.py)
_.has_marks  # unused property (registers/selectors/sheet.py)
_.taken_by_name  # unused property (registers/selectors/sheet.py)
membership_created  # unused variable (registers/services/imports/staff.py)
_.decided_by  # unused attribute (registers/services/leave.py)
_.last_reviewed_on  # unused attribute (registers/services/leave.py)
audit  # unused variable (registers/services/privacy.py)
_.audit  # unused attribute (registers/services/privacy.py)
absence  # unused variable (reporting/breakdowns.py)
_.winners  # unused property (reporting/celebration.py)
attendance_shown  # unused variable (reporting/drilldown.py)
_.font  # unused attribute (reporting/exports.py)
__getattr__  # unused function (reporting/national.py)
selected  # unused variable (reporting/periods.py)
_.has_data  # unused property (reporting/report.py)
_.questions  # unused attribute (reporting/report.py)
chart_id  # unused variable (reporting/responses.py)
_.wide  # unused property (reporting/responses.py)
questions  # unused variable (reporting/tables.py)
_.display_rows  # unused property (reporting/tables.py)
_.body_html  # unused property (reporting/tables.py)
_.print_bars  # unused property (reporting/tables.py)
period_label  # unused variable (reporting/trust.py)
new_comment  # model field (registers/models/marks.py), written by the amendment services
mark_version  # model field (registers/models/marks.py)
renderer  # Django's Widget.render signature (registers/widgets.py)
_._choices  # ChoiceField/Select's own attribute, shared once per process (registers/widgets.py)
heartbeat_at  # model field (escalation/models/sweeps.py), stamped by the sweep's heartbeat
colour  # BarShape.colour: the bar's fill in templates/letters/_chart.html (escalation/letters.py)
SUPPORT  # Pupil.SEN.SUPPORT ("K"): a choice stored and imported (registers/models/pupils.py)
_.register_url  # read by templates/escalation/_list_calling_row.html
sent_at  # model field (registers/models/reminders.py)
unassigned  # CaseloadFilter's field, read by name from cleaned_data (escalation/forms/cases.py)
_.template_name  # Django class-based views' attribute (attendance_portal/login.py)
_.get_default_redirect_url  # LoginView's hook (attendance_portal/login.py)
_.authentication_form  # LoginView's attribute (attendance_portal/login.py)
_.section  # read by templates/reporting/dashboard.html (the question's section link)
_.changes_note  # read by templates/reporting/dashboard.html

# The stored figures' weekday columns are read by name (registers.models.figures.WEEKDAY_FIELDS);
# the marks-based readers' names are read by the tests that compare the two.
_.mon
_.tue
_.wed
_.thu
_.fri
READERS
_.attended_pct  # read by templates/lessons/report.html
alerts_withdrawn  # LessonResult's withdrawn alerts, asserted by tests/lessons (the save's result)
_.used_at  # a spent challenge: filtered on by the ORM (attendance_portal/parents/services/signin.py)
digest  # model field (attendance_portal/api/models.py), looked up by services/tokens.py
_.is_revoked  # read by templates/api/tokens.html
_.is_expired  # read by templates/api/tokens.html
default_detail  # DRF APIException's attribute (attendance_portal/api/problems.py)
CsvRenderer  # named in settings.REST_FRAMEWORK (attendance_portal/api/renderers.py)
charset  # DRF renderer's attribute
accepted_media_type  # DRF renderer's render() signature
TokenRateThrottle  # named in settings.REST_FRAMEWORK (attendance_portal/api/throttling.py)
_.get_rate  # DRF throttle hook
_.get_cache_key  # DRF throttle hook
TokenScheme  # drf-spectacular finds its extensions by subclassing
_.target_class  # drf-spectacular extension attribute
_.get_security_definition  # drf-spectacular extension hook
_.authenticate_header  # DRF authentication hook
# The answers' shapes for the OpenAPI schema (attendance_portal/api/serializers.py)
possible_sessions
present_sessions
aea_sessions
authorised_sessions
late_sessions
unmarked_sessions
persistent_absence
severe_absence
HasToken  # named in settings.REST_FRAMEWORK (attendance_portal/api/access.py)
_.has_permission  # DRF permission hook
require_bodies  # drf-spectacular POSTPROCESSING_HOOKS (attendance_portal/api/schema.py)
ReplicaRouter  # DATABASE_ROUTERS (settings.py) names it (attendance_portal/replica.py)
_.db_for_write  # Django's database router interface (attendance_portal/replica.py)
_.allow_relation  # Django's database router interface
_.allow_migrate  # Django's database router interface
FAMILY  # AbsenceReport.Reason.FAMILY: a reason parents choose (registers/families/models/absence.py)
reported_at  # model field (registers/families/models/absence.py), shown on the calling list
delivered_at  # model field (registers/families/models/messages.py), set by the services
report_absence  # the parents' portal's service (registers/families/services/absence.py)
request_leave  # the parents' portal's service (registers/families/services/absence.py)
send_one_time_code  # the parents' sign-in's service (registers/families/services/codes.py)
send_message  # one message's send_messages, for the shell and tests (registers/families/services/messages.py)
MAX_THROTTLE_DELAY_SECONDS  # django-otp's module constant, set at ready() (identity/apps.py)
subject_template_name  # PasswordResetView's attribute (attendance_portal/signin/views.py)
email_template_name  # PasswordResetView's attribute (attendance_portal/signin/views.py)
recorded_by_role  # model field (registers/models/movements.py): the audit's position
_.better  # read by templates/reporting/dashboard.html (a rate change's direction)
compared_with  # read by templates/reporting/dashboard.html
send_message  # families' one-message send, called by its tests (registers/families/services/messages.py; merged from branch families)
