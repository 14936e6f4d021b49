"""ORM queries compiled to SQL once, then run many times with new parameter values.

Django builds and compiles a queryset's SQL every time it is evaluated. For the few queries every
page runs (the session, the person, their roles, the unread-notice badge) that Python work costs
several times what the database does. A ``CompiledQuery`` is written as an ordinary queryset,
built once per database with marker values standing for its parameters; each call puts the real
values where the markers were and sends the same SQL. The ORM stays the only author of the SQL,
so it follows the models and works on every database Trellis supports.

Parameters are scalars (ids, strings, dates, datetimes): a list parameter would change the SQL's
shape with its length. Rows come back as ``values_list`` would give them: the compiler's converters
(dates and booleans on SQLite, for instance) are applied to each.
"""

import datetime
import itertools
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Marker values no real parameter takes: negative ids, and instants in the first century.
_serial = itertools.count(1)


def _marker(kind: type):
    n = next(_serial)
    if kind is int:
        return -987_654_321_000 - n
    if kind is str:
        return f"\x00marker-{n}\x00"
    if kind is datetime.datetime:
        return datetime.datetime(1, 1, 1, 0, 0, n % 60, n, tzinfo=datetime.UTC)
    if kind is datetime.date:
        return datetime.date(1, 1, n % 28 + 1) + datetime.timedelta(days=31 * (n // 28))
    raise TypeError(f"A compiled query takes int, str, date or datetime parameters, not {kind.__name__}.")


class CompiledQuery:
    """``build(**params)`` returns the queryset; ``params`` name each parameter's type.

    >>> unread = CompiledQuery(lambda person: Notice.objects.filter(recipient_id=person).values_list("id"), person=int)
    >>> unread.rows(person=user.pk)
    """

    def __init__(self, build: Callable[..., QuerySet], **params: type):
        self.build = build
        self.params = params
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str) -> tuple:
        markers = {name: _marker(kind) for name, kind in self.params.items()}
        queryset = self.build(**markers)
        compiler = queryset.query.get_compiler(using)
        sql, values = compiler.as_sql()
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        connection = connections[using]
        adapted = {name: self._adapt(connection, value) for name, value in markers.items()}
        slots = []
        for position, value in enumerate(values):
            for name, marker in adapted.items():
                if value == marker:
                    slots.append((position, name))
        used = {name for _position, name in slots}
        if used != set(markers):
            raise ValueError(f"A compiled query did not use its parameters {sorted(set(markers) - used)}.")
        return sql, list(values), slots, converters

    @staticmethod
    def _adapt(connection, value):
        """The value as the compiler puts it among the parameters (dates become text on SQLite)."""
        operations = connection.ops
        if isinstance(value, datetime.datetime):
            return operations.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return operations.adapt_datefield_value(value)
        return value

    def rows(self, using: str = "default", **values) -> list[tuple]:
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        sql, params, slots, converters = self._compiled[using]
        connection = connections[using]
        params = list(params)
        for position, name in slots:
            params[position] = self._adapt(connection, values[name])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [self._convert(row, converters, connection) for row in rows] if converters else rows

    @staticmethod
    def _convert(row, converters: dict, connection) -> tuple:
        # As SQLCompiler.apply_converters, with this thread's connection.
        values = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                values[position] = function(values[position], expression, connection)
        return tuple(values)
