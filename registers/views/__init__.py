"""The registers app's pages, split by screen; every view is importable from here."""

from .home import school_home
from .pupils import amend, pupil, pupils
from .registers import day, take

__all__ = ["amend", "day", "pupil", "pupils", "school_home", "take"]
