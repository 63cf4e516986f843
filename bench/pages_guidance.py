"""P6 (SPEC §6) for the guidance, workspace and portal pages: p95 ≤ 150 ms and ≤ 15 queries each.

    python bench/pages_guidance.py --db sqlite --scale 0.05 --runs 30   # a quick try
    python bench/pages_guidance.py --db postgres                        # what `make bench` judges

On the standard dataset (harness.STANDARD: 100,000 freelancers and engagements, 200,000
audit rows, with the SOPs, documents, pulses, training and portal logins of
`demo/generate_guidance.py`), through Django's test client with the production settings:

- as the owner: the SOPs list (later pages too), an SOP's page and a version page (random
  ones), the documents overview (random pages) and a freelancer's documents page, the pulse
  list (the newest month, and random pages of random months), the training list and a
  member's training page, the audit log (its first page, each filter it offers, and older
  pages reached by its keyset links), the members list (random pages) and the settings;
- as a freelancer signed in to the portal (the generated login, who has engagements): the
  portal home, an SOP to read, their documents and the pulse.

Each row: p95 over --runs GETs (a new URL each time where it varies), the queries of one
request, the size served. Exits 1 when any page misses its budget.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness


def main() -> int:
    args = harness.arguments(__doc__).parse_args()
    run = harness.Run("P6 pages (guidance, audit, portal)", db=args.db)
    url, info = harness.standard_data(args.db, args.scale)
    harness.setup_django(url)

    from django.db.models import Count

    from sourcewise.audit.models import AuditEvent
    from sourcewise.core.access import INTERNAL, OWNER
    from sourcewise.core.pagination import PAGE_SIZE
    from sourcewise.demo.generate_guidance import portal_user
    from sourcewise.guidance import selectors
    from sourcewise.guidance.models import SOP, PulseResponse, SOPVersion
    from sourcewise.talent.models import Freelancer
    from sourcewise.workspaces.models import Membership

    workspace_id = info["workspace_id"]
    rng = random.Random(14)
    owner = Membership.objects.select_related("user").get(workspace_id=workspace_id, role=OWNER).user
    internal = list(
        Membership.objects.filter(workspace_id=workspace_id, role__in=INTERNAL).values_list("pk", flat=True)
    )
    sops = list(SOP.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    versions = list(SOPVersion.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    with_login = list(
        Freelancer.objects.filter(workspace_id=workspace_id, user__isnull=False).values_list("pk", flat=True)
    )
    events = AuditEvent.objects.filter(workspace_id=workspace_id)
    first_event, last_event = events.order_by("id").values_list("id", flat=True)[:1][0], events.latest("id").id
    members = Membership.objects.filter(workspace_id=workspace_id).count()
    counts = info["counts"]
    print(f"  data: {counts}", file=sys.stderr)

    def pages(rows: int) -> int:
        return max(1, -(-rows // PAGE_SIZE))

    def any_page(path: str, rows: int) -> callable:  # type: ignore[valid-type]
        return lambda: f"{path}?page={rng.randint(1, pages(rows))}"

    def older(path: str, query: str = "") -> callable:  # type: ignore[valid-type]
        # An older page of the audit log, as its "Older" link names it (the id it continues below).
        return lambda: f"{path}?{query}before={rng.randint(first_event, last_event)}"

    answered = list(
        PulseResponse.objects.filter(workspace_id=workspace_id)
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )

    def pulse_pages() -> str:
        month, n = rng.choice(answered)
        return f"/guidance/pulse/?month={month:%Y-%m}&page={rng.randint(1, pages(n))}"

    owner_client = harness.signed_in(owner)
    checks = [
        ("SOPs list", lambda: "/guidance/sops/"),
        ("SOPs list, later pages", any_page("/guidance/sops/", len(sops))),
        ("an SOP's page", lambda: f"/guidance/sops/{rng.choice(sops)}/"),
        ("an SOP version's page", lambda: f"/guidance/sop-versions/{rng.choice(versions)}/"),
        ("documents overview", any_page("/guidance/documents/", len(with_login))),
        ("a freelancer's documents", lambda: f"/guidance/documents/freelancers/{rng.choice(with_login)}/"),
        ("pulse answers (the newest month)", lambda: "/guidance/pulse/"),
        ("pulse answers, earlier months, later pages", pulse_pages),
        ("training list", lambda: "/guidance/training/"),
        ("a member's training", lambda: f"/guidance/training/{rng.choice(internal)}/"),
        ("audit log", lambda: "/audit/"),
        ("audit log, older pages", older("/audit/")),
        ("audit log, filter: a frequent kind (time)", lambda: "/audit/?action=time"),
        ("audit log, filter: a rare kind (permission), older pages", older("/audit/", "action=permission&")),
        ("audit log, filter: one action (sop.version)", lambda: "/audit/?action=sop.version"),
        ("audit log, filter: an action nobody did", lambda: "/audit/?action=nothing.here"),
        ("members", lambda: "/workspaces/members/"),
        ("members, later pages", any_page("/workspaces/members/", members)),
        ("settings", lambda: "/workspaces/settings/"),
    ]
    for name, urls in checks:
        harness.check_page(run, name, owner_client, urls, runs=args.runs)

    person = portal_user(workspace_id)
    profile = Freelancer.objects.get(workspace_id=workspace_id, user=person)
    theirs = list(selectors.sops_for_freelancer(profile).values_list("pk", flat=True))
    assert theirs, "the generated portal login has no SOP to read"
    print(f"  portal login: {person.email} (freelancer #{profile.pk}, {len(theirs)} SOPs)", file=sys.stderr)
    portal = harness.signed_in(person)
    for name, urls in [
        ("portal home", lambda: "/portal/"),
        ("portal: an SOP to read", lambda: f"/portal/sops/{rng.choice(theirs)}/"),
        ("portal: documents", lambda: "/portal/documents/"),
        ("portal: pulse", lambda: "/portal/pulse/"),
    ]:
        harness.check_page(run, name, portal, urls, runs=args.runs)
    return run.finish()


if __name__ == "__main__":
    sys.exit(main())
