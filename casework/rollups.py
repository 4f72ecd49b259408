"""The dashboard's rollups, kept exact by the database whatever writes the rows.

One rule, three facts, maintained by PostgreSQL triggers (installed by migration
casework 0004; SQL below) in the transaction of the statement that changes the rows,
so the stage machine, the CSV importer (COPY, or one ``INSERT ... SELECT`` per table),
the verifier, the admin, dismissals and relapses all keep them without calling anything:

* ``InfringingItem.first_notified_at`` / ``first_removed_at``: the time of the item's
  first StageEvent to that stage (``LEAST`` with what is there, so late or back-dated
  events count; recomputed from the events when events are deleted or edited);
* ``ItemRollup``: items per (rights holder, franchise, platform, stage, week logged);
* ``RemovalRollup``: StageEvents to ``removed`` per (rights holder, franchise, platform,
  week of the event), keyed by the item's current holder, franchise and platform;
* ``RemovedItemRollup``: items with a first removed time per (rights holder, franchise,
  platform, week logged), and how many of them have a first notified time (the
  dashboard's medians count them here instead of reading every removed item). Its
  triggers and rebuild are separate (``REMOVED_*``, migration casework 0006) so the
  earlier migrations install and backfill what they did.

The triggers are statement-level with transition tables (``REFERENCING OLD TABLE /
NEW TABLE``): an ``INSERT ... SELECT`` or COPY of 100,000 items writes one row per key,
not 100,000. They write *signed delta rows* and never update a counter in place, so two
transactions moving items of the same key neither wait for each other nor deadlock
(a bulk move of items in id order would otherwise lock counter rows in another order
than a concurrent one), and every committed change is counted once. ``compact()`` folds
each key's rows into one (periodically, casework.tasks.rollups); readers sum the rows,
so the figures are exact before and after compaction.

Weeks start on Monday in ``settings.TIME_ZONE``, the zone the dashboard's dates and
``TruncWeek`` use; the zone is written into ``casework_rollup_week()`` when the
triggers are installed. After changing TIME_ZONE, run ``manage.py rebuild_rollups``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

ITEMS = "casework_infringingitem"
EVENTS = "casework_stageevent"
ITEM_ROLLUP = "casework_itemrollup"
REMOVAL_ROLLUP = "casework_removalrollup"
REMOVED_ROLLUP = "casework_removeditemrollup"
# Serialises compactions and rebuilds (pg_advisory_xact_lock key).
LOCK_KEY = 0x6465_7369_7374  # "desist"


def _week_function(zone: str) -> str:
    quoted = zone.replace("'", "''")
    return f"""
CREATE OR REPLACE FUNCTION casework_rollup_week(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_trunc('week', ts AT TIME ZONE '{quoted}')::date
$$;
"""


# Items: inserted, updated (stage, holder, franchise, platform or created_at), deleted.
_ITEM_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION casework_rollup_items_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {ITEM_ROLLUP} (rights_holder_id, franchise_id, platform_id, stage, week, items)
    SELECT rights_holder_id, franchise_id, platform_id, stage,
           casework_rollup_week(created_at), count(*)
      FROM new_items
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_rollup_items_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {ITEM_ROLLUP} (rights_holder_id, franchise_id, platform_id, stage, week, items)
    SELECT rights_holder_id, franchise_id, platform_id, stage,
           casework_rollup_week(created_at), -count(*)
      FROM old_items
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5;
    -- Removal events still there (Django deletes an item's events first).
    INSERT INTO {REMOVAL_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, removals)
    SELECT o.rights_holder_id, o.franchise_id, o.platform_id, casework_rollup_week(e.at),
           -count(*)
      FROM old_items o JOIN {EVENTS} e ON e.item_id = o.id AND e.to_stage = 'removed'
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_rollup_items_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Column lists are not allowed with transition tables: every UPDATE of items comes
    -- here, and only the rows whose key changed are counted (-1 old key, +1 new key).
    INSERT INTO {ITEM_ROLLUP} (rights_holder_id, franchise_id, platform_id, stage, week, items)
    SELECT k.rights_holder_id, k.franchise_id, k.platform_id, k.stage, k.week, sum(k.n)
      FROM old_items o
      JOIN new_items i ON i.id = o.id
     CROSS JOIN LATERAL (VALUES
            (o.rights_holder_id, o.franchise_id, o.platform_id, o.stage,
             casework_rollup_week(o.created_at), -1),
            (i.rights_holder_id, i.franchise_id, i.platform_id, i.stage,
             casework_rollup_week(i.created_at), 1)
         ) AS k (rights_holder_id, franchise_id, platform_id, stage, week, n)
     WHERE o.stage <> i.stage OR o.rights_holder_id <> i.rights_holder_id
        OR o.franchise_id <> i.franchise_id OR o.platform_id <> i.platform_id
        OR o.created_at <> i.created_at
     GROUP BY 1, 2, 3, 4, 5
    HAVING sum(k.n) <> 0
     ORDER BY 1, 2, 3, 4, 5;
    -- An item moved to another holder, franchise or platform takes its removals along.
    INSERT INTO {REMOVAL_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, removals)
    SELECT k.rights_holder_id, k.franchise_id, k.platform_id, k.week, sum(k.n)
      FROM old_items o
      JOIN new_items i ON i.id = o.id
      JOIN {EVENTS} e ON e.item_id = o.id AND e.to_stage = 'removed'
     CROSS JOIN LATERAL (VALUES
            (o.rights_holder_id, o.franchise_id, o.platform_id, casework_rollup_week(e.at), -1),
            (i.rights_holder_id, i.franchise_id, i.platform_id, casework_rollup_week(e.at), 1)
         ) AS k (rights_holder_id, franchise_id, platform_id, week, n)
     WHERE o.rights_holder_id <> i.rights_holder_id OR o.franchise_id <> i.franchise_id
        OR o.platform_id <> i.platform_id
     GROUP BY 1, 2, 3, 4
    HAVING sum(k.n) <> 0
     ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE TRIGGER casework_rollup_items_insert AFTER INSERT ON {ITEMS}
    REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_items_insert();
CREATE TRIGGER casework_rollup_items_update AFTER UPDATE ON {ITEMS}
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_items_update();
CREATE TRIGGER casework_rollup_items_delete AFTER DELETE ON {ITEMS}
    REFERENCING OLD TABLE AS old_items
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_items_delete();
"""  # noqa: S608 - table names are the constants above

# Stage events: appended (the stage machine, the importer, the verifier); deleted only
# with their item; an edit (admin, a data fix) counts as a delete plus an insert.
_EVENT_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION casework_rollup_events_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {ITEMS} AS it
       SET first_notified_at = LEAST(it.first_notified_at, m.notified_at),
           first_removed_at = LEAST(it.first_removed_at, m.removed_at)
      FROM (SELECT item_id,
                   min(at) FILTER (WHERE to_stage = 'notified') AS notified_at,
                   min(at) FILTER (WHERE to_stage = 'removed') AS removed_at
              FROM new_events
             WHERE to_stage IN ('notified', 'removed')
             GROUP BY item_id) AS m
     WHERE it.id = m.item_id
       AND (m.notified_at < it.first_notified_at
            OR (it.first_notified_at IS NULL AND m.notified_at IS NOT NULL)
            OR m.removed_at < it.first_removed_at
            OR (it.first_removed_at IS NULL AND m.removed_at IS NOT NULL));
    INSERT INTO {REMOVAL_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, removals)
    SELECT it.rights_holder_id, it.franchise_id, it.platform_id, casework_rollup_week(e.at),
           count(*)
      FROM new_events e JOIN {ITEMS} it ON it.id = e.item_id
     WHERE e.to_stage = 'removed'
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_rollup_events_refresh_first(item_ids bigint[])
RETURNS void LANGUAGE sql AS $$
    UPDATE {ITEMS} AS it
       SET first_notified_at = m.notified_at, first_removed_at = m.removed_at
      FROM (SELECT ids.id,
                   (SELECT min(e.at) FROM {EVENTS} e
                     WHERE e.item_id = ids.id AND e.to_stage = 'notified') AS notified_at,
                   (SELECT min(e.at) FROM {EVENTS} e
                     WHERE e.item_id = ids.id AND e.to_stage = 'removed') AS removed_at
              FROM unnest(item_ids) AS ids (id)) AS m
     WHERE it.id = m.id
       AND (it.first_notified_at IS DISTINCT FROM m.notified_at
            OR it.first_removed_at IS DISTINCT FROM m.removed_at);
$$;

CREATE OR REPLACE FUNCTION casework_rollup_events_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {REMOVAL_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, removals)
    SELECT it.rights_holder_id, it.franchise_id, it.platform_id, casework_rollup_week(e.at),
           -count(*)
      FROM old_events e JOIN {ITEMS} it ON it.id = e.item_id
     WHERE e.to_stage = 'removed'
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4;
    PERFORM casework_rollup_events_refresh_first(ARRAY(
        SELECT DISTINCT item_id FROM old_events WHERE to_stage IN ('notified', 'removed')));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_rollup_events_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {REMOVAL_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, removals)
    SELECT it.rights_holder_id, it.franchise_id, it.platform_id, k.week, sum(k.n)
      FROM (SELECT item_id, casework_rollup_week(at) AS week, -1 AS n
              FROM old_events WHERE to_stage = 'removed'
            UNION ALL
            SELECT item_id, casework_rollup_week(at), 1
              FROM new_events WHERE to_stage = 'removed') AS k
      JOIN {ITEMS} it ON it.id = k.item_id
     GROUP BY 1, 2, 3, 4
    HAVING sum(k.n) <> 0
     ORDER BY 1, 2, 3, 4;
    PERFORM casework_rollup_events_refresh_first(ARRAY(
        SELECT item_id FROM old_events WHERE to_stage IN ('notified', 'removed')
        UNION
        SELECT item_id FROM new_events WHERE to_stage IN ('notified', 'removed')));
    RETURN NULL;
END $$;

CREATE TRIGGER casework_rollup_events_insert AFTER INSERT ON {EVENTS}
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_events_insert();
CREATE TRIGGER casework_rollup_events_update AFTER UPDATE ON {EVENTS}
    REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_events_update();
CREATE TRIGGER casework_rollup_events_delete AFTER DELETE ON {EVENTS}
    REFERENCING OLD TABLE AS old_events
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_events_delete();
"""  # noqa: S608 - table names are the constants above


# Items removed at least once: counted when an item gets (or loses) its first removed
# or first notified time (the event triggers above update the item: that update comes
# here), or changes holder, franchise, platform or created_at; and when inserted or
# deleted with a first removed time.
_REMOVED_COUNTS = """
    (CASE WHEN {t}.first_removed_at IS NULL THEN 0 ELSE {sign}1 END),
    (CASE WHEN {t}.first_removed_at IS NULL OR {t}.first_notified_at IS NULL THEN 0
          ELSE {sign}1 END)"""
REMOVED_INSTALL_SQL = f"""
CREATE OR REPLACE FUNCTION casework_rollup_removed_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {REMOVED_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, items,
                                  notified)
    SELECT rights_holder_id, franchise_id, platform_id, casework_rollup_week(created_at),
           count(*), count(first_notified_at)
      FROM new_items WHERE first_removed_at IS NOT NULL
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_rollup_removed_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {REMOVED_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, items,
                                  notified)
    SELECT rights_holder_id, franchise_id, platform_id, casework_rollup_week(created_at),
           -count(*), -count(first_notified_at)
      FROM old_items WHERE first_removed_at IS NOT NULL
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION casework_rollup_removed_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {REMOVED_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, items,
                                  notified)
    SELECT k.rights_holder_id, k.franchise_id, k.platform_id, k.week, sum(k.n), sum(k.nn)
      FROM old_items o
      JOIN new_items i ON i.id = o.id
     CROSS JOIN LATERAL (VALUES
            (o.rights_holder_id, o.franchise_id, o.platform_id,
             casework_rollup_week(o.created_at), {_REMOVED_COUNTS.format(t="o", sign="-")}),
            (i.rights_holder_id, i.franchise_id, i.platform_id,
             casework_rollup_week(i.created_at), {_REMOVED_COUNTS.format(t="i", sign="")})
         ) AS k (rights_holder_id, franchise_id, platform_id, week, n, nn)
     WHERE (o.first_removed_at IS NOT NULL OR i.first_removed_at IS NOT NULL)
       AND ((o.first_removed_at IS NULL) <> (i.first_removed_at IS NULL)
            OR (o.first_notified_at IS NULL) <> (i.first_notified_at IS NULL)
            OR o.rights_holder_id <> i.rights_holder_id OR o.franchise_id <> i.franchise_id
            OR o.platform_id <> i.platform_id OR o.created_at <> i.created_at)
     GROUP BY 1, 2, 3, 4
    HAVING sum(k.n) <> 0 OR sum(k.nn) <> 0
     ORDER BY 1, 2, 3, 4;
    RETURN NULL;
END $$;

CREATE TRIGGER casework_rollup_removed_insert AFTER INSERT ON {ITEMS}
    REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_removed_insert();
CREATE TRIGGER casework_rollup_removed_update AFTER UPDATE ON {ITEMS}
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_removed_update();
CREATE TRIGGER casework_rollup_removed_delete AFTER DELETE ON {ITEMS}
    REFERENCING OLD TABLE AS old_items
    FOR EACH STATEMENT EXECUTE FUNCTION casework_rollup_removed_delete();
"""  # noqa: S608 - table names are the constants above

REMOVED_UNINSTALL_SQL = f"""
DROP TRIGGER IF EXISTS casework_rollup_removed_insert ON {ITEMS};
DROP TRIGGER IF EXISTS casework_rollup_removed_update ON {ITEMS};
DROP TRIGGER IF EXISTS casework_rollup_removed_delete ON {ITEMS};
DROP FUNCTION IF EXISTS casework_rollup_removed_insert();
DROP FUNCTION IF EXISTS casework_rollup_removed_update();
DROP FUNCTION IF EXISTS casework_rollup_removed_delete();
"""

# From the items' first times (run after REBUILD_SQL has recomputed them).
REMOVED_REBUILD_SQL = f"""
LOCK TABLE {ITEMS}, {REMOVED_ROLLUP} IN SHARE ROW EXCLUSIVE MODE;
DELETE FROM {REMOVED_ROLLUP};
INSERT INTO {REMOVED_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, items, notified)
SELECT rights_holder_id, franchise_id, platform_id, casework_rollup_week(created_at),
       count(*), count(first_notified_at)
  FROM {ITEMS} WHERE first_removed_at IS NOT NULL GROUP BY 1, 2, 3, 4;
"""  # noqa: S608 - table names are the constants above


def install_sql(zone: str | None = None) -> str:
    """The functions and triggers (migration casework 0004, and ``rebuild``)."""
    return _week_function(zone or settings.TIME_ZONE) + _ITEM_TRIGGERS + _EVENT_TRIGGERS


UNINSTALL_SQL = f"""
DROP TRIGGER IF EXISTS casework_rollup_items_insert ON {ITEMS};
DROP TRIGGER IF EXISTS casework_rollup_items_update ON {ITEMS};
DROP TRIGGER IF EXISTS casework_rollup_items_delete ON {ITEMS};
DROP TRIGGER IF EXISTS casework_rollup_events_insert ON {EVENTS};
DROP TRIGGER IF EXISTS casework_rollup_events_update ON {EVENTS};
DROP TRIGGER IF EXISTS casework_rollup_events_delete ON {EVENTS};
DROP FUNCTION IF EXISTS casework_rollup_items_insert();
DROP FUNCTION IF EXISTS casework_rollup_items_update();
DROP FUNCTION IF EXISTS casework_rollup_items_delete();
DROP FUNCTION IF EXISTS casework_rollup_events_insert();
DROP FUNCTION IF EXISTS casework_rollup_events_update();
DROP FUNCTION IF EXISTS casework_rollup_events_delete();
DROP FUNCTION IF EXISTS casework_rollup_events_refresh_first(bigint[]);
DROP FUNCTION IF EXISTS casework_rollup_week(timestamptz);
"""

# Everything from the rows themselves, under locks that keep writers out meanwhile
# (readers go on): the backfill (migration casework 0005) and ``rebuild``.
REBUILD_SQL = f"""
LOCK TABLE {ITEMS}, {EVENTS}, {ITEM_ROLLUP}, {REMOVAL_ROLLUP} IN SHARE ROW EXCLUSIVE MODE;
UPDATE {ITEMS} AS it
   SET first_notified_at = m.notified_at, first_removed_at = m.removed_at
  FROM (SELECT i.id, n.at AS notified_at, r.at AS removed_at
          FROM {ITEMS} i
          LEFT JOIN (SELECT item_id, min(at) AS at FROM {EVENTS}
                      WHERE to_stage = 'notified' GROUP BY item_id) n ON n.item_id = i.id
          LEFT JOIN (SELECT item_id, min(at) AS at FROM {EVENTS}
                      WHERE to_stage = 'removed' GROUP BY item_id) r ON r.item_id = i.id) m
 WHERE it.id = m.id
   AND (it.first_notified_at IS DISTINCT FROM m.notified_at
        OR it.first_removed_at IS DISTINCT FROM m.removed_at);
DELETE FROM {ITEM_ROLLUP};
INSERT INTO {ITEM_ROLLUP} (rights_holder_id, franchise_id, platform_id, stage, week, items)
SELECT rights_holder_id, franchise_id, platform_id, stage, casework_rollup_week(created_at),
       count(*)
  FROM {ITEMS} GROUP BY 1, 2, 3, 4, 5;
DELETE FROM {REMOVAL_ROLLUP};
INSERT INTO {REMOVAL_ROLLUP} (rights_holder_id, franchise_id, platform_id, week, removals)
SELECT it.rights_holder_id, it.franchise_id, it.platform_id, casework_rollup_week(e.at),
       count(*)
  FROM {EVENTS} e JOIN {ITEMS} it ON it.id = e.item_id
 WHERE e.to_stage = 'removed'
 GROUP BY 1, 2, 3, 4;
"""  # noqa: S608 - table names are the constants above

# One key's delta rows folded into one (keys with a single non-zero row are left
# alone). Rows are only ever inserted by the triggers and deleted here, under the
# advisory lock: a row committed meanwhile is not in this statement's snapshot and
# stays as it is, so nothing is lost or counted twice, and readers see either the
# deltas or their sum.
_COMPACT_SQL = """
WITH keys AS (
    SELECT {key} FROM {table} GROUP BY {key} HAVING count(*) > 1 OR {all_zero}
), gone AS (
    DELETE FROM {table} AS r USING keys AS k
     WHERE ({r_key}) = ({k_key})
    RETURNING {r_key}, {r_values}
)
INSERT INTO {table} ({key}, {values})
SELECT {key}, {sums} FROM gone GROUP BY {key} HAVING {any_nonzero}
"""


def _compact_sql(table: str, key: list[str], values: list[str]) -> str:
    return _COMPACT_SQL.format(
        table=table,
        key=", ".join(key),
        values=", ".join(values),
        r_key=", ".join(f"r.{c}" for c in key),
        k_key=", ".join(f"k.{c}" for c in key),
        r_values=", ".join(f"r.{v}" for v in values),
        sums=", ".join(f"sum({v})" for v in values),
        all_zero=" AND ".join(f"sum({v}) = 0" for v in values),
        any_nonzero=" OR ".join(f"sum({v}) <> 0" for v in values),
    )


COMPACT_ITEMS_SQL = _compact_sql(
    ITEM_ROLLUP, ["rights_holder_id", "franchise_id", "platform_id", "stage", "week"], ["items"]
)
COMPACT_REMOVALS_SQL = _compact_sql(
    REMOVAL_ROLLUP, ["rights_holder_id", "franchise_id", "platform_id", "week"], ["removals"]
)
COMPACT_REMOVED_SQL = _compact_sql(
    REMOVED_ROLLUP,
    ["rights_holder_id", "franchise_id", "platform_id", "week"],
    ["items", "notified"],
)


def compact() -> int:
    """Fold each key's delta rows into one. Returns the rows removed; safe to run at
    any time, beside any writer, and twice at once (the second waits)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        before = _count(cursor)
        cursor.execute(COMPACT_ITEMS_SQL)
        cursor.execute(COMPACT_REMOVALS_SQL)
        cursor.execute(COMPACT_REMOVED_SQL)
        return before - _count(cursor)


def _count(cursor) -> int:
    cursor.execute(
        f"SELECT (SELECT count(*) FROM {ITEM_ROLLUP}) + (SELECT count(*) FROM {REMOVAL_ROLLUP})"  # noqa: S608
        f" + (SELECT count(*) FROM {REMOVED_ROLLUP})"
    )
    return cursor.fetchone()[0]


def rebuild(cursor=None) -> None:
    """Reinstall the triggers (with the current TIME_ZONE) and recompute every rollup
    and first time from the rows. Writers wait meanwhile; the result is exact."""
    if cursor is None:
        with transaction.atomic(), connection.cursor() as own:
            return rebuild(own)
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    cursor.execute(UNINSTALL_SQL + REMOVED_UNINSTALL_SQL)
    cursor.execute(install_sql() + REMOVED_INSTALL_SQL)
    cursor.execute(REBUILD_SQL)
    cursor.execute(REMOVED_REBUILD_SQL)
    return None
