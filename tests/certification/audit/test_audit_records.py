"""Learning-record changes and rule changes in the hash-chained audit log."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import TestCase
from django.urls import reverse

from certification import page_cache
from certification.audit.chain import audit_append
from certification.models import AuditEntry, CertificationLevel
from certification.signals import figures_changed
from courses import signals as courses_signals
from courses.models import Enrolment
from tests.certification.factories import level
from tests.factories import UserFactory, course, sign_in, training_base, with_totp

pytestmark = pytest.mark.django_db


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def enrolment():
    page = course(training_base())
    return Enrolment.objects.create(user=UserFactory(), course=page)


def test_a_learning_record_change_is_chained_in_the_same_transaction(enrolment):
    faculty = UserFactory(roles=["Faculty"])
    audit_append(actor=faculty, action="application.created", obj=enrolment)
    with transaction.atomic():
        courses_signals.record(
            actor=faculty,
            entries=[
                ("hours.credited", enrolment, {"hours": "2.0", "reason": "现场签到"}),
                ("attendance.corrected", enrolment, {"from": "absent", "to": "present"}),
            ],
        )
    first, credited, corrected = AuditEntry.objects.order_by("pk")
    assert (credited.action, credited.object_type, credited.object_id) == (
        "hours.credited",
        "enrolment",
        str(enrolment.pk),
    )
    assert credited.actor == faculty
    assert credited.data == {"hours": "2.0", "reason": "现场签到"}
    assert credited.previous_hash == first.hash and corrected.previous_hash == credited.hash
    assert "Audit chain intact: 3 entries." in verify()


def test_decimals_and_dates_are_stored_as_text_and_the_chain_holds(enrolment):
    import datetime
    from decimal import Decimal

    with transaction.atomic():
        courses_signals.record(
            actor=None,
            entries=[
                (
                    "hours.credited",
                    enrolment,
                    {"hours": Decimal("1.5"), "on": datetime.date(2026, 3, 1)},
                )
            ],
        )
    entry = AuditEntry.objects.get(action="hours.credited")
    assert entry.data == {"hours": "1.5", "on": "2026-03-01"}
    assert "intact: 1 entries" in verify()


def test_a_rolled_back_change_leaves_no_entry(enrolment):
    with pytest.raises(RuntimeError), transaction.atomic():
        courses_signals.record(actor=None, entries=[("grade.given", enrolment, {"score": 9})])
        assert AuditEntry.objects.filter(action="grade.given").exists()
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()


def test_tampering_with_a_learning_record_entry_is_detected(enrolment):
    with transaction.atomic():
        courses_signals.record(
            actor=None, entries=[("hours.credited", enrolment, {"hours": "2.0"})]
        )
        courses_signals.record(
            actor=None, entries=[("hours.withdrawn", enrolment, {"hours": "2.0"})]
        )
    assert "intact: 2 entries" in verify()
    entry = AuditEntry.objects.get(action="hours.credited")
    AuditEntry.objects.filter(pk=entry.pk).update(data={"hours": "20.0"})  # behind save()
    with pytest.raises(CommandError, match=f"broken at entry {entry.pk}"):
        verify()


def test_learning_records_leave_the_public_cache_and_certification_figures_alone(enrolment):
    told = mock.Mock()
    figures_changed.connect(told, dispatch_uid="test-figures")
    try:
        with (
            mock.patch.object(page_cache, "public_changed") as public_changed,
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            courses_signals.record(
                actor=None, entries=[("attendance.marked", enrolment, {"present": True})]
            )
        assert AuditEntry.objects.filter(action="attendance.marked").exists()
        public_changed.assert_not_called()
        told.assert_not_called()
        # A certificate-facing entry still moves both.
        with (
            mock.patch.object(page_cache, "public_changed") as public_changed,
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            audit_append(actor=None, action="certificate.revoked", obj=enrolment)
        public_changed.assert_called_once()
        told.assert_called_once()
    finally:
        figures_changed.disconnect(dispatch_uid="test-figures")


# -- rule changes in the admin ---------------------------------------------------------------


@pytest.fixture
def administrator():
    return with_totp(UserFactory(roles=["Administrator"], real_name="管理员"))


@pytest.fixture
def admin_client(client, administrator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, administrator)
    return client


def level_form(rules: CertificationLevel, **changes) -> dict:
    """The level's edit form as the admin would post it, with ``changes``."""
    data = {}
    for name, value in model_to_dict(rules).items():
        if name in ("id", "values_are_defaults"):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not False}


def test_a_level_edit_is_audited_with_who_what_and_why(admin_client, administrator):
    junior = level("junior_broker")
    edit = reverse("wagtailsnippets_certification_certificationlevel:edit", args=[junior.pk])
    page = admin_client.get(edit).content.decode()
    assert "Reason for the change" in page and 'name="approvers_required"' in page

    # A change without a reason is refused, and nothing is written.
    refused = admin_client.post(edit, level_form(junior, validity_years="4"))
    assert refused.status_code == 200
    assert "Say why the rules change" in refused.content.decode()
    junior.refresh_from_db()
    assert junior.validity_years == 3
    assert not AuditEntry.objects.filter(action="level.changed").exists()

    response = admin_client.post(
        edit,
        level_form(
            junior,
            validity_years="4",
            approvers_required="2",
            hours_policy="6",
            change_reason="2026年主管部门通知调整",
        ),
    )
    assert response.status_code == 302
    junior.refresh_from_db()
    assert junior.validity_years == 4 and junior.approvers_required == 2
    entry = AuditEntry.objects.get(action="level.changed")
    assert entry.actor == administrator
    assert (entry.object_type, entry.object_id) == ("certificationlevel", str(junior.pk))
    assert entry.data["reason"] == "2026年主管部门通知调整"
    changes = entry.data["changes"]
    assert changes["validity_years"] == {"from": 3, "to": 4}
    assert changes["approvers_required"] == {"from": 1, "to": 2}
    assert changes["hours_policy"] == {"from": "4", "to": "6"}
    assert changes["values_are_defaults"] == {"from": True, "to": False}
    assert "name" not in changes
    assert "Audit chain intact" in verify()


def test_saving_a_level_unchanged_needs_no_reason_and_logs_only_the_confirmation(admin_client):
    junior = level("junior_broker")
    edit = reverse("wagtailsnippets_certification_certificationlevel:edit", args=[junior.pk])
    assert admin_client.post(edit, level_form(junior)).status_code == 302
    entry = AuditEntry.objects.get(action="level.changed")
    assert entry.data == {"changes": {"values_are_defaults": {"from": True, "to": False}}}
    # Saved again with nothing changed: nothing to log.
    junior.refresh_from_db()
    assert admin_client.post(edit, level_form(junior)).status_code == 302
    assert AuditEntry.objects.filter(action="level.changed").count() == 1


def test_an_exam_standard_edit_is_audited_with_who_what_and_why(client):
    from certification.models import ExamStandard
    from tests.certification.factories import certifying_body

    # A superuser: the audit is what is tested here, not who may edit standards.
    administrator = with_totp(UserFactory(is_superuser=True, roles=["Administrator"]))
    admin_client = client
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(admin_client, administrator)

    standard = ExamStandard.objects.get(body=certifying_body("GD"), level=level("junior_broker"))
    edit = reverse("wagtailsnippets_certification_examstandard:edit", args=[standard.pk])
    assert "Reason for the change" in admin_client.get(edit).content.decode()
    data = {
        "body": standard.body_id,
        "level": standard.level_id,
        "questions_general": "5",
        "questions_policy": "5",
        "questions_practice": "5",
        "questions_enhancement": "5",
        "min_pass_mark": "70",
        "max_time_limit_minutes": "120",
    }
    refused = admin_client.post(edit, data)
    assert refused.status_code == 200 and "Say why the rules change" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="exam_standard.changed").exists()

    response = admin_client.post(edit, {**data, "change_reason": "提高及格线"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="exam_standard.changed")
    assert entry.actor == administrator
    assert (entry.object_type, entry.object_id) == ("examstandard", str(standard.pk))
    assert entry.data["reason"] == "提高及格线"
    assert entry.data["changes"]["min_pass_mark"] == {"from": 60, "to": 70}
    assert "questions_general" not in entry.data["changes"]
    assert "Audit chain intact" in verify()
