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

# The read replica (attendance_portal/replica.py). The suite reads the primary; the replica
# tests (tests/portal/test_replica.py, run by .ci/run against a real streaming replica) turn
# REPORTING_READS_DATABASE to "replica". As a test mirror it is never created or flushed:
# it reads the test database the primary's streaming copies to it, under the same name.
DATABASES.pop("replica", None)  # noqa: F405
REPORTING_READS_DATABASE = "default"
if os.environ.get("TEST_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = database_settings(os.environ["TEST_REPLICA_DATABASE_URL"])  # noqa: F405
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # noqa: F405
