"""The one raw statement of a bulk card move: a guarded ``UPDATE ... RETURNING`` on PostgreSQL and SQLite.

Each card of the chunk is given with its target state; a card moves only if it is still in the from-state
(and, when ``due_column`` is given, still due) at the moment the statement reaches it, so a card a
business changed after the sweep selected it is left alone and not returned.  On PostgreSQL the targets
travel as two array parameters (``unnest``), on SQLite (>= 3.35 for RETURNING) as one JSON parameter
(``json_each``); either way one statement, whatever the chunk's size.
"""

import datetime as dt
import json

from django.db import connection

from sscard.cards.models import Card


def update_returning(*, targets: dict[int, str], from_state: str, set_values: dict,
                     due_column: str | None = None, due_at: dt.datetime | None = None) -> list[int]:
    """Move the cards ``targets`` (id -> target state) that are still ``from_state`` (and, with
    ``due_column``, have ``due_column <= due_at``); set ``set_values`` (field name -> value) too.
    Returns the ids moved."""
    if not targets:
        return []
    meta = Card._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    sets, params = [f"{quote(meta.get_field('state').column)} = v.to_state"], []
    for name, value in set_values.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    where = f"{table}.{quote('state')} = %s"
    where_params = [from_state]
    if due_column is not None:
        where += f" AND {table}.{quote(meta.get_field(due_column).column)} <= %s"
        where_params.append(meta.get_field(due_column).get_db_prep_save(due_at, connection))
    if connection.vendor == "postgresql":
        source = "unnest(%s::bigint[], %s::text[]) AS v(id, to_state)"
        source_params = [list(targets), list(targets.values())]
    else:
        source = ("(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS to_state "
                  "FROM json_each(%s)) AS v")
        source_params = [json.dumps(list(targets.items()))]
    sql = (f"UPDATE {table} SET {', '.join(sets)} FROM {source} "
           f"WHERE {table}.{quote('id')} = v.id AND {where} RETURNING {table}.{quote('id')}")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *source_params, *where_params])
        return [row[0] for row in cur.fetchall()]
