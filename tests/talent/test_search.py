"""Finding freelancers (talent.search): each filter alone and combined, scoping, overlap with
daylight saving, keyset pages, query counts — on the page and the API list alike."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from sourcewise.talent.models import Freelancer
from sourcewise.talent.overlap import Schedule, business_schedule, freelancer_schedule, overlap_for
from sourcewise.talent.search import (
    FreelancerSearch,
    levels_at_least,
    page_by_name,
    schedule_of_key,
    schedules_meeting,
    search_freelancers,
)
from tests.talent.factories import SkillFactory
from tests.talent.helpers import freelancer
from tests.workspaces.factories import WorkspaceFactory

MONDAY = datetime.date(2026, 2, 2)


def found(workspace, today=MONDAY, **filters):
    queryset = search_freelancers(
        Freelancer.objects.all(), FreelancerSearch(**filters), workspace=workspace, today=today
    )
    return sorted(queryset.values_list("name", flat=True))


@pytest.fixture
def people(workspace):
    """A small network in a London workspace (09:00–17:00, Monday to Friday)."""
    copy = SkillFactory(workspace=workspace, name="Copywriting")
    seo = SkillFactory(workspace=workspace, name="SEO")
    freelancer(workspace, name="Ana Reyes", email="ana@reyes.ph", country="PH", zone="Asia/Manila",
               status="approved", skills={copy: 4}, languages={"en": "C1", "tl": "C2"})  # fmt: skip
    freelancer(workspace, name="Bram Visser", email="bram@example.nl", country="NL", zone="Europe/Amsterdam",
               status="active", skills={copy: 2, seo: 5}, languages={"en": "B2", "nl": "C2"})  # fmt: skip
    freelancer(workspace, name="Carla Mendes", email="carla@mendes.pt", country="PT", zone="Europe/Lisbon",
               status="prospect", skills={seo: 3}, languages={"pt": "C2", "en": "A2"})  # fmt: skip
    freelancer(workspace, name="Dev Anand", email="dev@anand.in", country="IN", zone="Asia/Kolkata",
               status="approved", hours=("10:00", "18:00"), skills={copy: 5}, languages={"en": "C2"})  # fmt: skip
    return {"copy": copy, "seo": seo}


def test_no_filter_lists_everyone(workspace, people):
    assert found(workspace) == ["Ana Reyes", "Bram Visser", "Carla Mendes", "Dev Anand"]


def test_name_search_finds_parts_of_names_and_emails_in_any_case(workspace, people):
    assert found(workspace, q="ANA") == ["Ana Reyes", "Dev Anand"]
    assert found(workspace, q="isse") == ["Bram Visser"]
    assert found(workspace, q="mendes.pt") == ["Carla Mendes"]
    assert found(workspace, q="  reyes ") == ["Ana Reyes"]
    assert found(workspace, q="nobody") == []


def test_skill_with_a_minimum_level(workspace, people):
    copy, seo = people["copy"].pk, people["seo"].pk
    assert found(workspace, skill=copy) == ["Ana Reyes", "Bram Visser", "Dev Anand"]
    assert found(workspace, skill=copy, skill_level=4) == ["Ana Reyes", "Dev Anand"]
    assert found(workspace, skill=seo, skill_level=5) == ["Bram Visser"]


def test_language_with_a_minimum_level(workspace, people):
    assert levels_at_least("C1") == ["C1", "C2"] and len(levels_at_least("")) == 6
    assert found(workspace, language="en") == ["Ana Reyes", "Bram Visser", "Carla Mendes", "Dev Anand"]
    assert found(workspace, language="en", language_level="C1") == ["Ana Reyes", "Dev Anand"]
    assert found(workspace, language="EN", language_level="B2") == ["Ana Reyes", "Bram Visser", "Dev Anand"]
    assert found(workspace, language="nl", language_level="C2") == ["Bram Visser"]


def test_country_and_status(workspace, people):
    assert found(workspace, country="pt") == ["Carla Mendes"]
    assert found(workspace, status="approved") == ["Ana Reyes", "Dev Anand"]


def test_minimum_overlap_matches_the_profiles_overlap(workspace, people):
    business = business_schedule(workspace)
    expected = sorted(
        f.name
        for f in Freelancer.objects.filter(workspace=workspace)
        if overlap_for(business, freelancer_schedule(f), MONDAY).at_least(Decimal(4))
    )
    assert expected == ["Bram Visser", "Carla Mendes"]  # Manila and Kolkata share less than 4 h with London
    assert found(workspace, min_overlap=Decimal(4)) == expected
    assert found(workspace, min_overlap=Decimal("3.5")) == ["Bram Visser", "Carla Mendes", "Dev Anand"]  # Manila: none
    assert found(workspace, min_overlap=Decimal(0)) == found(workspace)  # 0 filters nothing


def test_overlap_exactly_at_the_minimum_counts(workspace):
    freelancer(workspace, name="Exact", zone="Europe/London", hours=("14:00", "20:00"))  # 3 h with 09–17
    assert found(workspace, min_overlap=Decimal(3)) == ["Exact"]
    assert found(workspace, min_overlap=Decimal("3.1")) == []


def test_overlap_follows_daylight_saving_on_the_real_calendar(workspace):
    """Toronto 09–17 shares 3 h with London 09–17, but 4 h in the weeks between North America's clock
    change (8 March 2026) and Britain's (29 March): the 28-day average from 9 March is above 3.5."""
    freelancer(workspace, name="Toronto", country="CA", zone="America/Toronto")
    february, march = datetime.date(2026, 2, 2), datetime.date(2026, 3, 9)
    business = business_schedule(workspace)
    schedule = Schedule.of("America/Toronto", datetime.time(9), datetime.time(17), [0, 1, 2, 3, 4])
    assert overlap_for(business, schedule, february).hours == 3
    assert overlap_for(business, schedule, march).at_least(Decimal("3.5"))
    assert found(workspace, today=february, min_overlap=Decimal("3.5")) == []
    assert found(workspace, today=march, min_overlap=Decimal("3.5")) == ["Toronto"]
    assert found(workspace, today=february, min_overlap=Decimal(3)) == ["Toronto"]


def test_shifts_across_midnight_and_weekend_days(workspace):
    freelancer(workspace, name="Night", zone="Asia/Manila", hours=("22:00", "06:00"))  # 14:00–22:00 London
    freelancer(workspace, name="Weekend", zone="Europe/London", days=(5, 6))
    assert found(workspace, min_overlap=Decimal(3)) == ["Night"]


def test_schedule_key_is_kept_by_the_database_on_every_write(workspace):
    f = freelancer(workspace, name="Key", zone="Asia/Manila", hours=("09:30", "17:00"), days=(0, 2))
    key = Freelancer.objects.values_list("schedule_key", flat=True).get(pk=f.pk)
    assert schedule_of_key(key) == freelancer_schedule(f)
    Freelancer.objects.filter(pk=f.pk).update(timezone="Asia/Tokyo", work_days=[1])  # a bulk write
    f.refresh_from_db()
    key = Freelancer.objects.values_list("schedule_key", flat=True).get(pk=f.pk)
    assert schedule_of_key(key) == freelancer_schedule(f) and schedule_of_key(key).zone == "Asia/Tokyo"
    Freelancer.objects.bulk_create([Freelancer(workspace=workspace, name="Bulk", email="b@x.org", country="PH",
                                               timezone="Asia/Manila")])  # fmt: skip
    assert schedule_of_key(Freelancer.objects.values_list("schedule_key", flat=True).get(name="Bulk")) == Schedule.of(
        "Asia/Manila", datetime.time(9), datetime.time(17), [0, 1, 2, 3, 4]
    )


def test_schedules_meeting_reads_each_schedule_once(workspace, django_assert_num_queries):
    for i in range(5):
        freelancer(workspace, name=f"Same {i}", zone="Europe/Lisbon")
    with django_assert_num_queries(1):
        keys = schedules_meeting(workspace, Decimal(4), MONDAY)
    assert len(keys) == 1


def test_filters_combine(workspace, people):
    copy = people["copy"].pk
    assert found(workspace, skill=copy, language="en", language_level="C1") == ["Ana Reyes", "Dev Anand"]
    assert found(workspace, skill=copy, language="en", language_level="C1", country="IN") == ["Dev Anand"]
    assert found(workspace, q="a", skill=copy, min_overlap=Decimal(4)) == ["Bram Visser"]
    assert found(workspace, q="a", skill=copy, min_overlap=Decimal(4), status="approved") == []
    everything = {"q": "bram", "status": "active", "skill": copy, "skill_level": 2, "language": "nl",
                  "language_level": "C1", "country": "NL", "min_overlap": Decimal(5)}  # fmt: skip
    assert found(workspace, **everything) == ["Bram Visser"]


def test_another_workspaces_people_never_appear(workspace, people):
    other = WorkspaceFactory()
    theirs = SkillFactory(workspace=other, name="Copywriting")
    freelancer(other, name="Ana Other", country="PH", skills={theirs: 5})
    assert "Ana Other" not in found(workspace, q="ana")
    assert found(workspace, skill=theirs.pk) == []  # another workspace's skill finds nobody
    assert found(workspace, min_overlap=Decimal(1), q="other") == []


def test_keyset_pages_follow_each_other_without_gaps(workspace):
    for i in range(7):
        freelancer(workspace, name=f"Person {i % 3}", email=f"p{i}@example.org")
    queryset = Freelancer.objects.filter(workspace=workspace)
    seen, after = [], None
    while True:
        page = page_by_name(queryset, after, size=3)
        seen += [f.pk for f in page]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == list(queryset.order_by("name", "id").values_list("pk", flat=True))


# -- the page ---------------------------------------------------------------------------------


def test_page_filters_and_pages_with_a_fixed_number_of_queries(owner_client, owner, django_assert_max_num_queries):
    workspace = owner.workspace
    copy = SkillFactory(workspace=workspace, name="Copywriting")
    for i in range(60):
        freelancer(workspace, name=f"Person {i:02}", zone="Europe/Lisbon" if i % 2 else "Asia/Manila",
                   skills={copy: 1 + i % 5}, languages={"en": "C1" if i % 3 else "B1"})  # fmt: skip
    with django_assert_max_num_queries(12):
        body = owner_client.get("/talent/freelancers/").content.decode()
    assert "Person 00" in body and "Person 49" in body and "Person 50" not in body and "Next →" in body
    last = Freelancer.objects.get(name="Person 49")
    second = owner_client.get(f"/talent/freelancers/?after={last.pk}").content.decode()
    assert "Person 50" in second and "Person 59" in second and "Person 49" not in second
    assert "Next →" not in second and "First page" in second
    url = f"/talent/freelancers/?q=person&skill={copy.pk}&skill_level=4&language=en&language_level=C1&min_overlap=4"
    with django_assert_max_num_queries(12):
        body = owner_client.get(url).content.decode()
    expected = [f"Person {i:02}" for i in range(60) if i % 2 and 1 + i % 5 >= 4 and i % 3]
    assert expected and all(name in body for name in expected)
    assert "Person 00" not in body and "Person 02" not in body
    # The filters show what was chosen (selects written by core.forms.FormRenderer).
    for chosen in (f'value="{copy.pk}" selected', 'value="4" selected', 'value="en" selected', 'value="C1" selected'):
        assert chosen in body, chosen
    assert 'name="country" aria-label="Country"' in body and '<option value="" selected>Any country</option>' in body


def test_page_drops_a_bad_filter_and_keeps_the_others(owner_client, owner):
    freelancer(owner.workspace, name="Kept", country="PH")
    body = owner_client.get("/talent/freelancers/?country=PH&min_overlap=lots&skill=999999").content.decode()
    assert "Kept" in body and '<option value="PH" selected>' in body


def test_page_fragment_for_htmx(owner_client, owner):
    freelancer(owner.workspace, name="Person 07")
    freelancer(owner.workspace, name="Person 08")
    fragment = owner_client.get("/talent/freelancers/?q=Person 07", headers={"HX-Request": "true"}).content.decode()
    assert "Person 07" in fragment and "Person 08" not in fragment and "<html" not in fragment


def test_freelancers_cannot_search(freelancer_client):
    assert freelancer_client.get("/talent/freelancers/?q=a").status_code in (302, 403, 404)


# -- the API list -----------------------------------------------------------------------------


def test_api_list_takes_the_same_filters(client, owner, owner_api, people, django_assert_max_num_queries):
    copy = people["copy"].pk
    with django_assert_max_num_queries(10):
        response = client.get(
            "/api/v1/freelancers",
            {"skill": copy, "skill_level": 4, "language": "en", "language_level": "C1"},
            headers=owner_api,
        )
    assert response.status_code == 200, response.content
    assert sorted(f["name"] for f in response.json()["items"]) == ["Ana Reyes", "Dev Anand"]
    with time_machine.travel(datetime.datetime(2026, 2, 2, 12, tzinfo=datetime.UTC)):
        names = [
            f["name"] for f in client.get("/api/v1/freelancers?min_overlap=4&q=a", headers=owner_api).json()["items"]
        ]
    assert sorted(names) == ["Bram Visser", "Carla Mendes"]
    assert client.get("/api/v1/freelancers?language_level=Z9", headers=owner_api).status_code == 422
    first = client.get("/api/v1/freelancers?limit=2&skill=" + str(copy), headers=owner_api).json()
    rest = client.get(f"/api/v1/freelancers?limit=2&skill={copy}&cursor={first['next_cursor']}", headers=owner_api)
    assert len(first["items"]) + len(rest.json()["items"]) == 3


# -- the other talent pages: bounded queries ---------------------------------------------------


def test_profile_page_reads_languages_and_portal_status_with_the_row(
    owner_client, owner, django_assert_max_num_queries
):
    from sourcewise.workspaces.services import invite

    f = freelancer(owner.workspace, name="Profiled", languages={"en": "C1", "tl": "C2"}, hourly_rate=Decimal("20"),
                   rate_currency="USD")  # fmt: skip
    invite(workspace=owner.workspace, inviter=owner.user, email="profiled@example.org", role="freelancer",
           freelancer=f)  # fmt: skip
    owner_client.get(f"/talent/freelancers/{f.pk}/")  # the findings' first read after the writes refreshes them
    with django_assert_max_num_queries(15):
        body = owner_client.get(f"/talent/freelancers/{f.pk}/").content.decode()
    assert "English C1" in body and "C2" in body and "profiled@example.org" in body


def test_board_bench_and_skills_pages_have_bounded_queries(owner_client, owner, django_assert_max_num_queries):
    workspace = owner.workspace
    copy = SkillFactory(workspace=workspace, name="Copywriting")
    SkillFactory(workspace=workspace, name="Lonely")
    for i in range(40):
        freelancer(workspace, name=f"B{i:02}", status=["approved", "vetting", "prospect", "active"][i % 4],
                   skills={copy: 3 + i % 3})  # fmt: skip
    for url, marker in (("/talent/board/", "B00"), ("/talent/bench/?show=all", "Copywriting"),
                        ("/talent/bench/", "Lonely"), ("/talent/skills/", "Copywriting")):  # fmt: skip
        owner_client.get(url)  # the findings' first read after the writes refreshes them
        with django_assert_max_num_queries(12):
            body = owner_client.get(url).content.decode()
        assert marker in body, url
    bench = owner_client.get("/talent/bench/?show=all").content.decode()
    assert bench.index("Lonely") < bench.index("Copywriting")  # thinnest first: 0 before 20
    assert "Copywriting" not in owner_client.get("/talent/bench/").content.decode()  # 20 deep: not thin
