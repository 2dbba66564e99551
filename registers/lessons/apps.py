from django.apps import AppConfig


class LessonsConfig(AppConfig):
    """Lesson registers of secondary schools (issue 19): the timetable, a register in every
    lesson beside the statutory AM/PM marks, internal-truancy alerts and their reports.

    A sub-app of registers (the bottom layer): it imports registers, never escalation or
    reporting. registers' core never imports it: it joins registers' jobs through hooks."""

    name = "registers.lessons"
    label = "lessons"
    verbose_name = "Lesson registers"

    def ready(self) -> None:
        from attendance_portal.navigation import register_section_check
        from registers.demo import register_demo_step
        from registers.lessons.access import sees_truancy_alerts
        from registers.lessons.demo import seed_secondary
        from registers.lessons.services.alerts import follow_statutory_marks
        from registers.lessons.services.reminders import send_lesson_reminders
        from registers.services.reminders import register_reminder_step
        from registers.services.versions import register_marks_hook

        # The reminder job of AM/PM registers (registers.register_reminders) runs ours too.
        register_reminder_step(send_lesson_reminders)
        # seed_demo adds the trust's secondary school with its timetable.
        register_demo_step(seed_secondary)
        # Every write of statutory marks re-evaluates the internal-truancy alerts it affects.
        register_marks_hook(follow_statutory_marks)
        # The bar offers the alerts to a teacher only as a pastoral lead, as the page does.
        register_section_check("lessons:alerts", sees_truancy_alerts)
