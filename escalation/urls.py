"""Escalation URLs: case work (urls_cases), the daily lists (urls_lists) and letters
(urls_letters)."""

from escalation import urls_cases, urls_letters, urls_lists

app_name = "escalation"

urlpatterns = urls_cases.urlpatterns + urls_lists.urlpatterns + urls_letters.urlpatterns
