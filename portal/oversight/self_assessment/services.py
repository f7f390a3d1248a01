"""Writes for a base's self-assessment (自评): its editors say how the year went, with
evidence, before the administrators grade it. Once the year is graded it is closed."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import certification.api
import cms.api

from ..files import files_check, files_store
from ..models import BaseEvaluation, SelfAssessment, SelfAssessmentFile

MAX_FILES = 10
TEXT_FIELDS = ("facilities", "organisation", "results", "innovation")


def open_years(today=None) -> list[int]:
    """The years a self-assessment may be written for: last year (evaluated early this year)
    and this one."""
    year = (today or timezone.localdate()).year
    return [year, year - 1]


def editor_base_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return cms.api.training_base_ids_for_staff(user_id=user.pk, role="editor")


@transaction.atomic
def self_assessment_submit(
    *, base_id: int, year: int, actor, texts: dict, summary: str, uploads: list
) -> SelfAssessment:
    """Create or update the base's self-assessment for the year, adding evidence files.

    Only the base's own editors may; only for an open year not yet graded; every file is
    checked before anything is written."""
    if base_id not in editor_base_ids(actor):
        raise PermissionDenied
    if year not in open_years():
        raise ValidationError(
            _("A self-assessment can be written for %(years)s only.")
            % {"years": " / ".join(str(y) for y in open_years())}
        )
    if BaseEvaluation.objects.filter(base_id=base_id, year=year).exists():
        raise ValidationError(
            _("The %(year)s evaluation is already graded; the self-assessment is closed.")
            % {"year": year}
        )
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": _("Write a summary of the year.")})
    existing = SelfAssessment.objects.select_for_update().filter(base_id=base_id, year=year).first()
    checked = files_check(
        uploads, already=existing.files.count() if existing else 0, limit=MAX_FILES
    )
    values = {
        **{field: (texts.get(field) or "").strip() for field in TEXT_FIELDS},
        "summary": summary,
        "submitted_by": actor,
        "submitted_at": timezone.now(),
    }
    if existing is None:
        assessment = SelfAssessment.objects.create(base_id=base_id, year=year, **values)
    else:
        assessment = existing
        for field, value in values.items():
            setattr(assessment, field, value)
        assessment.save()
    files_store(SelfAssessmentFile, checked, assessment=assessment)
    certification.api.audit_record(
        actor=actor,
        action="self_assessment.submitted",
        obj=assessment,
        data={
            "base": base_id,
            "year": year,
            "files_added": len(checked),
            "files": assessment.files.count(),
        },
    )
    return assessment
