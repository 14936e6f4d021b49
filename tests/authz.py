"""The format of the authorization matrix.

Each app keeps its rows in ``trellis/<app>/tests/authz.py`` as ``ROWS``: a list of
``Row``. ``tests/test_authz_matrix.py`` collects them all, checks that every URL
pattern the project defines has at least one row, and requests every row as
every persona (``tests.personas.PERSONA_NAMES``), expecting the outcome given.

Outcomes: an HTTP status (200, 403, 404, 405, 302) or ``LOGIN`` (a redirect to
the sign-in page). Every persona must have an outcome in every row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"


@dataclass
class Row:
    name: str  # the URL name, e.g. "orgs:campus-detail"
    expect: dict  # persona name -> outcome
    args: Callable = lambda world: []  # world -> reverse() args
    method: str = "GET"
    data: Callable = lambda world: {}  # world -> POST data
    label: str = ""  # tells apart several rows for one URL name
    follow_up: Callable | None = field(default=None)  # optional extra check(world, response, persona)


def everyone(outcome, **overrides) -> dict:
    """An expectation table: ``outcome`` for every signed-in persona, LOGIN for anonymous, then overrides."""
    from tests.personas import PERSONA_NAMES

    table = dict.fromkeys(PERSONA_NAMES, outcome)
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table
