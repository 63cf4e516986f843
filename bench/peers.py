"""P7 (issue 14): the engagements API beside its peers, side by side in one run.

    python bench/peers.py [--db sqlite|postgres] [--scale 1] [--runs 100]

On the standard dataset (100,000 engagements at --scale 1) it times, interleaved, the
engagements list (a page of 50 at keyset cursors spread over the whole table) and one
engagement's detail (random ids) through three stacks, in this one process, behind the same
middleware and production settings (`harness.setup_django`: DEBUG off, the SQLite pragmas and
connections kept as DB_CONN_MAX_AGE says), called as a WSGI server calls Django
(bench/wsgi_client.py: unlike the test client it keeps or closes connections as production does),
all with the same bearer token:

- product: GET /api/v1/engagements and /api/v1/engagements/{id} (django-ninja, the product's
  token auth, workspace scoping and roles, its schemas and error handling);
- floor: a bare Django view doing one SQL statement for the token and one for the rows, and
  `json.dumps` of the same dicts (bench/peers_urls.py says exactly what it does and skips);
- DRF: a `ModelViewSet` + `ModelSerializer` + `CursorPagination` over the same rows and fields,
  its authentication class calling the product's token check (bench/peers_urls.py).

Before timing it checks that the three return the same rows: the product's items equal the
floor's field for field, and DRF's have the same ids and values of the fields compared.
Budget (issue 14): the product's p95 ≤ 1.5× the floor's and DRF's p95 ≥ 2× the product's.

--without-ninja (a diagnostic, not part of `make bench`): one more stack in the detail's turns,
the product's own code for the detail (token check and role, scoped query, JSON) called from a
plain Django view (bench/peers_urls.py `product_code_detail`), and one more row, unjudged: how
far from the floor the product's work is without django-ninja's operation around it.
DRF is the optional `bench` extra: `pip install -e '.[bench]'` (djangorestframework).
"""

from __future__ import annotations

import base64
import itertools
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness

PAGE = 50
RATIO_TO_FLOOR = 1.5
DRF_SLOWER = 2.0
COMPARED = ("id", "state", "kind", "rate", "currency", "budget_cap", "start_date", "freelancer", "task", "manager",
            "expected_monthly_saving", "trial_rating")  # fmt: skip


def drf_cursor(after: int) -> str:
    """DRF's CursorPagination cursor for 'rows after id `after`' (its own opaque encoding)."""
    return base64.b64encode(urlencode({"p": str(after)}).encode()).decode()


def main() -> int:
    parser = harness.arguments(__doc__)
    parser.add_argument("--without-ninja", action="store_true", help="also time the detail's code without ninja")
    args = parser.parse_args()
    run = harness.Run("P7 API beside its peers", db=args.db)
    url, info = harness.standard_data(args.db, args.scale)
    harness.setup_django(url)
    try:
        import rest_framework  # noqa: F401
    except ImportError:
        run.add("DRF peer", budget="installed", measured="djangorestframework missing: pip install -e '.[bench]'",
                met=False)  # fmt: skip
        return run.finish()

    from django.conf import settings
    from django.urls import clear_url_caches
    from wsgi_client import WsgiClient

    settings.ROOT_URLCONF = "peers_urls"  # the product's urls plus the two peers, this process only
    clear_url_caches()

    from sourcewise.api.services import create_token
    from sourcewise.engagements.models import Engagement
    from sourcewise.workspaces.models import Membership

    workspace_id = info["workspace_id"]
    owner = Membership.objects.select_related("user", "workspace").filter(workspace_id=workspace_id, role="owner")[0]
    _, token = create_token(user=owner.user, workspace=owner.workspace, name="bench peers")
    client = WsgiClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    ids = list(Engagement.objects.filter(workspace_id=workspace_id).order_by("pk").values_list("pk", flat=True))
    print(f"  {len(ids):,} engagements", file=sys.stderr)

    def get(path: str, params: dict[str, Any] | None = None) -> Any:
        response = client.get(path, params)
        assert response.status_code == 200, f"{path} {params}: {response.status_code} {response.content[:300]!r}"
        return response

    def product_list(after: int) -> Any:
        return get("/api/v1/engagements", {"cursor": after, "limit": PAGE})

    def floor_list(after: int) -> Any:
        return get("/bench/floor/engagements", {"cursor": after, "limit": PAGE})

    def drf_list(after: int) -> Any:
        return get("/bench/drf/engagements", {"cursor": drf_cursor(after), "page_size": PAGE})

    def product_detail(pk: int) -> Any:
        return get(f"/api/v1/engagements/{pk}")

    def floor_detail(pk: int) -> Any:
        return get(f"/bench/floor/engagements/{pk}")

    def drf_detail(pk: int) -> Any:
        return get(f"/bench/drf/engagements/{pk}")

    def product_code_detail(pk: int) -> Any:
        return get(f"/bench/product-code/engagements/{pk}")

    # -- the same rows from all three ----------------------------------------------------------
    rng = random.Random(14)
    probes = [ids[0], ids[len(ids) // 2], ids[-PAGE - 1], *rng.sample(ids[: -PAGE - 1], 5)]
    for after in probes:
        product, floor, drf = (call(after).json() for call in (product_list, floor_list, drf_list))
        assert len(product["items"]) == PAGE, f"cursor {after}: {len(product['items'])} items"
        assert product == floor, f"cursor {after}: the floor's page differs from the product's"
        assert [i["id"] for i in drf["results"]] == [i["id"] for i in product["items"]], f"cursor {after}: DRF ids"
        for mine, theirs in zip(product["items"], drf["results"], strict=True):
            assert {k: mine[k] for k in COMPARED} == {k: theirs[k] for k in COMPARED}, (mine, theirs)
        pk = product["items"][7]["id"]
        one = product_detail(pk).json()
        assert one == floor_detail(pk).json() == product["items"][7], f"detail {pk} differs from the floor's"
        assert {k: one[k] for k in COMPARED} == {k: drf_detail(pk).json()[k] for k in COMPARED}, f"DRF detail {pk}"
        if args.without_ninja:
            assert product_code_detail(pk).json() == one, f"detail {pk}: the product's code differs from its route"
    print(f"  same rows and fields from the three at {len(probes)} cursors and ids", file=sys.stderr)

    # -- queries of one request ----------------------------------------------------------------
    middle = ids[len(ids) // 2]
    queries = {}
    for name, call, arg in [
        ("product list", product_list, middle),
        ("floor list", floor_list, middle),
        ("DRF list", drf_list, middle),
        ("product detail", product_detail, middle),
        ("floor detail", floor_detail, middle),
        ("DRF detail", drf_detail, middle),
    ]:
        call(arg)  # so the product's once-a-minute last_used write is not the one counted
        queries[name] = harness.queries_of(lambda call=call, arg=arg: call(arg))

    # -- interleaved timing ----------------------------------------------------------------------
    total = args.runs + 3  # the harness warms each call 3 times
    cursors = [rng.choice(ids[: -PAGE - 1]) for _ in range(total)]
    picks = [rng.choice(ids) for _ in range(total)]

    def each(call: Callable[[int], Any], values: list[int]) -> Callable[[], Any]:
        feed = itertools.cycle(values)  # every stack gets the same cursors and ids, in the same order
        return lambda: call(next(feed))

    stacks = {
        "product list": each(product_list, cursors),
        "floor list": each(floor_list, cursors),
        "DRF list": each(drf_list, cursors),
        "product detail": each(product_detail, picks),
        "floor detail": each(floor_detail, picks),
        "DRF detail": each(drf_detail, picks),
    }
    if args.without_ninja:
        stacks["product code detail"] = each(product_code_detail, picks)
    samples = harness.interleave(stacks, runs=args.runs)

    for what, label in (("list", f"engagements list, page of {PAGE}"), ("detail", "engagement detail")):
        product, floor, drf = (harness.p95(samples[f"{who} {what}"]) for who in ("product", "floor", "DRF"))
        to_floor, drf_ratio = product / floor, drf / product
        measured = " · ".join(
            f"{who} p95 {harness.p95(samples[f'{who} {what}']):.2f} ms "
            f"(p50 {harness.p50(samples[f'{who} {what}']):.2f}, {queries[f'{who} {what}']} q)"
            for who in ("product", "floor", "DRF")
        )
        run.add(
            f"{label} at {len(ids):,} engagements",
            budget=f"p95 ≤ {RATIO_TO_FLOOR:g}× floor, DRF ≥ {DRF_SLOWER:g}× product",
            measured=measured,
            ratio=f"{to_floor:.2f}× floor; DRF {drf_ratio:.2f}× product",
            met=to_floor <= RATIO_TO_FLOOR and drf_ratio >= DRF_SLOWER,
        )
    if args.without_ninja:
        code, floor = harness.p95(samples["product code detail"]), harness.p95(samples["floor detail"])
        run.add(
            "engagement detail, the product's code without ninja's operation (diagnostic)",
            budget="none (reported)",
            measured=f"p95 {code:.2f} ms (p50 {harness.p50(samples['product code detail']):.2f})",
            ratio=f"{code / floor:.2f}× floor",
            met=True,
        )
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())
