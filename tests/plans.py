"""What PostgreSQL's generic plan of a statement reads: the plan a prepared statement settles on after its fifth run,
the same for every later value. Tests use it to show that no value makes such a plan read a whole table."""

import json
import re

from django.db import connection


def generic_plan(sql: str, params: list) -> dict:
    """EXPLAIN ANALYZE of `sql` (Django's %s placeholders; integer or text values) under the generic plan."""
    numbers = iter(range(1, 10_000))
    numbered = re.sub(r"%s", lambda _match: f"${next(numbers)}", sql)
    values = ", ".join(str(int(v)) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in params)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            cursor.execute(f"PREPARE generic_plan_probe AS {numbered}")
            try:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE generic_plan_probe({values})")
                plan = cursor.fetchone()[0]
            finally:
                cursor.execute("DEALLOCATE generic_plan_probe")
        finally:
            cursor.execute("RESET plan_cache_mode")
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]


def rows_read(plan: dict, table: str) -> int:
    """Rows the plan's scans of `table` returned, over all their loops."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == table else 0
    return own + sum(rows_read(child, table) for child in plan.get("Plans", []))
