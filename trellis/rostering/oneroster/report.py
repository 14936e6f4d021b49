"""The report of one import: every problem with its file, row and column, in plain words.

Three levels: an *error* stops the import (nothing is written); a *warning* is a deviation
from OneRoster that Trellis read around (strict mode turns these into errors); a *notice*
says what Trellis left out on purpose (students, demographics, passwords).

A file with the same problem on many rows would make a report nobody reads, so each
(file, problem, column) keeps its first ``DETAIL_LIMIT`` rows and then one line that
counts the rest. Counts are always exact.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"

DETAIL_LIMIT = 20
# Issues kept in detail per level, whatever their kind (a bound on the stored report).
TOTAL_LIMIT = 1000


class StopParsing(Exception):
    """A problem after which reading further would only add noise (the package is unreadable)."""


@dataclass
class Issue:
    level: str
    code: str
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""
    count: int = 1  # > 1 for the summary line that stands for rows left out of the detail

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.file:
            data["file"] = self.file
        if self.row is not None:
            data["row"] = self.row
        if self.column:
            data["column"] = self.column
        if self.count > 1:
            data["count"] = self.count
        return data

    @property
    def where(self) -> str:
        """ "users.csv, row 5, column email" — the place, for people reading the report."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            parts.append(_("column %(column)s") % {"column": self.column})
        return ", ".join(parts)


@dataclass
class Report:
    strict: bool = False
    issues: dict = field(default_factory=lambda: {ERROR: [], WARNING: [], NOTICE: []})
    totals: Counter = field(default_factory=Counter)  # level -> count, including rows left out of detail
    _per_kind: Counter = field(default_factory=Counter)
    _overflow: dict = field(default_factory=dict)

    # Recording ------------------------------------------------------------------

    def error(self, code, message, *, file="", row=None, column=""):
        self._add(ERROR, code, message, file, row, column)

    def deviation(self, code, message, *, file="", row=None, column=""):
        """A departure from OneRoster Trellis can read around: a warning, or an error in strict mode."""
        self._add(ERROR if self.strict else WARNING, code, message, file, row, column)

    def warning(self, code, message, *, file="", row=None, column=""):
        """A warning in both modes (something the specification allows but a person should know)."""
        self._add(WARNING, code, message, file, row, column)

    def notice(self, code, message, *, file="", row=None, column=""):
        self._add(NOTICE, code, message, file, row, column)

    def _add(self, level, code, message, file, row, column):
        self.totals[level] += 1
        kind = (level, code, file, column)
        self._per_kind[kind] += 1
        if self._per_kind[kind] <= DETAIL_LIMIT and len(self.issues[level]) < TOTAL_LIMIT:
            self.issues[level].append(Issue(level, code, str(message), file, row, column))
            return
        # Left out of the detail: counted on one summary line per kind.
        summary = self._overflow.get(kind)
        if summary is None:
            summary = Issue(level, code, "", file, None, column, count=0)
            self._overflow[kind] = summary
        summary.count += 1

    # Reading -------------------------------------------------------------------

    @property
    def has_errors(self) -> bool:
        return self.totals[ERROR] > 0

    def count(self, level) -> int:
        return self.totals[level]

    def listed(self, level) -> list[Issue]:
        """The issues of one level in detail, then a line for each kind with rows left out."""
        out = list(self.issues[level])
        for (lvl, _code, _file, _column), summary in self._overflow.items():
            if lvl != level:
                continue
            summary.message = ngettext(
                "…and %(n)s more row with the same problem.",
                "…and %(n)s more rows with the same problem.",
                summary.count,
            ) % {"n": f"{summary.count:,}"}
            out.append(summary)
        return out

    def as_lists(self) -> dict:
        return {
            "errors": [i.as_dict() for i in self.listed(ERROR)],
            "warnings": [i.as_dict() for i in self.listed(WARNING)],
            "notices": [i.as_dict() for i in self.listed(NOTICE)],
        }
