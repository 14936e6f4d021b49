"""The starter question bank shipped with Trellis (CC BY 4.0, written by the project).

``install_starter_questions`` runs after every ``migrate`` and adds the shipped items
that are missing (by their stable key); it never changes or removes an existing one,
so surveys built from them stay as they were.
"""

import json
from pathlib import Path

from django.db import transaction

DATA_FILE = Path(__file__).resolve().parent / "data" / "starter_questions.json"


def load_bank() -> dict:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def install_starter_questions(using: str = "default") -> int:
    """Add the missing starter questions; returns how many were added."""
    from trellis.learning.models import QuestionBankItem, QuestionKind

    if not DATA_FILE.exists():
        return 0
    data = load_bank()
    licence = data["bank"]["licence"]
    have = set(
        QuestionBankItem.objects.using(using).filter(owner__isnull=True).exclude(key="").values_list("key", flat=True)
    )
    missing = [
        QuestionBankItem(
            owner=None,
            key=item["key"],
            text=item["text"],
            kind=item["kind"],
            guskey_level=item["guskey_level"],
            construct=item.get("construct", ""),
            scale_labels=data["scale_labels"] if item["kind"] == QuestionKind.SCALE else [],
            licence=licence,
        )
        for item in data["questions"]
        if item["key"] not in have
    ]
    if missing:
        with transaction.atomic(using=using):
            QuestionBankItem.objects.using(using).bulk_create(missing)
    return len(missing)
