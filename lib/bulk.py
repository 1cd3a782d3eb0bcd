"""Writing many new rows at once.

On PostgreSQL the rows go through ``COPY … FROM STDIN`` (the database's own bulk load)
after their ids are drawn from the table's sequence in one query; Django's
``bulk_create`` spends most of its time preparing each value of a multi-row ``INSERT``,
which made file imports four times slower than COPY. Elsewhere (SQLite, the embedded
default) it is ``bulk_create``. Either way the objects come back with their ids set, and
``auto_now``/``auto_now_add`` fields filled, as after ``save()``.
"""

from __future__ import annotations

import json
from operator import attrgetter

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from django.utils import timezone


def insert_rows(model: type[models.Model], rows: list[dict]) -> None:
    """New rows given as {attname: value} (every concrete field but the id), for append-only
    records nobody needs as objects afterwards (demand events): no model instances on
    PostgreSQL."""
    if not rows:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model.objects.using(alias).bulk_create([model(**row) for row in rows])
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    _copy(connection, model._meta.db_table, fields,
          ([row[field.attname] for field in fields] for row in rows))


def insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """New model instances; afterwards they have their ids, as after ``save()``."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model.objects.using(alias).bulk_create(objs)
        return
    meta = model._meta
    now = timezone.now()
    for field in meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    # Nullable columns that are empty in every row are left out of the COPY (they default
    # to NULL): fewer values to format, which is most of the client's work. (``set`` over
    # ``map(attrgetter)`` runs the scan in C.)
    fields = [field for field in meta.concrete_fields if not field.primary_key and (
        not field.null or set(map(attrgetter(field.attname), objs)) != {None})]
    values_of = attrgetter(*(field.attname for field in fields))
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                       "FROM generate_series(1, %s)", [meta.db_table, meta.pk.column, len(objs)])
        ids = [row[0] for row in cursor.fetchall()]
    values = values_of if len(fields) > 1 else (lambda obj: (values_of(obj),))
    _copy(connection, meta.db_table, [meta.pk, *fields],
          ([pk, *values(obj)] for obj, pk in zip(objs, ids, strict=True)))
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _copy(connection, table: str, fields, rows) -> None:
    """``COPY table (fields) FROM STDIN`` of ``rows`` (lists of values in field order)."""
    quote = connection.ops.quote_name
    json_at = [index for index, field in enumerate(fields)
               if isinstance(field, models.JSONField)]
    columns = ", ".join(quote(field.column) for field in fields)
    # JSON goes as text (the column's input function parses it), each distinct object
    # serialised once: a chunk's events often share one ``data`` dict.
    serialised: dict[int, str] = {}
    # (the raw psycopg cursor: ``wrap_database_errors`` turns its errors into Django's,
    # e.g. IntegrityError, which the import's retry catches)
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
        for values in rows:
            for index in json_at:
                value = values[index]
                if value is not None:
                    text = serialised.get(id(value))
                    if text is None:
                        text = serialised[id(value)] = json.dumps(value, ensure_ascii=False,
                                                                  cls=DjangoJSONEncoder)
                    values[index] = text
            copy.write_row(values)
