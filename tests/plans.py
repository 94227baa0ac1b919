"""What PostgreSQL's generic plan of a statement reads: the plan a prepared statement settles on after its fifth run,
the same for every later value. Tests use it to show that no value makes such a plan read a whole table, and what
PostgreSQL settles on for a statement whose generic plan it would not choose."""

import contextlib
import json
import re

from django.db import connection, connections, router

from fediverse_node.postgresql.scans import ordered_index_scans


def generic_plan(sql: str, params: list) -> dict:
    """EXPLAIN ANALYZE of `sql` (Django's %s placeholders; integer, text or datetime values) under the generic plan."""
    return _prepared_plan(sql, params, mode="force_generic_plan")


def settled_plan(sql: str, params: list) -> dict:
    """EXPLAIN ANALYZE of `sql` on its sixth run as a prepared statement, when PostgreSQL has chosen between the
    generic plan and planning each run anew (plan_cache_mode auto, as psycopg's prepared statements meet it)."""
    return _prepared_plan(sql, params, mode="auto", runs=5)


def _prepared_plan(sql: str, params: list, *, mode: str, runs: int = 0) -> dict:
    numbers = iter(range(1, 10_000))
    numbered = re.sub(r"%s", lambda _match: f"${next(numbers)}", sql)
    values = ", ".join(str(int(v)) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in params)
    execute = f"EXECUTE plan_probe({values})" if params else "EXECUTE plan_probe"
    with connection.cursor() as cursor:
        cursor.execute(f"SET plan_cache_mode = {mode}")
        try:
            cursor.execute(f"PREPARE plan_probe AS {numbered}")
            try:
                for _run in range(runs):
                    cursor.execute(execute)
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {execute}")
                plan = cursor.fetchone()[0]
            finally:
                cursor.execute("DEALLOCATE plan_probe")
        finally:
            cursor.execute("RESET plan_cache_mode")
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]


def rows_read(plan: dict, table: str) -> int:
    """Rows the plan's scans of `table` returned, over all their loops."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == table else 0
    return own + sum(rows_read(child, table) for child in plan.get("Plans", []))


def most_read(plan: dict) -> int:
    """The most rows any node of the plan read: returned, and removed by its filter or recheck, over its loops. A
    bitmap index scan counts every index entry it read, those of rows no longer there included."""
    own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)
           + plan.get("Rows Removed by Index Recheck", 0)) * plan["Actual Loops"]
    return max([own, *(most_read(child) for child in plan.get("Plans", []))])


def node_types(plan: dict) -> set[str]:
    return {plan["Node Type"]}.union(*(node_types(child) for child in plan.get("Plans", [])))


def indexes_used(plan: dict) -> set[str]:
    own = {plan["Index Name"]} if "Index Name" in plan else set()
    return own.union(*(indexes_used(child) for child in plan.get("Plans", [])))


def queue_plan(query) -> dict | str:
    """How a queue's sweep or drain runs `query` (a queryset): PostgreSQL's settled plan under
    ordered_index_scans, as the task runs it; SQLite's query plan as text."""
    sql, params = query.query.sql_with_params()
    database = connections[router.db_for_read(query.model)]
    if database.vendor == "postgresql":
        with ordered_index_scans(database.alias):
            return settled_plan(sql, list(params))
    with database.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@contextlib.contextmanager
def plans_as_run(database: str = "default"):
    """Yields a list that fills with (statement, plan) of every statement run inside on `database`'s connection, as
    PostgreSQL ran it (auto_explain with ANALYZE, told to this client as notices)."""
    connection_ = connections[database]
    connection_.ensure_connection()
    plans: list[tuple[str, dict]] = []

    def noted(diagnostic) -> None:
        _duration, found, document = (diagnostic.message_primary or "").partition("plan:")
        if found:
            explained = json.loads(document)
            plans.append((explained["Query Text"], explained["Plan"]))

    with connection_.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for setting in ("log_analyze = on", "log_format = json", "log_level = notice", "log_min_duration = 0"):
            cursor.execute(f"SET auto_explain.{setting}")
    connection_.connection.add_notice_handler(noted)
    try:
        yield plans
    finally:
        connection_.connection.remove_notice_handler(noted)
        with connection_.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")
