"""Generate a district's or a region's worth of data in bulk (see ``manage.py generate_data``)."""

import random
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from trellis.datagen.coaching import build_coaching
from trellis.datagen.context import Context, load_starter
from trellis.datagen.copy import reset_sequences
from trellis.datagen.learning import build_district_learning, build_service_center_learning
from trellis.datagen.observations import build_check_ins, build_observations
from trellis.datagen.plan import Scale
from trellis.datagen.world import build_district, build_service_center
from trellis.orgs.models import Organization

SERVICE_CENTER_SLUG = "region-sc"


class AlreadyGenerated(Exception):
    pass


def generate(scale: Scale, *, seed: int, password: str, say: Callable[[str], None] = lambda _m: None) -> dict:
    """Writes every row; returns rows written per table and the seconds taken."""
    if Organization.objects.filter(parent=None, slug=SERVICE_CENTER_SLUG).exists():
        raise AlreadyGenerated("This database already holds generated data: generate into an empty, migrated database.")
    began = time.monotonic()
    ctx = Context(
        rng=random.Random(seed),  # noqa: S311 (made-up data, repeatable by seed)
        scale=scale,
        now=timezone.now(),
        starter=load_starter(),
        password=make_password(password),
    )
    with transaction.atomic():
        _skip_row_checks()
        sc = build_service_center(ctx)
        districts = []
        for index in range(scale.districts):
            district = build_district(ctx, sc, index)
            visits = build_observations(ctx, district)
            build_check_ins(ctx, district)
            build_coaching(ctx, district, visits)
            build_district_learning(ctx, district)
            # Keep only what the service center's cohorts need; the visits can go.
            district.caseloads.clear()
            districts.append(district)
            say(f"district {index + 1}/{scale.districts} written ({time.monotonic() - began:.0f} s)")
        build_service_center_learning(ctx, sc, districts)
        reset_sequences(ctx.ids.models())
    say(f"rows written ({time.monotonic() - began:.0f} s); updating the planner's statistics")
    _analyze()
    return {"rows": ctx.rows_written(), "seconds": round(time.monotonic() - began, 1)}


def _skip_row_checks() -> None:
    """On PostgreSQL, foreign-key triggers are skipped for the load when we may (the ids are ours and
    consistent); that makes COPY about twice as fast. Without superuser rights the checks simply run."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _analyze() -> None:
    # VACUUM cannot run inside a transaction (a caller's, or a test's): then statistics only.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
