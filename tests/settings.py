"""The test suite's settings: the portal's own with DEBUG on, as `make run` has it.

DEBUG is off unless set (attendance_portal/settings.py), and the settings read it once, at
import, to choose the static files storage, the secret key and the hosts; so it is set in
the environment before they are imported (pyproject.toml points pytest-django here).
Tests of the production settings run manage.py in a subprocess with their own
environment (tests/portal/test_deployment.py). pytest-django still runs each test with
settings.DEBUG False, as Django's test runner does.
"""

import os

os.environ["DEBUG"] = "true"

from attendance_portal.settings import *  # noqa: F403
