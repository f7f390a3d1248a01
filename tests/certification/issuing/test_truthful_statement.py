"""A certificate and its credential say only what is true: what the level required when it was
awarded (hours, the exam where there is one, experience, the level held before), kept with the
certificate so that editing the level later never changes what an issued certificate says."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from certification.applications.services import (
    application_create,
    application_submit,
    application_update,
    evidence_add,
)
from certification.credentials.services import certificate_credential
from certification.issuing.services import application_approve, certificate_print
from certification.issuing.statement import (
    criteria_narrative,
    requirements_snapshot,
    statement_en,
    statement_zh,
)
from certification.models import Evidence
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    level,
    qualify,
)
from tests.certification.issuing.pdf.test_certificate_pdf import text_of
from tests.factories import UserFactory, png_bytes

pytestmark = pytest.mark.django_db

EXAM_ZH = re.compile("考试|考核|测评")
EXAM_EN = re.compile("exam|assess", re.IGNORECASE)


def _no_exam(text: str) -> None:
    assert not EXAM_ZH.search(text), text
    assert not EXAM_EN.search(text), text


@pytest.fixture
def body():
    return certifying_body("GD", levels=("junior_broker", "contract_registrar"))


def _registrar_certificate(body):
    """A registrar: training hours and a year of work with proof, and no exam at all."""
    person = UserFactory()
    qualify(person, "contract_registrar")
    application = application_create(applicant=person, level=level("contract_registrar"), body=body)
    application_update(
        application_id=application.pk,
        actor=person,
        printed_name="登记员",
        experience_years=2,
        experience_note="两年技术合同登记工作",
    )
    evidence_add(
        application_id=application.pk,
        actor=person,
        kind=Evidence.Kind.WORK_PROOF,
        upload=SimpleUploadedFile("proof.png", png_bytes()),
    )
    application_submit(application_id=application.pk, actor=person)
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate = application_approve(application_id=application.pk, actor=certifier(body))
    certificate.refresh_from_db()
    return certificate


def _pdf_text(certificate, tmp_path) -> str:
    with certificate.pdf.open("rb") as handle:
        return text_of(handle.read(), tmp_path)


def _narrative(certificate) -> str:
    return certificate.credential["credentialSubject"]["achievement"]["criteria"]["narrative"]


def test_a_registrar_certificate_and_credential_never_mention_an_exam(body, tmp_path):
    certificate = _registrar_certificate(body)
    assert certificate.status == "valid"
    assert certificate.requirements["exam"] is False
    printed = _pdf_text(certificate, tmp_path)
    _no_exam(printed)
    # What the registrar did is said instead: hours per module and the years of work.
    assert "共8学时（政策法规4学时、实务技能4学时）" in printed
    assert "具有1年以上相关工作经历" in printed
    assert "8hoursoftheprescribedtrainingprogramme" in printed
    assert "atleast1yearofrelevantworkexperience" in printed
    narrative = _narrative(certificate)
    _no_exam(narrative)
    assert "8 hours of training (4 h policies and regulations, 4 h practical skills)" in (narrative)
    assert "完成培训8学时" in narrative


def test_a_junior_certificate_names_the_exam_and_the_hours(body, tmp_path):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    printed = _pdf_text(certificate, tmp_path)
    assert "共12学时（公共知识4学时、政策法规4学时、实务技能4学时）" in printed
    assert "通过本等级考试" in printed
    assert "haspassedtheexaminationofthelevel" in printed
    assert "12hoursoftheprescribedtrainingprogramme" in printed
    assert "经考核合格" not in printed  # the old fixed wording
    narrative = _narrative(certificate)
    assert "Passed the level's examination." in narrative
    assert "通过本等级考试" in narrative
    assert "12 hours of training" in narrative


def test_editing_the_level_later_changes_nothing_an_issued_certificate_says(body, tmp_path):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    before = certificate_print(certificate)
    before_narrative = certificate_credential(certificate)["credentialSubject"]
    junior = level("junior_broker")
    junior.hours_general = 40
    junior.exam_required = False
    junior.save()
    certificate.refresh_from_db()
    after = certificate_print(certificate)
    assert (after.statement_zh, after.statement_en) == (before.statement_zh, before.statement_en)
    assert "通过本等级考试" in after.statement_zh
    assert certificate_credential(certificate)["credentialSubject"] == before_narrative


def test_a_certificate_issued_before_requirements_were_kept_keeps_its_wording(body):
    certificate = issued_certificate(UserFactory(), body, certifier(body))
    certificate.requirements = {}
    printed = certificate_print(certificate)
    assert (printed.statement_zh, printed.statement_en) == ("", "")  # the PDF's first wording


@pytest.mark.parametrize("code", ["junior_broker", "intermediate_broker", "senior_manager"])
def test_every_requirement_of_a_level_is_stated(code):
    rules = level(code)
    requirements = requirements_snapshot(rules)
    chinese = statement_zh(requirements, level_name=rules.name, track_name=rules.track.name)
    english = statement_en(requirements)
    narrative = criteria_narrative(requirements, level_name=rules.name, level_name_en="X")
    assert "通过本等级考试" in chinese and "examination" in english and "examination" in narrative
    total = requirements["hours_total"]
    assert f"共{total}学时" in chinese and f"{total} hours" in english
    if rules.prerequisite_id:
        assert f"持有{rules.prerequisite.name}证书" in chinese
        assert rules.prerequisite.name_en in english and rules.prerequisite.name_en in narrative
    if rules.experience_years:
        assert f"具有{rules.experience_years}年以上相关工作经历" in chinese
        assert f"at least {rules.experience_years} years" in english


def test_a_level_that_asks_for_nothing_but_review_claims_nothing_more():
    rules = level("contract_registrar")
    rules.hours_policy = rules.hours_practice = 0
    rules.experience_years = 0
    requirements = requirements_snapshot(rules)
    chinese = statement_zh(requirements, level_name=rules.name)
    english = statement_en(requirements)
    for text in (chinese, english, criteria_narrative(requirements, level_name=rules.name)):
        _no_exam(text)
        assert "学时" not in text and "hour" not in text
