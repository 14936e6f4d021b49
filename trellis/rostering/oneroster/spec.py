"""What OneRoster 1.1 and 1.2 CSV packages contain: files, columns in order, vocabularies.

Sources: ``standards.md`` §1 (the 1EdTech CSV Tables 1.1.1 and CSV Binding 1.2.1, with
header orders checked against the Ed-Fi sample and the LongsightGroup validator).
Columns are read by name; the order here is only used to report files that deviate.
"""

V11 = "1.1"
V12 = "1.2"
VERSIONS = (V11, V12)

BULK = "bulk"
DELTA = "delta"
ABSENT = "absent"
MODES = (BULK, DELTA)

# Files, in the order they are processed.
ORGS = "orgs.csv"
ACADEMIC_SESSIONS = "academicSessions.csv"
COURSES = "courses.csv"
CLASSES = "classes.csv"
USERS = "users.csv"
ROLES = "roles.csv"
ENROLLMENTS = "enrollments.csv"
DEMOGRAPHICS = "demographics.csv"
MANIFEST = "manifest.csv"

ORG_COLUMNS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_COLUMNS = {
    V11: [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ],
    V12: [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ],
}
ROLE_COLUMNS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
]
SESSION_COLUMNS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "type",
    "startDate",
    "endDate",
    "parentSourcedId",
    "schoolYear",
]
COURSE_COLUMNS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "schoolYearSourcedId",
    "title",
    "courseCode",
    "grades",
    "orgSourcedId",
    "subjects",
    "subjectCodes",
]
CLASS_COLUMNS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods",
]
ENROLLMENT_COLUMNS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
]

# Columns the specification requires in every row (the ``*`` marks in standards.md §1.4).
SPEC_REQUIRED = {
    ORGS: {"sourcedId", "name", "type"},
    (USERS, V11): {"sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"},
    (USERS, V12): {"sourcedId", "enabledUser", "username", "givenName", "familyName"},
    ROLES: {"sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"},
    ACADEMIC_SESSIONS: {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
    COURSES: {"sourcedId", "title", "orgSourcedId"},
    CLASSES: {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
    ENROLLMENTS: {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
}

# Files every package of a version defines in its manifest (``file.<name>``).
MANIFEST_FILES = {
    V11: [
        "academicSessions",
        "categories",
        "classes",
        "classResources",
        "courses",
        "courseResources",
        "demographics",
        "enrollments",
        "lineItems",
        "orgs",
        "resources",
        "results",
        "users",
    ],
}
MANIFEST_FILES[V12] = MANIFEST_FILES[V11] + [
    "roles",
    "userProfiles",
    "userResources",
    "scoreScales",
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "resultLearningObjectiveIds",
    "resultScoreScales",
]

# Files Trellis never opens: personal data it must not hold, or gradebook and resources.
NEVER_READ = {"demographics.csv", "userProfiles.csv"}

# Vocabularies (standards.md §1.5).
ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
STATUSES = {"active", "tobedeleted"}
SESSION_TYPES = {"gradingPeriod", "semester", "schoolYear", "term"}
CLASS_TYPES = {"homeroom", "scheduled"}
ROLE_TYPES = {"primary", "secondary"}
ENROLLMENT_ROLES = {"administrator", "proctor", "student", "teacher"}
USER_ROLES = {
    V11: {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"},
    V12: {
        "aide",
        "counselor",
        "districtAdministrator",
        "guardian",
        "parent",
        "principal",
        "proctor",
        "relative",
        "siteAdministrator",
        "student",
        "systemAdministrator",
        "teacher",
    },
}
ALL_USER_ROLES = USER_ROLES[V11] | USER_ROLES[V12]
# People Trellis never imports: students and their families.
NOT_STAFF = {"student", "guardian", "parent", "relative"}
BOOLEANS = {"true": True, "false": False}

# Column names that only OneRoster 1.0 used (standards.md §1.1 and the Ed-Fi 1.0 sample).
V10_COLUMNS = {
    USERS: {"userId", "agents"},
    CLASSES: {"termSourcedId", "grade"},
    COURSES: {"schoolYearId", "grade"},
    DEMOGRAPHICS: {"userSourcedId", "birthdate"},
}
# Microsoft School Data Sync: SDS v2/v2.1 "OneRoster-like" columns and files, and SDS v1 files.
SDS_COLUMNS = {
    USERS: {"activeDirectoryMatchId"},
    ROLES: {"isPrimary", "sessionSourcedIds", "roleStartDate"},
}
SDS_FILES = {
    "relationships.csv",
    "userflags.csv",
    "school.csv",
    "section.csv",
    "student.csv",
    "teacher.csv",
    "studentenrollment.csv",
    "teacherroster.csv",
}
