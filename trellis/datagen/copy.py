"""Bulk row writers: COPY on PostgreSQL, executemany elsewhere.

The generator hands rows as tuples in a fixed column order, with explicit ids. Columns a
table has but the generator leaves out get the model field's default, once per table.
PostgreSQL receives rows through ``COPY ... FROM STDIN`` (psycopg streams them; nothing is
built in memory); other databases get batched INSERTs, with values prepared by the fields
so that, say, datetimes compare the way Django stores them on SQLite.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

BATCH = 5000


def _column_default(field: models.Field):
    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if isinstance(field, models.JSONField) else value
    if field.null:
        return None
    if field.blank and isinstance(field, (models.CharField, models.TextField)):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} has no default: the generator must give it.")


class TableWriter:
    """Writes rows for one model (or an auto-created through table) in the given column order."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {unknown}.")
        self.given = list(columns)
        self.fields = [fields[c] for c in self.given]
        self.filled = [c for c in fields if c not in self.given]
        self.filled_values = tuple(_column_default(fields[c]) for c in self.filled)
        for column in self.filled:
            if fields[column].default is NOT_PROVIDED and getattr(fields[column], "auto_now_add", False):
                raise ValueError(f"{model.__name__}.{column} is set on insert: the generator must give it.")
        self.count = 0

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def write(self, rows: Iterable[tuple]) -> int:
        if connection.vendor == "postgresql":
            self._copy(rows)
        else:
            self._insert(rows)
        return self.count

    def _copy(self, rows: Iterable[tuple]) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.given + self.filled)
        filled = self.filled_values
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                n = 0
                for row in rows:
                    write(row + filled)
                    n += 1
        self.count += n

    def _insert(self, rows: Iterable[tuple]) -> None:
        quote = connection.ops.quote_name
        columns = self.given + self.filled
        fields = self.fields + [f for f in self.model._meta.concrete_fields if f.column in self.filled]
        # Table and column names come from the models, quoted; values are parameters.
        names = ", ".join(quote(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(self.table)} ({names}) VALUES ({marks})"  # noqa: S608
        batch = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(self._prepare(fields, row + self.filled_values))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    self.count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                self.count += len(batch)

    @staticmethod
    def _prepare(fields, row):
        prepared = []
        for field, value in zip(fields, row, strict=True):
            if value is None or isinstance(field, models.JSONField):
                prepared.append(value)
            else:
                prepared.append(field.get_db_prep_save(value, connection))
        return prepared


def through(model: type[models.Model], field_name: str) -> type[models.Model]:
    """The auto-created table behind a many-to-many field."""
    return model._meta.get_field(field_name).remote_field.through


def next_id(model: type[models.Model]) -> int:
    latest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (latest or 0) + 1


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """After rows with explicit ids, the next ordinary insert must not collide with them."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
