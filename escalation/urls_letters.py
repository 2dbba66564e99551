"""Letters: the log, termly batches, downloads and the wording editor
(escalation.views.letters). Included by escalation/urls.py under /s/<urn>/escalation/."""

from __future__ import annotations

from django.urls import path

from escalation.views import letters

urlpatterns = [
    path("letters/", letters.letters, name="letters"),
    path("letters/start/", letters.start_batch, name="letters_start"),
    path("letters/queue/", letters.queue_letter, name="letters_queue"),
    path("letters/<int:pk>/pdf/", letters.letter_pdf, name="letter_pdf"),
    path("letters/batches/<int:pk>/", letters.batch, name="letter_batch"),
    path(
        "letters/batches/<int:pk>/progress/", letters.batch_progress, name="letter_batch_progress"
    ),
    path("letters/batches/<int:pk>/resume/", letters.resume_batch, name="letter_batch_resume"),
    path("letters/batches/<int:pk>/pdf/", letters.batch_pdf, name="letter_batch_pdf"),
    path("letters/wording/", letters.templates, name="letter_templates"),
    path("letters/wording/<str:kind>/", letters.template, name="letter_template"),
    path("letters/wording/<str:kind>/preview.pdf", letters.preview_pdf, name="letter_preview_pdf"),
]
