"""The cycle models and meeting protocols shipped with Trellis (CC BY 4.0, written by the project).

Installed after every ``migrate``: missing ones are added by key, existing ones
are left as they are (a later edit by an operator is kept).
"""

import json
from pathlib import Path

from django.db import transaction

from trellis.coaching.models import CycleModel, Protocol

STARTER_FILE = Path(__file__).resolve().parent / "data" / "starter_protocols.json"


def install_starter_protocols(using: str = "default") -> int:
    """Add any shipped cycle model or protocol that is missing; returns how many were added."""
    data = json.loads(STARTER_FILE.read_text(encoding="utf-8"))
    licence = data["licence"]
    added = 0
    with transaction.atomic(using=using):
        have = set(CycleModel.objects.using(using).filter(district=None).values_list("key", flat=True))
        for item in data["cycle_models"]:
            if item["key"] not in have:
                CycleModel.objects.using(using).create(district=None, licence=licence, **item)
                added += 1
        have = set(Protocol.objects.using(using).filter(district=None).values_list("key", flat=True))
        for item in data["protocols"]:
            if item["key"] not in have:
                Protocol.objects.using(using).create(district=None, licence=licence, **item)
                added += 1
    return added
