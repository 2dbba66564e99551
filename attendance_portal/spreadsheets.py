"""Text that a spreadsheet must never run as a formula (CSV/formula injection).

Every CSV and XLSX writer of the portal passes its text cells through `neutralise`: the
reporting exports (reporting.exports) and the figures commands' CSV (registers.management
.output). A form, a reason or a comment typed as "=HYPERLINK(...)" must not execute on the
head's laptop.

A cell is not only read whole. Excel opens a .csv with the separator of the computer's
region, a semicolon in much of Europe, and its import wizard offers tab, pipe and others,
while Python's csv module quotes a field only for a comma: `x;=1+1` becomes the two cells
`x` and `=1+1`, a formula. So an apostrophe (which Excel and LibreOffice read as "this is
text" and do not show) goes before a formula's first character (= + - @, tab, carriage
return) wherever a cell could start: at the start of the text, or after any separator a
spreadsheet may split on (comma, semicolon, tab, pipe, a line break), spaces and quote
marks between them included. Numbers are not text and stay numbers.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CELL_START = re.compile(r'(^|[,;\t|\r\n])([ "]*)(?=[=+\-@\t\r])')


def neutralise(text: str) -> str:
    """The text with an apostrophe before every formula start a spreadsheet could see."""
    return _CELL_START.sub(r"\1\2'", text)
