"""The district admin's pages: settings, campuses, people, roles, caseloads and service-center grants.

Every page works on the admin's current district (``current_district``), fetches
objects through ``trellis.orgs.access`` and changes them through one service.
"""

from trellis.orgs.views.campuses import campus_active, campus_create, campus_detail, campus_edit, campus_list
from trellis.orgs.views.caseloads import caseload_create, caseload_end, caseload_list
from trellis.orgs.views.common import current_district
from trellis.orgs.views.district import district_settings
from trellis.orgs.views.grants import grant_create, grant_list, grant_revoke
from trellis.orgs.views.people import (
    membership_create,
    membership_end,
    person_active,
    person_create,
    person_detail,
    person_edit,
    person_list,
)

__all__ = [
    "campus_active",
    "campus_create",
    "campus_detail",
    "campus_edit",
    "campus_list",
    "caseload_create",
    "caseload_end",
    "caseload_list",
    "current_district",
    "district_settings",
    "grant_create",
    "grant_list",
    "grant_revoke",
    "membership_create",
    "membership_end",
    "person_active",
    "person_create",
    "person_detail",
    "person_edit",
    "person_list",
]
