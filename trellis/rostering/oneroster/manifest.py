"""Reading manifest.csv, deciding which files to read, and explaining packages that are not OneRoster 1.1/1.2."""

from django.utils.translation import gettext as _

from trellis.rostering.oneroster import spec
from trellis.rostering.oneroster.package import OPEN_ERRORS
from trellis.rostering.oneroster.reader import Table


class ManifestReading:
    """Mixed into the parser: ``self.package``, ``self.options``, ``self.report``, ``self.roster``."""

    def _explain_missing_manifest(self) -> None:
        names = {n.lower() for n in self.package.names()}
        headers = {name: self._peek_header(name) for name in (spec.USERS, spec.ROLES, spec.CLASSES, spec.COURSES)}
        headers[spec.DEMOGRAPHICS] = self._peek_header(spec.DEMOGRAPHICS)
        sds = names & spec.SDS_FILES or any(
            headers.get(name, set()) & columns for name, columns in spec.SDS_COLUMNS.items()
        )
        if sds:
            self.report.error(
                "sds_format",
                _(
                    "This looks like a Microsoft School Data Sync (SDS) export, not OneRoster: it has no manifest.csv "
                    "and uses SDS files or columns (%(clues)s). Export OneRoster 1.1 or 1.2 CSV files from your "
                    "student information system instead (SDS can also produce them)."
                )
                % {"clues": ", ".join(sorted(self._sds_clues(names, headers)))},
            )
            return
        v10 = sorted(
            {f"{name}: {col}" for name, cols in spec.V10_COLUMNS.items() for col in headers.get(name, set()) & cols}
        )
        if v10:
            self.report.error(
                "oneroster_1_0",
                _(
                    "This looks like OneRoster 1.0: it has no manifest.csv and uses 1.0 column names (%(clues)s). "
                    "Trellis reads OneRoster 1.1 and 1.2. Export OneRoster 1.1 or 1.2 from your student information "
                    "system; most offer it beside 1.0."
                )
                % {"clues": ", ".join(v10)},
            )
            return
        self.report.error(
            "no_manifest",
            _(
                "manifest.csv is missing. Every OneRoster 1.1 or 1.2 package has one: it says the version and "
                "whether each file is a full (bulk) or a changes-only (delta) file. Files found: %(names)s."
            )
            % {"names": ", ".join(self.package.names()) or "—"},
        )

    def _sds_clues(self, names, headers) -> set:
        clues = {n for n in names if n in spec.SDS_FILES}
        for name, columns in spec.SDS_COLUMNS.items():
            clues |= {f"{name}: {c}" for c in headers.get(name, set()) & columns}
        return clues

    def _peek_header(self, name: str) -> set:
        member = self.package.get(name)
        if member is None:
            return set()
        try:
            with self.package.open(member) as raw:
                first = raw.readline(64 * 1024)
        except OPEN_ERRORS:
            # The reader reports the file as unreadable; here it simply has no header to recognise.
            return set()
        text = first.decode("utf-8-sig", errors="replace")
        return {part.strip().strip('"') for part in text.strip().split(",")}

    def _read_manifest(self) -> tuple[str, dict] | None:
        member = self.package.get(spec.MANIFEST)
        table = Table(
            self.package,
            member,
            self.report,
            columns=["propertyName", "value"],
            needed={"propertyName", "value"},
            required=set(),
            max_bytes=min(self.options.max_file_bytes, 1024 * 1024),
            strict=self.options.strict,
        )
        props: dict[str, tuple[str, int]] = {}
        ip, iv = None, None
        for line, values in table.rows():
            if ip is None:
                ip, iv = table.index["propertyName"], table.index["value"]
            key, value = values[ip].strip(), values[iv].strip()
            if key in props:
                self.report.deviation(
                    "duplicate_property",
                    _("“%(key)s” is listed twice; Trellis used the first value.") % {"key": key},
                    file=table.file,
                    row=line,
                )
                continue
            props[key] = (value, line)
        if not table.ok:
            return None
        file = table.file
        manifest_version = props.get("manifest.version")
        if manifest_version is None:
            self.report.deviation(
                "manifest_version", _("manifest.version is missing; it should be 1.0."), file=file, column="value"
            )
        elif manifest_version[0] != "1.0":
            self.report.deviation(
                "manifest_version",
                _("manifest.version is “%(value)s”; OneRoster says “1.0”. Trellis read the manifest anyway.")
                % {"value": manifest_version[0]},
                file=file,
                row=manifest_version[1],
                column="value",
            )
        raw_version, version_row = props.get("oneroster.version", ("", None))
        version = raw_version
        if raw_version in ("1.2.1", "1.2.0"):
            version = spec.V12
            self.report.deviation(
                "oneroster_version",
                _("oneroster.version is “%(value)s”; the manifest value for 1.2 and 1.2.1 is “1.2”.")
                % {"value": raw_version},
                file=file,
                row=version_row,
                column="value",
            )
        elif raw_version in ("1.1.1", "1.1.0"):
            version = spec.V11
            self.report.deviation(
                "oneroster_version",
                _("oneroster.version is “%(value)s”; the manifest value for 1.1 is “1.1”.") % {"value": raw_version},
                file=file,
                row=version_row,
                column="value",
            )
        if version not in spec.VERSIONS:
            if raw_version.startswith("1.0") or raw_version == "1":
                message = _(
                    "This is a OneRoster 1.0 package (oneroster.version “%(value)s”). Trellis reads 1.1 and 1.2."
                )
            elif not raw_version:
                message = _("manifest.csv does not say the OneRoster version (the property oneroster.version).")
            else:
                message = _("oneroster.version is “%(value)s”; Trellis reads OneRoster 1.1 and 1.2.")
            self.report.error(
                "oneroster_version", message % {"value": raw_version}, file=file, row=version_row, column="value"
            )
            return None
        self.roster.source_system = (props.get("source.systemName") or props.get("source.systemCode") or ("", 0))[0]
        declared = {}
        known = {n.lower(): n for n in spec.MANIFEST_FILES[version]}
        for key, (value, line) in props.items():
            if not key.startswith("file."):
                continue
            name = key[len("file.") :]
            canonical = known.get(name.lower())
            if canonical is None:
                self.report.deviation(
                    "unknown_file",
                    _("“%(key)s” is not a OneRoster %(version)s file; Trellis ignored it.")
                    % {"key": key, "version": version},
                    file=file,
                    row=line,
                    column="propertyName",
                )
                continue
            mode = value.lower()
            if mode not in (spec.BULK, spec.DELTA, spec.ABSENT):
                self.report.error(
                    "file_mode",
                    _("%(key)s is “%(value)s”; it must be bulk, delta or absent.") % {"key": key, "value": value},
                    file=file,
                    row=line,
                    column="value",
                )
                continue
            if mode != value:
                self.report.deviation(
                    "file_mode_case",
                    _("%(key)s is “%(value)s”; write it in lower case.") % {"key": key, "value": value},
                    file=file,
                    row=line,
                    column="value",
                )
            declared[canonical + ".csv"] = (mode, line)
        return version, declared

    def _plan_files(self, version: str, declared: dict) -> bool:
        """Decide which files to read and in which mode; False when the package cannot be imported."""
        wanted = [spec.ORGS, spec.USERS] + ([spec.ROLES] if version == spec.V12 else [])
        optional = (
            [spec.ACADEMIC_SESSIONS, spec.COURSES, spec.CLASSES, spec.ENROLLMENTS] if self.options.classes else []
        )
        ok = True
        for name, (mode, line) in sorted(declared.items()):
            present = self.package.get(name) is not None
            if mode == spec.ABSENT:
                if present:
                    self.report.deviation(
                        "absent_but_present",
                        _("manifest.csv marks %(file)s absent, but the package has it. Trellis ignored the file.")
                        % {"file": name},
                        file=spec.MANIFEST,
                        row=line,
                    )
                continue
            if not present:
                if name in wanted or name in optional:
                    self.report.error(
                        "missing_file",
                        _("manifest.csv lists %(file)s as %(mode)s, but the package does not have it.")
                        % {"file": name, "mode": mode},
                        file=spec.MANIFEST,
                        row=line,
                    )
                    ok = False
                else:
                    self.report.deviation(
                        "missing_file",
                        _("manifest.csv lists %(file)s as %(mode)s, but the package does not have it.")
                        % {"file": name, "mode": mode},
                        file=spec.MANIFEST,
                        row=line,
                    )
                continue
            if name in wanted or name in optional:
                self.roster.modes[name] = self.options.mode or mode
                if self.options.mode and self.options.mode != mode:
                    self.report.notice(
                        "mode_override",
                        _("manifest.csv says %(file)s is %(mode)s; it was read as %(forced)s, as you asked.")
                        % {"file": name, "mode": mode, "forced": self.options.mode},
                        file=spec.MANIFEST,
                        row=line,
                    )
        listed = {name.lower() for name in declared}
        for name in self.package.names():
            if name.lower() == spec.MANIFEST.lower() or name.lower() in listed:
                continue
            if name.lower() in {w.lower() for w in wanted + optional}:
                self.report.error(
                    "unlisted_file",
                    _(
                        "The package has %(file)s but manifest.csv does not say whether it is bulk or delta "
                        "(add the line file.%(stem)s,bulk or file.%(stem)s,delta)."
                    )
                    % {"file": name, "stem": name[: -len(".csv")]},
                    file=spec.MANIFEST,
                )
                ok = False
            else:
                self.report.deviation(
                    "unlisted_file",
                    _("The package has %(file)s, which manifest.csv does not list. Trellis ignored it.")
                    % {"file": name},
                    file=spec.MANIFEST,
                )
        modes = self.roster.modes
        if version == spec.V12 and modes.get(spec.USERS) == spec.BULK and spec.ROLES not in modes:
            self.report.error(
                "missing_file",
                _(
                    "A OneRoster 1.2 package with a bulk users.csv needs roles.csv: that is where each person's role is."
                ),
                file=spec.MANIFEST,
            )
            ok = False
        if not any(f in modes for f in wanted):
            self.report.error(
                "nothing_to_import",
                _("The package has no orgs.csv or users.csv to import (manifest.csv marks them absent)."),
                file=spec.MANIFEST,
            )
            ok = False
        return ok

    def _note_left_out(self) -> None:
        for name in self.package.names():
            if name.lower() == spec.DEMOGRAPHICS.lower():
                self.report.notice(
                    "demographics_skipped",
                    _("demographics.csv was not read: Trellis never imports birth dates, sex, race or ethnicity."),
                    file=name,
                )
            elif name.lower() == "userprofiles.csv":
                self.report.notice(
                    "profiles_skipped",
                    _("userProfiles.csv was not read: Trellis never imports other applications' credentials."),
                    file=name,
                )
        skipped = self.roster.skipped
        if skipped["not_staff"]:
            self.report.notice(
                "not_staff_skipped",
                _(
                    "%(n)s people who are not staff (students, parents, guardians, relatives) were skipped: Trellis "
                    "imports educators only."
                )
                % {"n": f"{skipped['not_staff']:,}"},
                file=spec.USERS,
            )
        if skipped["student_enrollments"]:
            self.report.notice(
                "student_enrollments_skipped",
                _("%(n)s student enrollments were skipped: Trellis keeps teachers' classes, never class lists.")
                % {"n": f"{skipped['student_enrollments']:,}"},
                file=spec.ENROLLMENTS,
            )
