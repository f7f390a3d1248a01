"""Reads for applications to become a training base."""

from ..models import BaseApplication


def applications_of(*, user_id: int) -> list[BaseApplication]:
    return list(BaseApplication.objects.filter(applicant_id=user_id).order_by("-submitted_at"))


def application_queue(*, status: str | None) -> list[BaseApplication]:
    queryset = BaseApplication.objects.select_related("applicant").order_by("submitted_at", "pk")
    if status:
        queryset = queryset.filter(status=status)
    return list(queryset)


def application_for(*, application_id: int, user, reviewer: bool) -> BaseApplication | None:
    """The application when ``user`` may read it: its applicant, or a reviewer; else None."""
    application = (
        BaseApplication.objects.select_related("applicant", "decided_by", "base")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return None
    if reviewer or application.applicant_id == user.pk:
        return application
    return None
