"""Goals: what counts towards them, their monthly series, projection and verdict, and how an
administrator defines them (and is refused bad ones)."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from certification import api
from certification.goals.selectors import goal_progress
from certification.goals.services import goal_create
from certification.lifecycle.services import certificate_revoke
from certification.models import Certificate, CertificationLevel, Goal, Track
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.certification.records import certificate_record, holder_record
from tests.factories import UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db

D = datetime.date
BROKER_LEVELS = ("junior_broker", "intermediate_broker", "senior_manager")
START, DEADLINE = D(2024, 1, 1), D(2027, 12, 31)


def goal(
    levels=BROKER_LEVELS,
    tracks=(),
    *,
    target=10,
    measure=Goal.Measure.EVER,
    province="",
    start=START,
    deadline=DEADLINE,
):
    """A goal written straight to the database: past deadlines are allowed here on purpose."""
    made = Goal.objects.create(
        name="测试目标",
        source="测试规划",
        target=target,
        measure=measure,
        province=province,
        start_date=start,
        deadline=deadline,
    )
    made.levels.set(CertificationLevel.objects.filter(code__in=levels))
    made.tracks.set(Track.objects.filter(code__in=tracks))
    return made


def person(province="44", **fields):
    return holder_record(province, **fields)


def series(progress):
    return [(point.day, point.people) for point in progress.series]


# -- what counts -----------------------------------------------------------------------------


def test_a_person_with_two_certificates_counts_once():
    twice, once = person(), person()
    certificate_record(twice, "junior_broker", issued_on=D(2024, 2, 1))
    certificate_record(twice, "intermediate_broker", issued_on=D(2025, 3, 1))
    certificate_record(once, "junior_broker", issued_on=D(2024, 5, 1))
    today = D(2025, 6, 1)
    assert Certificate.objects.count() == 3
    for measure in Goal.Measure.values:
        assert goal_progress(goal(measure=measure), today=today).people == 2


def test_a_provincial_goal_counts_the_people_of_its_province_only():
    for province in ("44", "44", "51"):
        certificate_record(person(province), issued_on=D(2024, 3, 1))
    today = D(2024, 6, 1)
    assert goal_progress(goal(province="44"), today=today).people == 2
    assert goal_progress(goal(province="51"), today=today).people == 1
    assert goal_progress(goal(province="11"), today=today).people == 0
    assert goal_progress(goal(), today=today).people == 3


def test_only_the_goals_levels_or_tracks_count():
    broker, registrar = person(), person()
    certificate_record(broker, "junior_broker", issued_on=D(2024, 3, 1))
    certificate_record(registrar, "contract_registrar", issued_on=D(2024, 3, 1))
    today = D(2024, 6, 1)
    assert goal_progress(goal(), today=today).people == 1
    assert goal_progress(goal(levels=("senior_manager",)), today=today).people == 0
    assert goal_progress(goal(levels=(), tracks=("registrar",)), today=today).people == 1
    # A track brings every level in it; a level chosen as well is not counted twice.
    both = goal(levels=("junior_broker",), tracks=("broker", "registrar"))
    assert goal_progress(both, today=today).people == 2


def test_revoked_and_expired_certificates_count_for_ever_only():
    body = certifying_body("GD")
    desk = certifier(body)
    revoked = issued_certificate(person(real_name="撤销者"), body, desk)
    certificate_revoke(certificate_id=revoked.pk, actor=desk, reason="材料不实")
    # Expired by date, before and after the nightly sweep marks it.
    certificate_record(person(), issued_on=D(2020, 1, 1), valid_until=D(2022, 12, 31))
    certificate_record(
        person(), issued_on=D(2020, 1, 1), valid_until=D(2022, 12, 31), status="expired"
    )
    certificate_record(person(), issued_on=D(2024, 1, 1), valid_until=None)
    # Someone still being issued counts for nothing yet.
    certificate_record(person(), issued_on=timezone.localdate(), status="pending")

    today = timezone.localdate()
    ever = goal_progress(goal(start=D(2020, 1, 1)), today=today)
    valid = goal_progress(goal(start=D(2020, 1, 1), measure="valid"), today=today)
    assert ever.people == 4
    assert valid.people == 1


# -- the monthly series ----------------------------------------------------------------------


def test_the_series_counts_people_at_each_month_end_up_to_today():
    a, b, c = person(), person(), person()
    certificate_record(a, issued_on=D(2023, 6, 1))  # before the goal's start: still counts
    certificate_record(b, issued_on=D(2024, 2, 10))
    certificate_record(b, "intermediate_broker", issued_on=D(2024, 3, 5))  # b again
    certificate_record(c, issued_on=D(2024, 4, 9))
    certificate_record(person(), issued_on=D(2024, 4, 20))  # after today
    progress = goal_progress(goal(start=D(2024, 1, 15)), today=D(2024, 4, 10))
    assert series(progress) == [
        (D(2024, 1, 31), 1),
        (D(2024, 2, 29), 2),
        (D(2024, 3, 31), 2),
        (D(2024, 4, 10), 3),
    ]
    assert progress.people == 3
    assert progress.share == pytest.approx(0.3)
    assert progress.percent == 30


def test_the_valid_series_follows_expiry_and_revocation_over_time():
    expires, revoked, renewed = person(), person(), person()
    certificate_record(expires, issued_on=D(2021, 2, 16), valid_until=D(2024, 2, 15))
    certificate_record(
        revoked,
        issued_on=D(2023, 1, 1),
        status="revoked",
        revoked_at=timezone.make_aware(datetime.datetime(2024, 3, 5, 10, 0)),
    )
    # A renewal supersedes the old certificate the day the new one is issued: no gap.
    new = certificate_record(renewed, issued_on=D(2024, 2, 20))
    certificate_record(
        renewed,
        issued_on=D(2021, 2, 21),
        valid_until=D(2024, 2, 20),
        status="superseded",
        superseded_by=new,
        superseded_at=timezone.make_aware(datetime.datetime(2024, 2, 20, 9, 0)),
    )
    progress = goal_progress(goal(measure="valid", start=D(2024, 1, 1)), today=D(2024, 4, 2))
    assert series(progress) == [
        (D(2024, 1, 31), 3),
        (D(2024, 2, 29), 2),  # the first expired on 15 February
        (D(2024, 3, 31), 1),  # the second was revoked on 5 March
        (D(2024, 4, 2), 1),
    ]
    ever = goal_progress(goal(start=D(2024, 1, 1)), today=D(2024, 4, 2))
    assert [people for _, people in series(ever)] == [3, 3, 3, 3]


# -- verdicts --------------------------------------------------------------------------------


def test_a_goal_met_says_the_day_the_target_was_reached():
    for day in (D(2019, 3, 1), D(2019, 5, 10), D(2019, 5, 20), D(2020, 2, 1)):
        certificate_record(person(), issued_on=day)
    progress = goal_progress(
        goal(target=3, start=D(2017, 5, 27), deadline=D(2020, 12, 31)), today=D(2026, 11, 23)
    )
    assert progress.verdict == "met"
    assert progress.verdict_on == D(2019, 5, 20)
    assert progress.people_at_deadline == 4
    with translation.override("en"):
        assert progress.summary == "Met on 2019-05-20: 4 of 3 people."


def test_a_goal_on_track_gives_the_day_the_recent_rate_reaches_the_target():
    # Two people a month for the last twelve months: 24 people, 2 a month.
    for month in range(12):
        day = D(2025 + (6 + month) // 12, (6 + month) % 12 + 1, 1)
        certificate_record(person(), issued_on=day)
        certificate_record(person(), issued_on=day)
    today = D(2026, 6, 15)
    progress = goal_progress(goal(target=30, deadline=D(2027, 6, 15)), today=today)
    assert progress.people == 24
    assert progress.rate_per_month == pytest.approx(2.0)
    assert progress.rate_since == D(2025, 6, 15)
    assert progress.verdict == "on_track"
    # Six people to go at two a month: three months of 30.44 days, rounded up to a whole day.
    assert progress.verdict_on == D(2026, 9, 15)
    assert progress.people_at_deadline == 47
    assert not progress.deadline_passed


def test_a_goal_behind_gives_the_projected_count_at_the_deadline_and_the_later_day():
    for month in range(12):
        day = D(2025 + (6 + month) // 12, (6 + month) % 12 + 1, 1)
        certificate_record(person(), issued_on=day)
    today = D(2026, 6, 15)
    progress = goal_progress(goal(target=100, deadline=D(2026, 12, 15)), today=today)
    assert progress.verdict == "behind"
    assert progress.rate_per_month == pytest.approx(1.0)
    assert progress.people_at_deadline == 18  # 12 now + 6 months at one a month
    assert progress.verdict_on == today + datetime.timedelta(days=2679)  # 88 months on
    assert progress.verdict_on > progress.deadline
    with translation.override("en"):
        assert progress.summary.startswith("Behind: 12 of 100 people (12%); at the recent rate 18")


def test_a_goal_not_growing_has_no_projected_day():
    certificate_record(person(), issued_on=D(2020, 1, 1), valid_until=None)
    progress = goal_progress(goal(target=5, deadline=D(2027, 1, 1)), today=D(2026, 6, 1))
    assert progress.verdict == "behind"
    assert progress.rate_per_month == 0
    assert progress.verdict_on is None


def test_a_deadline_missed_reports_the_count_on_the_deadline():
    for day in (D(2019, 6, 1), D(2020, 6, 1), D(2021, 6, 1), D(2021, 7, 1)):
        certificate_record(person(), issued_on=day)
    progress = goal_progress(
        goal(target=4, start=D(2018, 1, 1), deadline=D(2020, 12, 31)), today=D(2022, 3, 1)
    )
    assert progress.verdict == "behind"
    assert progress.deadline_passed
    assert progress.people_at_deadline == 2
    assert progress.people == 4
    assert progress.verdict_on == D(2021, 7, 1)  # reached, but after the deadline
    with translation.override("en"):
        assert progress.verdict_label == "missed"
        assert "reached later, on 2021-07-01" in progress.summary


def test_a_valid_count_goal_is_met_while_enough_people_hold_certificates():
    for _ in range(3):
        certificate_record(person(), issued_on=D(2024, 3, 10))
    made = goal(target=3, measure="valid", start=D(2024, 1, 1), deadline=D(2026, 12, 31))
    progress = goal_progress(made, today=D(2024, 6, 10))
    assert progress.verdict == "met"
    assert progress.verdict_on == D(2024, 3, 31)  # the first month end at the target


def test_a_valid_count_goal_met_by_its_deadline_reports_the_deadlines_count():
    # Three in force on the deadline; two of them have lapsed since.
    for until in (D(2025, 6, 30), D(2025, 6, 30), None):
        certificate_record(person(), issued_on=D(2024, 3, 10), valid_until=until)
    made = goal(target=3, measure="valid", start=D(2024, 1, 1), deadline=D(2024, 12, 31))
    with translation.override("en"):
        progress = goal_progress(made, today=D(2026, 11, 23))
        assert progress.verdict == "met"
        assert progress.people == 1 and progress.people_at_deadline == 3
        assert progress.summary == "Met: 3 of 3 people on the deadline 2024-12-31 (1 today)."


# -- a bounded number of queries -------------------------------------------------------------


def _queries(made, today):
    with CaptureQueriesContext(connection) as captured:
        goal_progress(made, today=today)
    return len(captured)


@pytest.mark.parametrize("measure", Goal.Measure.values)
def test_the_number_of_queries_does_not_grow_with_the_data(measure, django_assert_max_num_queries):
    today = D(2026, 6, 15)
    made = goal(target=500, measure=measure, start=D(2020, 1, 1), deadline=D(2027, 1, 1))
    certificate_record(person(), issued_on=D(2025, 1, 1))
    certificate_record(person("51"), issued_on=D(2021, 1, 1))
    small = _queries(made, today)
    for n in range(60):
        holder = person(("44", "51", "11")[n % 3])
        certificate_record(holder, issued_on=D(2020 + n % 6, n % 12 + 1, n % 27 + 1))
        if n % 4 == 0:
            certificate_record(holder, "intermediate_broker", issued_on=D(2026, 1, n % 27 + 1))
    assert _queries(made, today) == small
    with django_assert_max_num_queries(3):
        progress = goal_progress(made, today=today)
    certificates = Certificate.objects.all()
    holding = {c.holder_id for c in certificates if c.effective_status(today) == "valid"}
    assert progress.people == (62 if measure == "ever" else len(holding))
    assert len(progress.series) == 78  # January 2020 to May 2026, and today


# -- the api for the dashboard ---------------------------------------------------------------


def test_the_api_gives_every_goal_as_plain_data_soonest_deadline_first():
    certificate_record(person(), issued_on=D(2019, 1, 1))
    progress = api.goals_progress(today=D(2026, 11, 23))
    assert [p.name for p in progress][:2] == [
        "2020年技术经纪人和中高级技术经理人超过1万名",
        "2025年技术经理人达到3万名",
    ]
    first = progress[0]
    assert (first.target, first.measure, first.province) == (10000, "ever", "")
    assert first.people == 1
    assert first.verdict == "behind" and first.deadline_passed
    assert first.series[0].day == D(2017, 5, 31)


def test_the_seeded_goals_count_the_broker_ladder_and_not_registrars():
    by_2020, by_2025 = Goal.objects.get(target=10000), Goal.objects.get(target=30000)
    for seeded in (by_2020, by_2025):
        assert set(seeded.levels.values_list("code", flat=True)) == set(BROKER_LEVELS)
        assert seeded.tracks.count() == 0 and seeded.province == ""
    assert (by_2020.measure, by_2020.deadline) == ("ever", D(2020, 12, 31))
    assert (by_2025.measure, by_2025.deadline) == ("valid", D(2025, 12, 31))


# -- bad input -------------------------------------------------------------------------------


def _good(**changes):
    values = {
        "name": "2030年目标",
        "source": "某规划",
        "target": 50000,
        "start_date": timezone.localdate(),
        "deadline": timezone.localdate() + datetime.timedelta(days=3 * 365),
        "levels": list(CertificationLevel.objects.filter(code__in=BROKER_LEVELS)),
    }
    values.update(changes)
    return values


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": 0}, "target", "The target must be at least one person."),
        ({"target": -5}, "target", "The target must be at least one person."),
        (
            {"deadline": timezone.localdate() - datetime.timedelta(days=1)},
            "deadline",
            "The deadline must come after the start date.",
        ),
        (
            {
                "start_date": D(2020, 1, 1),
                "deadline": timezone.localdate() - datetime.timedelta(days=1),
            },
            "deadline",
            "The deadline has already passed. A new goal needs a deadline from today on.",
        ),
        (
            {"levels": []},
            "levels",
            "Choose at least one level, or a track, that counts towards the goal.",
        ),
        (
            {"deadline": timezone.localdate() + datetime.timedelta(days=31 * 366)},
            "deadline",
            "A goal can span at most 30 years.",
        ),
        ({"start_date": D(1900, 1, 1)}, "start_date", "The start date cannot be before 1984."),
    ],
)
def test_a_bad_goal_is_refused_with_a_clear_message_and_nothing_saved(changes, field, message):
    before = Goal.objects.count()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            goal_create(**_good(**changes))
        assert refused.value.message_dict[field] == [message]
    assert Goal.objects.count() == before


def test_a_good_goal_is_saved_with_what_counts():
    made = goal_create(**_good(province="44", measure="valid"))
    assert set(made.levels.values_list("code", flat=True)) == set(BROKER_LEVELS)
    assert made.scope_label


@pytest.fixture
def admin_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, with_totp(UserFactory(roles=["Administrator"])))
    return client


def _admin_form(**changes):
    levels = CertificationLevel.objects.filter(code__in=BROKER_LEVELS)
    data = {
        "name": "2030年技术经理人目标",
        "source": "某规划",
        "target": "50000",
        "measure": "valid",
        "province": "",
        "start_date": timezone.localdate().isoformat(),
        "deadline": (timezone.localdate() + datetime.timedelta(days=1000)).isoformat(),
        "levels": [str(level.pk) for level in levels],
        "tracks": [],
    }
    data.update(changes)
    return data


def test_an_administrator_defines_a_goal_in_the_admin(admin_client):
    add = reverse("wagtailsnippets_certification_goal:add")
    assert admin_client.get(add).status_code == 200
    response = admin_client.post(add, _admin_form())
    assert response.status_code == 302
    made = Goal.objects.get(name="2030年技术经理人目标")
    assert made.levels.count() == 3 and made.target == 50000
    listing = admin_client.get(reverse("wagtailsnippets_certification_goal:list"))
    assert "2030年技术经理人目标" in listing.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "0"}, "The target must be at least one person."),
        ({"target": "-3"}, "The target must be at least one person."),
        ({"levels": [], "tracks": []}, "Choose at least one level, or a track, that counts"),
        (
            {"start_date": "2020-01-01", "deadline": "2021-01-01"},
            "The deadline has already passed.",
        ),
        (
            {"start_date": "2031-01-01", "deadline": "2030-01-01"},
            "The deadline must come after the start date.",
        ),
    ],
)
def test_the_admin_refuses_a_bad_goal_with_the_reason(admin_client, changes, message):
    before = Goal.objects.count()
    response = admin_client.post(
        reverse("wagtailsnippets_certification_goal:add"), _admin_form(**changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Goal.objects.count() == before


def test_the_seeded_2020_goal_stays_editable_although_its_deadline_has_passed(admin_client):
    seeded = Goal.objects.get(target=10000)
    edit = reverse("wagtailsnippets_certification_goal:edit", args=[seeded.pk])
    data = _admin_form(
        name=seeded.name,
        source=seeded.source,
        target="10001",
        measure="ever",
        start_date="2017-05-27",
        deadline="2020-12-31",
    )
    assert admin_client.post(edit, data).status_code == 302
    seeded.refresh_from_db()
    assert seeded.target == 10001


def test_a_trainee_cannot_reach_the_goals_in_the_admin(client):
    client.force_login(UserFactory(roles=["Trainee"]))
    response = client.get(reverse("wagtailsnippets_certification_goal:list"))
    assert response.status_code in (302, 403)
