"""Checking one row's values: required, enumerations, booleans, dates, status and duplicates."""

import datetime
import re

from django.utils.translation import gettext as _

from trellis.rostering.oneroster import spec
from trellis.rostering.oneroster.reader import Table

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:(?P<sep>[T ])(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$"
)


class RowChecks:
    """Mixed into the parser: each check reports with the file, row and column, and returns the clean value."""

    def _table(self, name: str, columns: list[str], needed: set[str], required: set[str]) -> Table:
        return Table(
            self.package,
            self.package.get(name),
            self.report,
            columns=columns,
            needed=needed,
            required=required,
            max_bytes=self.options.max_file_bytes,
            strict=self.options.strict,
        )

    def _status(self, table: Table, line: int, values: list[str], mode: str):
        """(active, dateLastModified) of a row; active is None when the row cannot be used."""
        i_status = table.index.get("status")
        i_modified = table.index.get("dateLastModified")
        status = values[i_status].strip() if i_status is not None else ""
        modified_raw = values[i_modified].strip() if i_modified is not None else ""
        modified = self._datetime(table, line, "dateLastModified", modified_raw) if modified_raw else None
        if modified is False:
            return None, None
        if mode == spec.BULK:
            if status:
                self.report.deviation(
                    "status_in_bulk",
                    _("status is “%(value)s” in a bulk file; bulk files leave it empty.") % {"value": status},
                    file=table.file,
                    row=line,
                    column="status",
                )
            if status.lower() == "tobedeleted":
                return False, modified
            return True, modified
        # Delta
        lowered = status.lower()
        if lowered in spec.STATUSES:
            if lowered != status:
                self.report.deviation(
                    "status_case",
                    _("status “%(value)s” should be written in lower case.") % {"value": status},
                    file=table.file,
                    row=line,
                    column="status",
                )
            active = lowered == "active"
        elif lowered == "inactive":
            self.report.deviation(
                "status_inactive",
                _("status “inactive” is OneRoster 1.0; Trellis read it as tobedeleted."),
                file=table.file,
                row=line,
                column="status",
            )
            active = False
        elif not status:
            self.report.error(
                "missing_value",
                _("status is empty; a delta file says active or tobedeleted on every row."),
                file=table.file,
                row=line,
                column="status",
            )
            return None, None
        else:
            self.report.error(
                "bad_value",
                _("status is “%(value)s”; it must be active or tobedeleted.") % {"value": status},
                file=table.file,
                row=line,
                column="status",
            )
            return None, None
        if modified is None:
            self.report.deviation(
                "missing_value",
                _("dateLastModified is empty; a delta file gives it on every row (Trellis cannot tell stale rows)."),
                file=table.file,
                row=line,
                column="dateLastModified",
            )
        return active, modified

    def _value(self, table: Table, line: int, values: list[str], column: str) -> str:
        """The stripped value of ``column`` (empty if the file lacks it); empty required values are reported."""
        i = table.index.get(column)
        value = values[i].strip() if i is not None else ""
        if not value and i is not None:
            if column in table.needed:
                self.report.error(
                    "missing_value",
                    _("%(column)s is empty; Trellis needs it.") % {"column": column},
                    file=table.file,
                    row=line,
                    column=column,
                )
            elif column in table.required:
                self.report.deviation(
                    "missing_value",
                    _("%(column)s is empty; OneRoster requires it.") % {"column": column},
                    file=table.file,
                    row=line,
                    column=column,
                )
        return value

    def _optional(self, table: Table, values: list[str], column: str) -> str:
        i = table.index.get(column)
        return values[i].strip() if i is not None else ""

    def _enum(self, table, line, column, value, allowed, *, extensible=False):
        """``value`` if in ``allowed`` (a case slip is a deviation, corrected); None when invalid."""
        if value in allowed or not value:
            return value
        if extensible and value.startswith("ext:") and len(value) > 4:
            return value
        for candidate in allowed:
            if candidate.lower() == value.lower():
                self.report.deviation(
                    "value_case",
                    _("“%(value)s” should be written “%(candidate)s” (values are case-sensitive).")
                    % {"value": value, "candidate": candidate},
                    file=table.file,
                    row=line,
                    column=column,
                )
                return candidate
        self.report.error(
            "bad_value",
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": ", ".join(sorted(allowed))},
            file=table.file,
            row=line,
            column=column,
        )
        return None

    def _bool(self, table, line, column, value, default=None):
        if not value:
            return default
        if value in spec.BOOLEANS:
            return spec.BOOLEANS[value]
        if value.lower() in spec.BOOLEANS:
            self.report.deviation(
                "value_case",
                _("“%(value)s” should be written in lower case (true or false).") % {"value": value},
                file=table.file,
                row=line,
                column=column,
            )
            return spec.BOOLEANS[value.lower()]
        self.report.error(
            "bad_value",
            _("“%(value)s” must be true or false.") % {"value": value},
            file=table.file,
            row=line,
            column=column,
        )
        return False

    def _date(self, table, line, column, value):
        """A date, None when empty, False when invalid (reported)."""
        if not value:
            return None
        if _DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.report.error(
            "bad_date",
            _("“%(value)s” is not a date. Write dates as YYYY-MM-DD, for example 2025-08-15.") % {"value": value},
            file=table.file,
            row=line,
            column=column,
        )
        return False

    def _datetime(self, table, line, column, value):
        """An aware UTC datetime, or False when invalid (reported). Near misses are deviations."""
        match = _DATETIME.match(value)
        parsed = None
        if match:
            text = value.replace(" ", "T", 1)
            if text.endswith("Z"):
                text = text[:-1] + "+00:00"
            try:
                parsed = datetime.datetime.fromisoformat(text)
            except ValueError:
                parsed = None
        if parsed is None:
            self.report.error(
                "bad_date",
                _(
                    "“%(value)s” is not a date and time. Write it as ISO 8601 in UTC, for example "
                    "2025-08-15T10:30:00.000Z."
                )
                % {"value": value},
                file=table.file,
                row=line,
                column=column,
            )
            return False
        if match["sep"] != "T" or not match["zone"]:
            self.report.deviation(
                "datetime_format",
                _("“%(value)s” is not in the form 2025-08-15T10:30:00.000Z; Trellis read it as UTC.")
                % {"value": value},
                file=table.file,
                row=line,
                column=column,
            )
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed.astimezone(datetime.UTC)

    def _check_header_only(self, table: Table, mode: str) -> None:
        if table.ok and table.data_rows == 0:
            if mode == spec.BULK:
                # A header-only bulk file would mean "everything is gone": refuse it (standards.md §1.6).
                self.report.error(
                    "header_only",
                    _(
                        "%(file)s has a header but no rows, and the manifest calls it bulk. A bulk file holds "
                        "everything, so this would remove everyone; if there is nothing to send, mark the file "
                        "absent in manifest.csv."
                    )
                    % {"file": table.file},
                    file=table.file,
                )
            else:
                self.report.deviation(
                    "header_only",
                    _("%(file)s has no rows; OneRoster marks such a file absent instead.") % {"file": table.file},
                    file=table.file,
                )

    def _duplicate(self, table, line, seen: dict, sourced_id: str) -> bool:
        first = seen.get(sourced_id)
        if first is not None:
            self.report.error(
                "duplicate_id",
                _("The sourcedId “%(id)s” is already used on row %(first)s.") % {"id": sourced_id, "first": first},
                file=table.file,
                row=line,
                column="sourcedId",
            )
            return True
        seen[sourced_id] = line
        return False
