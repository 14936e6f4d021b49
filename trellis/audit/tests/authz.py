"""Authorization matrix rows for the audit log: district admins read their own district's log."""

from tests.authz import Row, everyone

ROWS = [
    Row("audit:log", everyone(403, district_admin=200, other_admin=200)),
]
