"""Read one CSV file of a package as a stream of rows, checking its form on the way.

The file is read line by line from its binary stream: each line is decoded as UTF-8 on its
own, so a byte in another encoding is reported with its row; the ``csv`` module parses the
decoded lines (RFC 4180 quoting), and only the current row is in memory. The header is
mapped by name; each row comes out as a list in header order, with its row number (the
header is row 1, as in a spreadsheet).
"""

import codecs
import csv
from collections.abc import Iterator

from django.utils.translation import gettext as _

from trellis.rostering.oneroster.package import OPEN_ERRORS, Member, Package
from trellis.rostering.oneroster.report import Report

# A physical line longer than this is not a roster row (and would otherwise be held whole).
MAX_LINE_BYTES = 1024 * 1024
BLOCK_BYTES = 1024 * 1024


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f}"


class Table:
    """One CSV file: its columns by name and its rows.

    ``columns`` are the file's defined columns in specification order; ``needed`` are those
    Trellis uses (missing: an error); ``required`` those the specification requires (missing
    but not needed: a deviation).
    """

    def __init__(
        self,
        package: Package,
        member: Member,
        report: Report,
        *,
        columns: list[str],
        needed: set[str],
        required: set[str],
        max_bytes: int,
        strict: bool = False,
    ):
        self.package = package
        self.member = member
        self.file = member.name
        self.report = report
        self.columns = columns
        self.needed = needed
        self.required = required
        self.max_bytes = max_bytes
        self.strict = strict
        self.index: dict[str, int] = {}
        self.width = 0
        self.ok = True  # False once the file could not be read to its end
        self.data_rows = 0
        self._ended_with_newline = True

    def has(self, column: str) -> bool:
        return column in self.index

    # Reading -------------------------------------------------------------------

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, values in header order) for every data row; problems go to the report."""
        if self.member.size > self.max_bytes:
            self.ok = False
            self.report.error(
                "file_too_large",
                _(
                    "%(file)s is %(size)s MB; Trellis reads files up to %(limit)s MB "
                    "(setting ROSTER_MAX_FILE_BYTES). Nothing was read from it."
                )
                % {"file": self.file, "size": megabytes(self.member.size), "limit": megabytes(self.max_bytes)},
                file=self.file,
            )
            return
        try:
            raw = self.package.open(self.member)
        except OPEN_ERRORS as exc:
            self.ok = False
            self.report.error(
                "unreadable", _("%(file)s cannot be read: %(reason)s") % {"file": self.file, "reason": exc}
            )
            return
        try:
            yield from self._rows(raw)
        finally:
            raw.close()

    def _rows(self, raw) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._lines(raw), strict=self.strict)
        try:
            header = next(reader, None)
            if header is None:
                if self.ok:
                    self.report.error(
                        "empty_file",
                        _("%(file)s is empty: it has no header row.") % {"file": self.file},
                        file=self.file,
                    )
                self.ok = False
                return
            if not self._read_header(header):
                self.ok = False
                return
            width = self.width
            for values in reader:
                if not values:
                    continue  # a blank line
                line = reader.line_num
                if len(values) != width:
                    values = self._fit(values, line)
                    if values is None:
                        continue
                self.data_rows += 1
                yield line, values
        except csv.Error as exc:
            self.ok = False
            self.report.error(
                "bad_csv",
                _("%(file)s cannot be read as CSV at row %(row)s: %(reason)s.")
                % {"file": self.file, "row": reader.line_num, "reason": _csv_reason(exc)},
                file=self.file,
                row=reader.line_num,
            )
            return
        if self.ok and not self._ended_with_newline:
            # RFC 4180 allows it, so this stays a warning in strict mode too.
            self.report.warning(
                "no_final_newline",
                _("%(file)s does not end with a line break after its last row. Trellis read the last row anyway.")
                % {"file": self.file},
                file=self.file,
            )

    def _lines(self, raw) -> Iterator[str]:
        """The file's decoded lines (with their line ends), read a block at a time.

        Performance: a block of complete lines is decoded at once and split in C; only a
        failing block is looked at line by line, to name the row with the bad byte.
        """
        read = 0
        line = 0
        pending = b""
        first = True
        while True:
            block = raw.read(BLOCK_BYTES)
            read += len(block)
            if read > self.max_bytes:
                self._stop(
                    "file_too_large",
                    _(
                        "%(file)s is larger than %(limit)s MB (setting ROSTER_MAX_FILE_BYTES); Trellis stopped reading it."
                    )
                    % {"file": self.file, "limit": megabytes(self.max_bytes)},
                )
                return
            data = pending + block
            if first and data:
                first = False
                if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    self._stop(
                        "encoding",
                        _("%(file)s is saved as UTF-16 text. OneRoster files are UTF-8: save it again as “CSV UTF-8”.")
                        % {"file": self.file},
                        row=1,
                    )
                    return
                if data.startswith(codecs.BOM_UTF8):
                    data = data[len(codecs.BOM_UTF8) :]  # allowed by OneRoster; ignored
            if block:
                cut = data.rfind(b"\n") + 1
                complete, pending = data[:cut], data[cut:]
                if len(pending) > MAX_LINE_BYTES:
                    self._stop(
                        "line_too_long",
                        _("Row %(row)s of %(file)s is longer than %(limit)s MB: this is not a roster row.")
                        % {
                            "row": line + complete.count(b"\n") + 1,
                            "file": self.file,
                            "limit": megabytes(MAX_LINE_BYTES),
                        },
                        row=line + complete.count(b"\n") + 1,
                    )
                    return
                if not complete:
                    continue
            else:
                complete, pending = data, b""
                if not complete:
                    return
            nul = complete.find(b"\x00")
            if nul >= 0:
                row = line + complete.count(b"\n", 0, nul) + 1
                self._stop(
                    "bad_csv",
                    _(
                        "Row %(row)s of %(file)s contains NUL characters: the file may be saved as UTF-16, or not be "
                        "a CSV file. Save it again as “CSV UTF-8”."
                    )
                    % {"row": row, "file": self.file},
                    row=row,
                )
                return
            try:
                text = complete.decode("utf-8")
            except UnicodeDecodeError as exc:
                row = line + complete.count(b"\n", 0, exc.start) + 1
                byte = complete[exc.start : exc.start + 1].hex().upper()
                self._stop(
                    "encoding",
                    _(
                        "Row %(row)s of %(file)s is not UTF-8 text (byte 0x%(byte)s). OneRoster files are UTF-8: "
                        "save the file again as “CSV UTF-8” (your SIS or spreadsheet may call it Unicode)."
                    )
                    % {"row": row, "file": self.file, "byte": byte},
                    row=row,
                )
                return
            parts = text.split("\n")
            last = parts.pop()  # "" when the text ends with a line break; else the last row, at the end of the file
            for part in parts:
                line += 1
                yield part + "\n"
            self._ended_with_newline = not last
            if last:
                line += 1
                yield last
            if not block:
                return

    def _stop(self, code, message, row=None) -> None:
        self.ok = False
        self.report.error(code, message, file=self.file, row=row)

    # The header ------------------------------------------------------------------

    def _read_header(self, header: list[str]) -> bool:
        known = {c.lower(): c for c in self.columns}
        seen: dict[str, int] = {}
        order = []
        for position, raw_name in enumerate(header):
            name = raw_name.strip()
            if name != raw_name:
                self.report.deviation(
                    "header_spaces",
                    _("The column name “%(name)s” has spaces around it.") % {"name": raw_name},
                    file=self.file,
                    row=1,
                    column=name,
                )
            canonical = name if name in self.columns else known.get(name.lower())
            if canonical and canonical != name:
                self.report.deviation(
                    "header_case",
                    _("The column “%(name)s” should be written “%(canonical)s” (names are case-sensitive).")
                    % {"name": name, "canonical": canonical},
                    file=self.file,
                    row=1,
                    column=name,
                )
            if canonical is None:
                if name.startswith("metadata."):
                    continue
                if name:
                    self.report.deviation(
                        "unknown_column",
                        _("“%(name)s” is not a OneRoster column; Trellis ignored it.") % {"name": name},
                        file=self.file,
                        row=1,
                        column=name,
                    )
                continue
            if canonical in seen:
                self.report.error(
                    "duplicate_column",
                    _("The column “%(name)s” appears twice in the header.") % {"name": canonical},
                    file=self.file,
                    row=1,
                    column=canonical,
                )
                return False
            seen[canonical] = position
            order.append(canonical)
        self.index = seen
        self.width = len(header)
        ok = True
        for column in self.columns:
            if column in seen:
                continue
            if column in self.needed:
                self.report.error(
                    "missing_column",
                    _("%(file)s has no “%(column)s” column, which Trellis needs.")
                    % {"file": self.file, "column": column},
                    file=self.file,
                    row=1,
                    column=column,
                )
                ok = False
            elif column in self.required:
                self.report.deviation(
                    "missing_column",
                    _("%(file)s has no “%(column)s” column, which OneRoster requires.")
                    % {"file": self.file, "column": column},
                    file=self.file,
                    row=1,
                    column=column,
                )
        expected = [c for c in self.columns if c in seen]
        if order != expected:
            self.report.deviation(
                "column_order",
                _("The columns are not in the order OneRoster sets (%(expected)s). Trellis reads them by name.")
                % {"expected": ", ".join(expected)},
                file=self.file,
                row=1,
            )
        elif self._metadata_before_defined(header):
            self.report.deviation(
                "metadata_position",
                _("Extension columns (metadata.…) come before OneRoster columns; OneRoster puts them at the end."),
                file=self.file,
                row=1,
            )
        return ok

    def _metadata_before_defined(self, header) -> bool:
        last_defined = max(self.index.values(), default=-1)
        return any(h.strip().startswith("metadata.") and i < last_defined for i, h in enumerate(header))

    # Rows --------------------------------------------------------------------------

    def _fit(self, values: list[str], line: int) -> list[str] | None:
        """A row with more or fewer values than the header: fixed when harmless, else reported."""
        width = self.width
        if len(values) > width:
            extra = values[width:]
            if not any(v.strip() for v in extra):
                self.report.deviation(
                    "ragged_row",
                    _(
                        "Row %(row)s has %(n)s values but the header has %(width)s columns (an extra comma at the end). "
                        "Trellis ignored the empty extra value."
                    )
                    % {"row": line, "n": len(values), "width": width},
                    file=self.file,
                    row=line,
                )
                return values[:width]
            self.report.error(
                "ragged_row",
                _("Row %(row)s has %(n)s values but the header has %(width)s columns; the extra values are: %(extra)s.")
                % {"row": line, "n": len(values), "width": width, "extra": ", ".join(repr(v) for v in extra[:5])},
                file=self.file,
                row=line,
            )
            return None
        self.report.error(
            "short_row",
            _("Row %(row)s has only %(n)s values but the header has %(width)s columns.")
            % {"row": line, "n": len(values), "width": width},
            file=self.file,
            row=line,
        )
        return None


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return _("a value is longer than %(n)s characters") % {"n": f"{csv.field_size_limit():,}"}
    if "new-line character seen in unquoted field" in text:
        return _("a line break inside a value, or old Mac line ends (CR only)")
    if "unexpected end of data" in text:
        return _("a quoted value is never closed")
    return text
