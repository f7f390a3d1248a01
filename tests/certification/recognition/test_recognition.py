"""Selection rounds (issue 18, item 5): criteria as data, nominations, the panel's independent
scores and its refusals, the ranking, the announcement with objections, and publication."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.errors import CertificationError
from certification.models import AuditEntry, Award, Nomination, Objection, Review, SelectionRound
from certification.recognition import services
from certification.recognition.selectors import ranking
from tests.certification.factories import certifier, certifying_body
from tests.factories import UserFactory, png_bytes, training_base

from .helpers import (
    CRITERIA,
    STATEMENT,
    a_round,
    admin,
    certified,
    confirmed_project,
    move_to,
    nominate_self,
    reviewer,
    windows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def boss():
    return admin()


@pytest.fixture
def selection(boss):
    return a_round(boss)


def seat(selection, boss, person):
    services.reviewer_assign(round_id=selection.pk, actor=boss, user=person)
    return person


def score(nomination, person, first, second, **kwargs):
    criteria = list(nomination.round.criteria.all())
    return services.review_submit(
        nomination_id=nomination.pk,
        actor=person,
        conflict=False,
        no_conflict_declared=True,
        scores={criteria[0].pk: first, criteria[1].pk: second},
        **kwargs,
    )


# --- the round and its criteria -------------------------------------------------------------


def test_weights_must_add_up_to_100_and_only_administrators_open_rounds(boss):
    with pytest.raises(CertificationError, match="add up to 100; these add up to 90"):
        a_round(boss, criteria=[{**CRITERIA[0], "weight": 50}, CRITERIA[1]])
    with pytest.raises(CertificationError, match="Only administrators"):
        a_round(certifier())
    with pytest.raises(CertificationError, match="name of its own"):
        a_round(boss, criteria=[CRITERIA[0], {**CRITERIA[1], "name": CRITERIA[0]["name"]}])
    assert not SelectionRound.objects.exists()
    selection = a_round(boss)
    assert [(c.name, c.weight, c.max_score) for c in selection.criteria.all()] == [
        ("项目业绩", 60, 10),
        ("职业操守", 40, 5),
    ]
    assert AuditEntry.objects.filter(action="recognition.round_opened").count() == 1


def test_windows_must_follow_one_another(boss):
    data = windows("nominate")
    data["review_opens"] = data["nomination_closes"]
    assert "after nominations close" in services.windows_problem(data)


def test_administrator_opens_a_round_through_the_page_and_a_bad_weight_is_refused(client, boss):
    national = certifying_body("CN", kind="national", images=False)
    client.force_login(boss)
    page = client.get(reverse("recognition_manage"))
    assert page.status_code == 200
    dates = {k: v.isoformat() for k, v in windows("nominate").items()}
    post = {
        "title": "2026年度优秀技术经纪人评选",
        "year": "2026",
        "body": national.pk,
        "awards": "10",
        **dates,
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "业绩",
        "criteria-0-weight": "70",
        "criteria-0-max_score": "10",
        "criteria-1-name": "操守",
        "criteria-1-weight": "20",
        "criteria-1-max_score": "10",
    }
    refused = client.post(reverse("recognition_manage"), post)
    assert refused.status_code == 400
    assert "The weights must add up to 100; these add up to 90." in refused.content.decode()
    assert not SelectionRound.objects.exists()
    post["criteria-1-weight"] = "30"
    response = client.post(reverse("recognition_manage"), post)
    selection = SelectionRound.objects.get()
    assert response.status_code == 302
    assert selection.awards == 10 and selection.total_weight == 100


# --- nominations ----------------------------------------------------------------------------


def test_a_nominee_without_a_certificate_is_refused(selection):
    person = UserFactory()
    with pytest.raises(CertificationError, match="holds no certificate in force"):
        nominate_self(selection, person)
    assert not Nomination.objects.exists()


def test_self_nomination_with_confirmed_projects_and_private_evidence(selection, client):
    person = certified(real_name="陈经纪")
    project = confirmed_project(person)
    pending = confirmed_project(person, title="未确认")
    pending.status = "pending"
    pending.save()
    with pytest.raises(CertificationError, match="confirmed"):
        nominate_self(selection, person, practice_record_ids=[pending.pk])
    evidence = SimpleUploadedFile("award.png", png_bytes(), content_type="image/png")
    nomination = nominate_self(
        selection, person, practice_record_ids=[project.pk], uploads=[evidence]
    )
    assert list(nomination.practice_records.all()) == [project]
    item = nomination.evidence.get()
    url = reverse("recognition_evidence", args=[nomination.pk, item.pk])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # a stranger
    client.force_login(person)
    assert client.get(url).status_code == 200
    with pytest.raises(CertificationError, match="already been nominated"):
        nominate_self(selection, person)


def test_a_base_nominates_only_for_a_base_its_actor_edits_and_the_nominee_adds_projects(
    selection, client, django_capture_on_commit_callbacks
):
    from cms import api as cms_api

    base = training_base("GZ-N", title="广州技术转移培训基地", slug="gz-n")
    editor = UserFactory(roles=["Base editor"])
    cms_api.training_base_editor_add(page_id=base.pk, user=editor)
    stranger = UserFactory(roles=["Base editor"])
    person = certified(real_name="林推荐")
    with pytest.raises(CertificationError, match="training base you edit"):
        services.nomination_create(
            round_id=selection.pk,
            actor=stranger,
            nominee=person,
            by="base",
            base_id=base.pk,
            statement=STATEMENT,
        )
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recognition_nominate", args=[selection.pk]),
            {"nominator": f"base:{base.pk}", "nominee_email": person.email, "statement": STATEMENT},
        )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.by, nomination.base_id, nomination.nominated_by) == ("base", base.pk, editor)
    assert any(person.email in m.to for m in mail.outbox)
    # The nominee picks their own confirmed projects; the base never sees the list.
    project = confirmed_project(person)
    other = confirmed_project(UserFactory())
    client.force_login(person)
    refused = client.post(
        reverse("my_nominations"),
        {"nomination": nomination.pk, "practice_records": [other.pk]},
    )
    assert refused.status_code == 200 and not nomination.practice_records.exists()
    client.post(
        reverse("my_nominations"), {"nomination": nomination.pk, "practice_records": [project.pk]}
    )
    assert list(nomination.practice_records.all()) == [project]
    # Someone else cannot attach records to it by a hand-made POST.
    with pytest.raises(CertificationError, match="not a nomination of you"):
        services.nomination_practice_set(nomination_id=nomination.pk, actor=editor, record_ids=[])


def test_nominations_outside_their_window_are_refused(boss):
    selection = a_round(boss, phase="review")
    with pytest.raises(CertificationError, match="not open"):
        nominate_self(selection, certified())


# --- the panel ------------------------------------------------------------------------------


def test_reviewers_score_independently_and_the_ranking_weighs_them(selection, boss, client):
    first, second = certified(real_name="甲"), certified(real_name="乙")
    a, b = nominate_self(selection, first), nominate_self(selection, second)
    one, two = seat(selection, boss, reviewer()), seat(selection, boss, reviewer())
    with pytest.raises(CertificationError, match="Reviewers must be staff"):
        services.reviewer_assign(round_id=selection.pk, actor=boss, user=UserFactory())
    move_to(selection, "review")
    score(a, one, 10, 5)  # 60 + 40 = 100
    score(b, one, 5, 5)  # 30 + 40 = 70
    # The second reviewer does not see the first one's scores before submitting.
    client.force_login(two)
    page = client.get(reverse("recognition_review_nomination", args=[a.pk])).content.decode()
    assert "100.00" not in page and "data-others" not in page
    response = client.post(
        reverse("recognition_review_nomination", args=[a.pk]),
        {
            "declaration": "none",
            f"score_{selection.criteria.first().pk}": "8",
            f"score_{selection.criteria.last().pk}": "3",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("recognition_review_nomination", args=[a.pk])).content.decode()
    assert "data-others" in page and "100.00" in page
    assert Review.objects.get(nomination=a, reviewer=two).weighted == Decimal("72.00")
    with pytest.raises(CertificationError, match="already reviewed"):
        score(a, two, 1, 1)
    rows = ranking(selection)
    assert [(row.nomination, row.average, row.reviews) for row in rows] == [
        (a, Decimal("86.00"), 2),
        (b, Decimal("70.00"), 1),
    ]
    assert AuditEntry.objects.filter(action="recognition.scored").count() == 3


def test_a_score_out_of_range_or_without_the_declaration_is_refused(selection, boss):
    nomination = nominate_self(selection, certified())
    person = seat(selection, boss, reviewer())
    move_to(selection, "review")
    with pytest.raises(CertificationError, match="from 0 to 5"):
        score(nomination, person, 10, 6)
    with pytest.raises(CertificationError, match="Declare that you have no conflict"):
        services.review_submit(nomination_id=nomination.pk, actor=person, conflict=False, scores={})
    assert not Review.objects.exists()


def test_a_declared_conflict_stands_the_reviewer_aside(selection, boss):
    nomination = nominate_self(selection, certified())
    person = seat(selection, boss, reviewer())
    move_to(selection, "review")
    with pytest.raises(CertificationError, match="Say what the conflict is"):
        services.review_submit(nomination_id=nomination.pk, actor=person, conflict=True)
    services.review_submit(
        nomination_id=nomination.pk, actor=person, conflict=True, conflict_note="曾同事"
    )
    [row] = ranking(selection)
    assert (row.reviews, row.conflicts) == (0, 1)


def test_one_who_stood_aside_or_is_refused_reads_nothing_of_the_nomination(selection, boss, client):
    person = certified(real_name="汪候选", organisation="某研究院")
    evidence = SimpleUploadedFile("award.png", png_bytes(), content_type="image/png")
    nomination = nominate_self(selection, person, uploads=[evidence])
    item = nomination.evidence.get()
    evidence_url = reverse("recognition_evidence", args=[nomination.pk, item.pk])
    page_url = reverse("recognition_review_nomination", args=[nomination.pk])
    aside, colleague, scorer = (
        seat(selection, boss, reviewer()),
        seat(selection, boss, reviewer(organisation="某研究院")),
        seat(selection, boss, reviewer()),
    )
    move_to(selection, "review")
    # Before anyone decides, a panel member may read what they are to score.
    client.force_login(aside)
    page = client.get(page_url).content.decode()
    assert STATEMENT[:10] in page and client.get(evidence_url).status_code == 200
    score(nomination, scorer, 10, 5)
    services.review_submit(
        nomination_id=nomination.pk, actor=aside, conflict=True, conflict_note="曾同事"
    )
    # Standing aside is not a way round "scores only after one's own": nothing more is shown.
    page = client.get(page_url).content.decode()
    assert "stand aside" in page
    assert STATEMENT[:10] not in page and "100.00" not in page and "data-others" not in page
    assert client.get(evidence_url).status_code == 404
    # The nominee's colleague is refused the scoring, and the evidence too.
    client.force_login(colleague)
    page = client.get(page_url).content.decode()
    assert "own organisation" in page and STATEMENT[:10] not in page
    assert client.get(evidence_url).status_code == 404
    # The one who scored goes on reading it.
    client.force_login(scorer)
    assert client.get(evidence_url).status_code == 200


def test_a_reviewer_cannot_score_themselves(selection, boss):
    person = certified(roles=["Faculty"])
    nomination = nominate_self(selection, person)
    seat(selection, boss, person)
    move_to(selection, "review")
    with pytest.raises(CertificationError, match="your own nomination"):
        score(nomination, person, 9, 4)
    assert not Review.objects.exists()


def test_a_reviewer_cannot_score_a_nominee_of_their_own_organisation(selection, boss, client):
    from cms import api as cms_api

    base = training_base("SZ-R", title="深圳技术转移培训基地", slug="sz-r")
    editor = UserFactory(roles=["Base editor"])
    cms_api.training_base_editor_add(page_id=base.pk, user=editor)
    teacher = reviewer()
    cms_api.training_base_faculty_add(page_id=base.pk, user=teacher)  # the same base
    same_employer = reviewer(organisation="华南 技术转移中心（广州）")
    outsider = reviewer(organisation="某大学")
    person = certified(organisation="华南技术转移中心(广州)")
    nomination = services.nomination_create(
        round_id=selection.pk,
        actor=editor,
        nominee=person,
        by="base",
        base_id=base.pk,
        statement=STATEMENT,
    )
    for member in (teacher, same_employer, outsider):
        seat(selection, boss, member)
    move_to(selection, "review")
    with pytest.raises(CertificationError, match="your own organisation"):
        score(nomination, teacher, 9, 4)
    with pytest.raises(CertificationError, match="your own organisation"):
        score(nomination, same_employer, 9, 4)
    # The certifier of the body that issued the nominee's certificate (where they trained).
    issuer = certifier(nomination.certificate.body)
    seat(selection, boss, issuer)
    with pytest.raises(CertificationError, match="your own organisation"):
        score(nomination, issuer, 9, 4)
    # A hand-made POST meets the same refusal, and nothing is written.
    client.force_login(teacher)
    response = client.post(
        reverse("recognition_review_nomination", args=[nomination.pk]),
        {
            "declaration": "none",
            f"score_{selection.criteria.first().pk}": "10",
            f"score_{selection.criteria.last().pk}": "5",
        },
    )
    assert response.status_code == 400
    assert "belongs to your own organisation" in response.content.decode()
    assert not Review.objects.exists()
    score(nomination, outsider, 9, 4)
    assert Review.objects.get().reviewer == outsider


def test_scores_outside_the_review_window_are_refused(selection, boss):
    nomination = nominate_self(selection, certified())
    person = seat(selection, boss, reviewer())
    with pytest.raises(CertificationError, match="Scores are taken only from"):
        score(nomination, person, 9, 4)  # nominations still open
    move_to(selection, "between")
    with pytest.raises(CertificationError, match="Scores are taken only from"):
        score(nomination, person, 9, 4)  # the review has closed
    assert not Review.objects.exists()


def test_non_reviewers_and_non_administrators_are_refused(selection, boss, client):
    nomination = nominate_self(selection, certified())
    move_to(selection, "review")
    stranger = reviewer()
    with pytest.raises(CertificationError, match="not on this round's panel"):
        score(nomination, stranger, 9, 4)
    client.force_login(stranger)
    post = {"declaration": "none", f"score_{selection.criteria.first().pk}": "10"}
    url = reverse("recognition_review_nomination", args=[nomination.pk])
    assert client.post(url, post).status_code == 403
    assert client.get(reverse("recognition_review")).status_code == 403
    manage = reverse("recognition_manage_round", args=[selection.pk])
    for action in ("announce", "publish", "assign", "answer"):
        assert client.post(manage, {"action": action, "email": stranger.email}).status_code == 403
    assert client.get(reverse("recognition_manage")).status_code == 403
    assert not Review.objects.exists() and not selection.reviewers.exists()
    for call in (
        lambda: services.reviewer_assign(round_id=selection.pk, actor=stranger, user=stranger),
        lambda: services.round_announce(round_id=selection.pk, actor=stranger),
        lambda: services.round_publish(round_id=selection.pk, actor=stranger),
    ):
        with pytest.raises(CertificationError, match="Only administrators"):
            call()


# --- announcement, objections, publication --------------------------------------------------


def announced(boss, awards=2):
    selection = a_round(boss, awards=awards)
    people = [certified(real_name=name) for name in ("周一", "吴二", "郑三")]
    nominations = [nominate_self(selection, person) for person in people]
    person = seat(selection, boss, reviewer())
    move_to(selection, "review")
    for nomination, points in zip(nominations, (9, 10, 4), strict=True):
        score(nomination, person, points, 4)
    move_to(selection, "announce")
    services.round_announce(round_id=selection.pk, actor=boss)
    return selection, people


def test_the_announcement_lists_the_top_places_and_takes_objections_in_its_period(boss, client):
    selection, people = announced(boss)
    awards = list(Award.objects.filter(round=selection).order_by("rank"))
    assert [(a.name, a.rank) for a in awards] == [("吴二", 1), ("周一", 2)]
    page = client.get(reverse("recognition_round", args=[selection.pk])).content.decode()
    assert "吴二" in page and "周一" in page and "郑三" not in page
    # Without signing in, an e-mail address is needed.
    url = reverse("recognition_round", args=[selection.pk])
    client.post(url, {"award": awards[0].pk, "reason": "该项目合同金额与登记不符，请核实。"})
    assert not Objection.objects.exists()
    response = client.post(
        url,
        {
            "award": awards[0].pk,
            "reason": "该项目合同金额与登记不符，请核实。",
            "contact_email": "citizen@example.org",
        },
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.contact_email == "citizen@example.org" and objection.lodged_by is None
    # A signed-in person objects without giving an address.
    someone = UserFactory()
    services.objection_lodge(award_id=awards[1].pk, reason="存在利益冲突未披露。", user=someone)
    assert Objection.objects.filter(lodged_by=someone).exists()


def test_an_objection_after_the_period_is_refused(boss, client):
    selection, _people = announced(boss)
    award = Award.objects.filter(round=selection).first()
    move_to(selection, "after")
    with pytest.raises(CertificationError, match="only during the announcement"):
        services.objection_lodge(
            award_id=award.pk, reason="迟到的异议内容", contact_email="late@example.org"
        )
    response = client.post(
        reverse("recognition_round", args=[selection.pk]),
        {"award": award.pk, "reason": "迟到的异议内容", "contact_email": "late@example.org"},
    )
    assert "Objections are taken only during the announcement" in response.content.decode()
    assert not Objection.objects.exists()


def test_publishing_with_an_unanswered_objection_is_refused_then_answers_allow_it(
    boss, client, django_capture_on_commit_callbacks
):
    selection, people = announced(boss)
    first, second = Award.objects.filter(round=selection).order_by("rank")
    objection = services.objection_lodge(
        award_id=second.pk, reason="获奖项目并非本人主导。", contact_email="a@example.org"
    )
    move_to(selection, "after")
    with pytest.raises(CertificationError, match="1 objection"):
        services.round_publish(round_id=selection.pk, actor=boss)
    client.force_login(boss)
    manage = reverse("recognition_manage_round", args=[selection.pk])
    response = client.post(manage, {"action": "publish"}, follow=True)
    assert "Answer every objection first" in response.content.decode()
    selection.refresh_from_db()
    assert selection.published_at is None
    # An administrator answers: upheld, the person is taken off the list.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            manage,
            {
                "action": "answer",
                "objection": objection.pk,
                "outcome": "upheld",
                "answer": "经核实，异议成立，取消其获奖资格。",
            },
        )
    objection.refresh_from_db()
    assert objection.outcome == "upheld" and objection.answered_by == boss
    assert any("a@example.org" in m.to for m in mail.outbox)
    second.refresh_from_db()
    assert second.status == Award.Status.WITHDRAWN
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage, {"action": "publish"})
    selection.refresh_from_db()
    assert selection.published_at is not None
    first.refresh_from_db()
    assert first.status == Award.Status.AWARDED and first.credential
    page = client.get(reverse("recognition_round", args=[selection.pk])).content.decode()
    assert first.name in page and second.name not in page
    [message] = [m for m in mail.outbox if people[1].email in m.to]
    assert reverse("award_verify", args=[first.pk]) in message.body
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "recognition.announced",
        "recognition.objection_lodged",
        "recognition.objection_answered",
        "recognition.award_withdrawn",
        "recognition.published",
        "recognition.awarded",
    } <= actions


def test_publishing_waits_for_the_end_of_the_announcement(boss):
    selection, _people = announced(boss)
    with pytest.raises(CertificationError, match="publish after it has ended"):
        services.round_publish(round_id=selection.pk, actor=boss)


def test_announcing_before_the_review_closes_is_refused(boss):
    selection = a_round(boss, phase="review")
    with pytest.raises(CertificationError, match="once the review has closed"):
        services.round_announce(round_id=selection.pk, actor=boss)


def test_the_round_page_speaks_chinese_first(boss, client):
    selection, _people = announced(boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("recognition_round", args=[selection.pk])).content.decode()
    assert "拟获奖名单（公示）" in page and "对此人提出异议" in page
    assert "权重" in page and "Weight" not in page
