from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.talent.factories import SkillFactory
from tests.talent.helpers import freelancer, vet


def test_board_shows_every_status_in_constant_queries(owner_client, owner):
    counts = []
    for batch in (2, 20):
        for i in range(batch):
            vet(
                freelancer(
                    owner.workspace, status=["prospect", "vetting", "approved", "active"][i % 4], name=f"B{batch}-{i}"
                )
            )
        with CaptureQueriesContext(connection) as queries:
            body = owner_client.get("/talent/board/").content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    for label in ("Prospect", "Vetting", "Approved", "Rejected", "Active", "Inactive", "Left"):
        assert f'aria-label="{label}"' in body


def test_board_moves_a_card_with_htmx(owner_client, owner):
    f = freelancer(owner.workspace, status="prospect", name="Mover")
    fragment = owner_client.post(
        f"/talent/freelancers/{f.pk}/status/", {"status": "vetting", "from": "board"}, headers={"HX-Request": "true"}
    ).content.decode()
    f.refresh_from_db()
    assert f.status == "vetting" and 'id="board"' in fragment and "<html" not in fragment


def test_bench_page_shows_thin_skills_at_the_bench_level(owner_client, owner):
    deep, one, none = (SkillFactory(workspace=owner.workspace, name=n) for n in ("Deep", "One", "None"))
    for _ in range(2):
        vet(freelancer(owner.workspace, status="approved", skills={deep: 3}))
    vet(freelancer(owner.workspace, status="active", skills={one: 3, none: 2}))
    body = owner_client.get("/talent/bench/").content.decode()
    assert 'data-skill="One"' in body and 'data-skill="None"' in body and 'data-skill="Deep"' not in body
    assert 'data-skill="Deep"' in owner_client.get("/talent/bench/?show=all").content.decode()


def test_profile_page_shows_overlap_timeline_and_steps(owner_client, owner):
    f = freelancer(owner.workspace, status="vetting", zone="Asia/Kolkata", hours=("10:00", "19:00"))
    body = owner_client.get(f"/talent/freelancers/{f.pk}/").content.decode()
    assert 'data-testid="overlap"' in body and "<svg" in body and 'class="tl-overlap"' in body
    assert "0 of the 2 references needed" in body


def test_a_long_column_shows_its_first_cards_and_links_to_all_of_them(owner_client, owner):
    from sourcewise.talent.views import BOARD_COLUMN_SIZE

    for i in range(BOARD_COLUMN_SIZE + 3):
        freelancer(owner.workspace, status="prospect", name=f"P{i:02}")
    freelancer(owner.workspace, status="vetting", name="V00")
    body = owner_client.get("/talent/board/").content.decode()
    prospects = body.split('data-status="prospect"', 1)[1].split("</section>", 1)[0]
    assert prospects.count('class="board-card"') == BOARD_COLUMN_SIZE
    assert f"P{BOARD_COLUMN_SIZE - 1:02}" in prospects and f"P{BOARD_COLUMN_SIZE:02}" not in prospects  # by name
    assert f'href="/talent/freelancers/?status=prospect">All {BOARD_COLUMN_SIZE + 3} in this column' in prospects
    vetting = body.split('data-status="vetting"', 1)[1].split("</section>", 1)[0]
    assert vetting.count('class="board-card"') == 1 and "column-more" not in vetting
