"""P1 (SPEC §6): the API's engagements list and detail at 100,000 engagements.

    python bench/api_pages.py [--db sqlite|postgres] [--scale 1] [--runs 100]

On the standard dataset (harness.standard_data: a SQLite file or a PostgreSQL database of its
own, production settings, no ANALYZE on SQLite), with an owner's bearer token, it calls
GET /api/v1/engagements (page sizes 10, 50 and 200, at keyset cursors spread over the whole
table) and GET /api/v1/engagements/{id} (random ids) as a WSGI server calls Django
(bench/wsgi_client.py: the whole middleware stack, connections kept or closed as production
does). Each API call is timed interleaved with its raw SQL: the same statements
the request sends (the token check and the page or row, bench/api_sql.py) on an open
connection through the cursor the API uses for them (api.prepared.hot_cursor: prepared on
PostgreSQL), fetched to the last row, with the same cursors and ids.

Budget: ≤ 4 queries whatever the page size, p95 ≤ 10 ms, ≤ 5× the raw SQL's p95 for the same
page. The raw SQL runs on an open connection, so the ratio says what the whole stack costs
beside the database.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness
from api_sql import FLOOR_AUTH, FLOOR_ONE, FLOOR_PAGE

BUDGET_MS, MAX_QUERIES, MAX_RATIO = 10, 4, 5
PAGE_SIZES = (10, 50, 200)


def main() -> int:
    args = harness.arguments(__doc__).parse_args()
    run = harness.Run("P1 API list and detail", db=args.db)
    url, info = harness.standard_data(args.db, args.scale)
    harness.setup_django(url)

    from django.db import connection
    from wsgi_client import WsgiClient

    from sourcewise.api.prepared import hot_cursor
    from sourcewise.api.services import create_token
    from sourcewise.engagements.models import Engagement
    from sourcewise.workspaces.models import Membership

    workspace_id = info["workspace_id"]
    owner = Membership.objects.select_related("user", "workspace").filter(workspace_id=workspace_id, role="owner")[0]
    _, token = create_token(user=owner.user, workspace=owner.workspace, name="bench P1")
    prefix = token.split("_")[1]
    client = WsgiClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    ids = list(Engagement.objects.filter(workspace_id=workspace_id).order_by("pk").values_list("pk", flat=True))
    connection.close()  # the API's requests open their own, as in production
    print(f"  {len(ids):,} engagements", file=sys.stderr)
    rng = random.Random(1)

    def api_list(after: int, limit: int) -> Any:
        answer = client.get("/api/v1/engagements", {"cursor": after, "limit": limit})
        assert answer.status_code == 200, answer.content[:300]
        return answer

    def api_detail(pk: int) -> Any:
        answer = client.get(f"/api/v1/engagements/{pk}")
        assert answer.status_code == 200, answer.content[:300]
        return answer

    def raw(sql: str, params: list[Any]) -> list[Any]:
        # The product's cursor for these statements (on PostgreSQL prepared, as the API's are).
        with hot_cursor() as cursor:
            cursor.execute(FLOOR_AUTH, [prefix, True, False])
            assert cursor.fetchall(), "the token's row"
            cursor.execute(sql, params)
            return cursor.fetchall()

    def feed(values: list[Any], call: Callable[..., Any], *extra: Any) -> Callable[[], Any]:
        values = list(values)
        return lambda: call(values.pop(), *extra)

    total = args.runs + 3  # the harness warms each call 3 times
    for limit in PAGE_SIZES:
        cursors = [rng.choice(ids[: len(ids) - limit - 1]) for _ in range(total)]
        # The same rows, and at most MAX_QUERIES statements, whatever the page.
        middle = ids[len(ids) // 2]
        page = api_list(middle, limit).json()
        rows = raw(FLOOR_PAGE, [workspace_id, middle, limit + 1])
        assert [item["id"] for item in page["items"]] == [row[0] for row in rows[:limit]], f"limit {limit}: ids"
        assert page["next_cursor"] == str(rows[limit - 1][0]), f"limit {limit}: next cursor"
        queries = harness.queries_of(lambda limit=limit, middle=middle: api_list(middle, limit))
        samples = harness.interleave(
            {
                "api": feed(cursors, api_list, limit),
                "raw": feed(cursors, lambda after, limit: raw(FLOOR_PAGE, [workspace_id, after, limit + 1]), limit),
            },
            runs=args.runs,
        )
        run.check(
            f"engagements list, {limit} a page, at {len(ids):,}",
            samples["api"],
            budget_ms=BUDGET_MS,
            queries=queries,
            max_queries=MAX_QUERIES,
            reference=samples["raw"],
            max_ratio=MAX_RATIO,
        )

    picks = [rng.choice(ids) for _ in range(total)]
    one = api_detail(ids[7]).json()
    (row,) = raw(FLOOR_ONE, [workspace_id, ids[7]])
    assert (one["id"], one["state"], one["freelancer"]["name"]) == (row[0], row[5], row[20]), "detail"
    queries = harness.queries_of(lambda: api_detail(ids[7]))
    samples = harness.interleave(
        {
            "api": feed(picks, api_detail),
            "raw": feed(picks, lambda pk: raw(FLOOR_ONE, [workspace_id, pk])),
        },
        runs=args.runs,
    )
    run.check(
        "engagement detail",
        samples["api"],
        budget_ms=BUDGET_MS,
        queries=queries,
        max_queries=MAX_QUERIES,
        reference=samples["raw"],
        max_ratio=MAX_RATIO,
    )
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())
