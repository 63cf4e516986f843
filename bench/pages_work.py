"""Benchmark SPEC §6 P6 for the work pages: every page of engagements, time, managers,
offboarding and tasks (and the dashboard) at 100,000 freelancers and 100,000 engagements.

    python bench/pages_work.py --db sqlite --scale 0.05 --runs 20     # a quick try
    python bench/pages_work.py --db postgres                          # the budget (scale 1)

On the standard dataset (`harness.standard_data`: `sourcewise generate` with the work inside
20,000 engagements: milestones, checkpoint reviews, hours waiting for approval, offboardings),
through Django's test client with the production settings, as the owner and again as a
manager (the one with the most active engagements; an engagement page opens one they
manage):

- the dashboard (the stored findings),
- the engagements list: first page, each state filter, the search, a late page (the 50th,
  reached by following the page's own "Next" link, with a filter when one is set),
- an engagement's page (a random id each request),
- hours to approve (first and a late page), the managers list and one manager's page,
- offboarding: the list, an offboarding's page (a random one each request) and the ranked
  replacements it then loads for a handover still open (htmx; the G3 match ranking),
- the tasks list, a task's page (random), the outsourcing map.

Each row: p95 over --runs GETs, the queries of one request, the size served. Before timing,
what the pages show is checked against SQL: the hours to approve a manager sees are exactly
those of the engagements they manage, a state filter lists only that state, the map's
monthly hours are the sum of the tasks' hours.
Budget: p95 ≤ 150 ms and ≤ 15 queries per page. Exits 1 on any miss.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from html import unescape
from typing import Any

import harness

NEXT = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>\s*Next')
LATE_PAGE = 50


def follow_next(client: Any, url: str, pages: int) -> str:
    """The URL of page `pages` reached as a person does: following the page's "Next" link."""
    for _ in range(pages - 1):
        response = client.get(url)
        found = NEXT.search(response.content.decode())
        if not found:
            break  # fewer pages than that (a small scale): the last one
        href = unescape(found.group(1))
        url = href if href.startswith("/") else url.split("?", 1)[0] + href
    return url


def chooser(ids: list[int], rng: random.Random, pattern: str) -> Callable[[], str]:
    if not ids:
        raise SystemExit(f"no rows for {pattern}: the generated data lacks them")
    return lambda: pattern.format(rng.choice(ids))


def check_results(workspace_id: int, owner: Any, manager: Any) -> None:
    """What the pages show is what the data says (before any timing)."""
    from decimal import Decimal

    from django.db.models import Sum

    from sourcewise.engagements.models import Engagement, TimeEntry
    from sourcewise.tasks.models import Task

    client = harness.signed_in(manager.user)
    page = client.get("/engagements/time/").content.decode()
    shown = {int(pk) for pk in re.findall(r'name="entries" value="(\d+)"', page)}
    mine = set(
        TimeEntry.objects.filter(
            workspace_id=workspace_id, status=TimeEntry.Status.SUBMITTED, engagement__manager=manager
        ).values_list("pk", flat=True)
    )
    assert shown, "a manager sees hours to approve"
    assert shown <= mine, "a manager's hours to approve must be those of their engagements"
    client = harness.signed_in(owner.user)
    page = client.get("/engagements/?state=terminated").content.decode()
    ids = {int(pk) for pk in re.findall(r'href="/engagements/(\d+)/"', page)}
    states = set(Engagement.objects.filter(pk__in=ids).values_list("state", flat=True))
    assert ids, "the state filter lists engagements"
    assert states == {"terminated"}, f"the state filter listed {states}"
    page = client.get("/tasks/map/").content.decode()
    monthly = Task.objects.filter(
        workspace_id=workspace_id, archived_at__isnull=True, frequency=Task.Frequency.RECURRING
    )
    total = monthly.aggregate(h=Sum("hours"))["h"] or Decimal(0)
    outsourced = monthly.filter(sourcing=Task.Sourcing.OUTSOURCE).aggregate(h=Sum("hours"))["h"] or Decimal(0)
    found = re.search(r"outsourced ([\d.]+) of ([\d.]+) h/month", page)
    assert found, "the map shows its monthly hours"
    assert (Decimal(found[1]), Decimal(found[2])) == (outsourced, total), (
        f"the map must show {outsourced} of {total} monthly hours, not {found and found.groups()}"
    )


def main() -> int:
    args = harness.arguments(__doc__).parse_args()
    run = harness.Run("P6 pages (work)", db=args.db)
    url, info = harness.standard_data(args.db, args.scale)
    harness.setup_django(url)
    from django.db.models import Count, Q

    from sourcewise.core.access import MANAGER, OWNER
    from sourcewise.engagements.models import Engagement, Handover, Offboarding
    from sourcewise.tasks.models import Task
    from sourcewise.workspaces.models import Membership

    workspace_id = info["workspace_id"]
    owner = Membership.objects.select_related("user").get(workspace_id=workspace_id, role=OWNER)
    # The manager with the most active engagements (the heaviest of them; some have none).
    manager = (
        Membership.objects.select_related("user")
        .filter(workspace_id=workspace_id, role=MANAGER)
        .annotate(active=Count("managed_engagements", filter=Q(managed_engagements__state="active")))
        .order_by("-active", "pk")
        .first()
    )
    assert manager is not None
    check_results(workspace_id, owner, manager)
    rng = random.Random(14)
    tasks = list(Task.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    offboardings = list(Offboarding.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    open_handovers = list(
        Handover.objects.filter(workspace_id=workspace_id).exclude(status="done").values_list("pk", flat=True)
    )

    for who, member in (("owner", owner), ("manager", manager)):
        client = harness.signed_in(member.user)
        engagements = Engagement.objects.filter(workspace_id=workspace_id)
        if who == "manager":
            engagements = engagements.filter(manager=member)
        ids = list(engagements.values_list("pk", flat=True))
        pages: list[tuple[str, Callable[[], str]]] = [
            ("dashboard", lambda: "/dashboard/"),
            ("engagements", lambda: "/engagements/"),
        ]
        for state in Engagement.State.values:
            pages.append((f"engagements, state {state}", lambda s=state: f"/engagements/?state={s}"))  # type: ignore[misc]
        late = follow_next(client, "/engagements/", LATE_PAGE)
        late_active = follow_next(client, "/engagements/?state=active", LATE_PAGE)
        late_hours = follow_next(client, "/engagements/time/", LATE_PAGE)
        pages += [
            ("engagements, search", lambda: "/engagements/?q=Freelancer+0001"),
            ("engagements, broad search", lambda: "/engagements/?q=Task+00"),
            (f"engagements, page {LATE_PAGE}", lambda u=late: u),  # type: ignore[misc]
            (f"engagements active, page {LATE_PAGE}", lambda u=late_active: u),  # type: ignore[misc]
            ("engagement page", chooser(ids, rng, "/engagements/{}/")),
            ("hours to approve", lambda: "/engagements/time/"),
            (f"hours to approve, page {LATE_PAGE}", lambda u=late_hours: u),  # type: ignore[misc]
            ("managers", lambda: "/engagements/managers/"),
            ("a manager's page", lambda: f"/engagements/managers/{manager.pk}/"),
            ("offboarding", lambda: "/engagements/offboarding/"),
            ("an offboarding", chooser(offboardings, rng, "/engagements/offboarding/{}/")),
            # What the offboarding page loads next for a handover still open (htmx): its ranking.
            ("a handover's ranked replacements", chooser(open_handovers, rng, "/engagements/handovers/{}/candidates/")),
            ("tasks", lambda: "/tasks/"),
            ("a task", chooser(tasks, rng, "/tasks/{}/")),
            ("outsourcing map", lambda: "/tasks/map/"),
        ]
        for name, urls in pages:
            harness.check_page(run, f"{name} ({who})", client, urls, runs=args.runs)
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())
