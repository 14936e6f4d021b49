"""From a parsed roster to campuses, people and roles: plan everything first, then write once.

``plan_import`` reads what the district already has (a fixed number of queries, whatever the
roster size), resolves every reference against the package and the database, matches people
(sourcedId first, then the email address the district already gave a person by hand), and
works out each change. Problems go into the report. ``apply_plan`` then writes all the
changes in one transaction with bulk statements; it is only called when the report has no
errors. A re-import of the same files plans no change and writes nothing.

The role mapping (documented for district admins in docs/rostering.md):

=========================================  ==================  ======================================
OneRoster role                             employee group      Trellis role on each school
=========================================  ==================  ======================================
administrator (1.1), principal,            campus leader       campus leader (district-level: none)
siteAdministrator
districtAdministrator, systemAdministrator district staff      none (never district admin)
ext:…coach… (e.g. ext:instructionalCoach)  coach               coach
teacher                                    teacher             teacher
aide                                       paraprofessional    teacher (so they can be coached)
counselor                                  counselor           teacher
proctor, other ext:…                       specialist          teacher
student, parent, guardian, relative        never imported
=========================================  ==================  ======================================
"""

from trellis.rostering.importer.plan import ClassPlan, Counts, Plan, plan_import
from trellis.rostering.importer.roles import ROSTER_ROLES, employee_group, trellis_role
from trellis.rostering.importer.write import apply_plan, insert_rows

__all__ = [
    "ROSTER_ROLES",
    "ClassPlan",
    "Counts",
    "Plan",
    "apply_plan",
    "employee_group",
    "insert_rows",
    "plan_import",
    "trellis_role",
]
