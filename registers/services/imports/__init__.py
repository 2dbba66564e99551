"""Imports from files and scripts: the set-up and marks half of docs/interfaces.md.

Each service takes keyword-only arguments (a CsvFile for file imports), writes all or
nothing, and returns a result with a one-line summary or raises ImportFailed listing every
problem. The management commands and any web upload are thin layers over these.
"""

from .csvfile import CsvFile, ImportFailed, RowError

__all__ = ["CsvFile", "ImportFailed", "RowError"]
