"""Open a OneRoster package, a zip file or a folder, without reading its files yet.

Only names and sizes are looked at here. A file is opened as a binary stream when the
parser asks for it, so a package is never held in memory, and a file larger than the
limit is refused from its declared size before a byte of it is read.
"""

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from trellis.rostering.oneroster.report import Report

# The exceptions opening a package member raises, each reported to the importer as "cannot be read":
# OSError when a file went away or the archive is damaged; zipfile's RuntimeError ("is encrypted,
# password required") and NotImplementedError ("That compression method is not supported").
# Tested in test_bad_input.py.
OPEN_ERRORS = (OSError, RuntimeError, NotImplementedError)


@dataclass
class Member:
    name: str  # the file name as the package spells it, e.g. "users.csv"
    size: int
    ref: object  # a ZipInfo or a Path


class Package:
    """The CSV files of a package, found by name (case-insensitively)."""

    def __init__(self, kind: str, members: list[Member], zf: zipfile.ZipFile | None = None):
        self.kind = kind  # "zip" or "folder"
        self._zip = zf
        self.members = {m.name.lower(): m for m in members}

    def get(self, name: str) -> Member | None:
        return self.members.get(name.lower())

    def names(self) -> list[str]:
        return sorted(m.name for m in self.members.values())

    def open(self, member: Member):
        if self._zip is not None:
            return self._zip.open(member.ref)
        return open(member.ref, "rb")  # noqa: SIM115 (the caller closes it)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_package(source, report: Report) -> Package | None:
    """A Package for ``source`` (a folder path, a zip path or a binary zip file object), or None.

    Every reason it cannot be opened goes into ``report`` as an error.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return _open_folder(path, report)
        if not path.exists():
            report.error("not_found", _("There is no file or folder at %(path)s.") % {"path": path})
            return None
        return _open_zip(path, report, label=path.name)
    return _open_zip(source, report, label=getattr(source, "name", "") or "upload")


def _open_folder(path: Path, report: Report) -> Package | None:
    members = []
    with os.scandir(path) as entries:
        for entry in entries:
            # Links are not followed: a drop folder must not reach files elsewhere on the server.
            if entry.name.lower().endswith(".csv") and entry.is_file(follow_symlinks=False):
                members.append(Member(entry.name, entry.stat(follow_symlinks=False).st_size, Path(entry.path)))
    if not members:
        report.error("no_csv", _("The folder %(path)s holds no CSV files.") % {"path": path})
        return None
    return Package("folder", members)


def _open_zip(source, report: Report, label: str) -> Package | None:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        if _looks_like_csv(source):
            report.error(
                "single_csv",
                _(
                    "This is a single CSV file. A OneRoster package is a zip file of all its CSV files "
                    "(manifest.csv, orgs.csv, users.csv…): upload the zip your SIS exported."
                ),
            )
        else:
            report.error("not_zip", _("%(name)s is not a zip file. Upload the OneRoster zip file.") % {"name": label})
        return None
    infos = [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not Path(i.filename).name.startswith(".")
        and i.filename.lower().endswith(".csv")
    ]
    top = [i for i in infos if "/" not in i.filename.strip("/")]
    if not top and infos:
        folders = {i.filename.split("/")[0] for i in infos}
        if len(folders) == 1:
            folder = folders.pop()
            report.deviation(
                "nested_folder",
                _(
                    "The CSV files are inside the folder “%(folder)s” in the zip; OneRoster puts them at the top of "
                    "the zip. Trellis read them from the folder."
                )
                % {"folder": folder},
            )
            top = [i for i in infos if i.filename.count("/") == 1]
    if not top:
        zf.close()
        report.error("no_csv", _("The zip file holds no CSV files at its top level."))
        return None
    members = [Member(Path(i.filename).name, i.file_size, i) for i in top]
    return Package("zip", members, zf)


def _looks_like_csv(source) -> bool:
    try:
        if isinstance(source, (str, os.PathLike)):
            with open(source, "rb") as fh:
                head = fh.read(512)
        else:
            source.seek(0)
            head = source.read(512)
            source.seek(0)
    except OSError:
        return False
    return b"," in head and b"\x00" not in head
