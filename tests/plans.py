"""What PostgreSQL's generic plan of a statement reads: the plan a prepared statement settles on after its fifth run,
the same for every later value. Tests use it to show that no value makes such a plan read a whole table, and what
PostgreSQL settles on for a statement whose generic plan it would not choose."""

import json
import re

from django.db import connection


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
