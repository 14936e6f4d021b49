"""Build OneRoster packages for tests: folders or zips of CSV text, and a 1.2 package made from the 1.1 sample."""

import csv
import io
import zipfile
from pathlib import Path

from tests.samples import sample_path

ORGS_HEADER = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId"
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
)
USERS_12_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,"
    "email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns"
)
ROLES_HEADER = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId"
)


def manifest(version="1.1", **files) -> str:
    """A manifest; ``files`` maps a file stem to bulk/delta/absent (orgs and users default to bulk)."""
    files = {"orgs": "bulk", "users": "bulk", **files}
    lines = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    lines += [f"file.{name},{mode}" for name, mode in files.items()]
    return "\n".join(lines) + "\n"


def orgs_csv(*rows, district=("d1", "Grand Bend ISD")) -> str:
    """orgs.csv with a district row and (sourcedId, name[, status, modified, identifier, parent]) school rows."""
    lines = [ORGS_HEADER]
    if district:
        lines.append(f"{district[0]},,,{district[1]},district,,")
    for row in rows:
        sid, name, *rest = row
        status, modified, identifier, parent = (list(rest) + ["", "", "", None])[:4]
        lines.append(
            f"{sid},{status},{modified},{name},school,{identifier},{parent if parent is not None else district[0]}"
        )
    return "\n".join(lines) + "\n"


def user_row(sid, given, family, email, role="teacher", orgs="s1", *, status="", modified="", enabled="true") -> str:
    quoted = f'"{orgs}"' if "," in orgs else orgs
    return f"{sid},{status},{modified},{enabled},{quoted},{role},{email},,{given},{family},,,{email},,,,,"


def users_csv(*rows) -> str:
    return "\n".join([USERS_HEADER, *rows]) + "\n"


def teachers(n, school="s1", start=0, domain="grandbend.example.org") -> list[str]:
    return [
        user_row(f"t{i}", f"Given{i}", f"Family{i}", f"t{i}@{domain}", orgs=school) for i in range(start, start + n)
    ]


def write_package(folder: Path, files: dict) -> Path:
    """Write ``files`` (name -> str or bytes) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def zip_package(path: Path, files: dict, *, prefix="") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(prefix + name, content)
    return path


def basic_files(*user_rows, schools=(("s1", "Grand Bend High School"),), **manifest_files) -> dict:
    return {
        "manifest.csv": manifest(**manifest_files),
        "orgs.csv": orgs_csv(*schools),
        "users.csv": users_csv(*user_rows),
    }


def sample_files(name="oneroster-1.1-edfi-lms-toolkit") -> dict:
    folder = sample_path(name)
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".csv"}


def edfi_as_12() -> dict:
    """The Ed-Fi 1.1 sample turned into OneRoster 1.2: role and orgSourcedIds move to roles.csv."""
    files = sample_files()
    users = list(csv.DictReader(io.StringIO(files["users.csv"].decode("utf-8"))))
    out_users = io.StringIO()
    header12 = USERS_12_HEADER.split(",")
    writer = csv.writer(out_users, lineterminator="\n")
    writer.writerow(header12)
    roles = io.StringIO()
    role_writer = csv.writer(roles, lineterminator="\n")
    role_writer.writerow(ROLES_HEADER.split(","))
    for user in users:
        writer.writerow([user.get(column) or "" for column in header12])
        for n, org in enumerate(user["orgSourcedIds"].split(",")):
            role_writer.writerow(
                [f"r-{user['sourcedId']}-{n}", "", "", user["sourcedId"], "primary", user["role"], "", "", org, ""]
            )
    files["users.csv"] = out_users.getvalue().encode()
    files["roles.csv"] = roles.getvalue().encode()
    text = files["manifest.csv"].decode().replace("oneroster.version,1.1", "oneroster.version,1.2")
    files["manifest.csv"] = (text.rstrip("\n") + "\nfile.roles,bulk\n").encode()
    return files
