"""Who may see and change which base's courses records."""

from django.core.exceptions import PermissionDenied
from wagtail.permission_policies.base import ModelPermissionPolicy

from cms import api as cms_api
from portal.accounts.roles import Role, user_has_role


def staff_base_ids(user, role: str = "any") -> set[int] | None:
    """The bases whose records ``user`` may work on as staff; None means every base."""
    if not user.is_authenticated:
        return set()
    if user_has_role(user, Role.ADMINISTRATOR):
        return None
    return cms_api.training_base_ids_for_staff(user_id=user.pk, role=role)


def require_staff_of(user, base_id: int | None, role: str = "any") -> None:
    allowed = staff_base_ids(user, role)
    if allowed is not None and base_id not in allowed:
        raise PermissionDenied


def guest_course_ids(user) -> set[int]:
    """The classes of other bases ``user`` accepted an invitation to teach: each grants its
    attendance sheets and the grading of its exams, and nothing else of that base."""
    if not user.is_authenticated:
        return set()
    from .models import TeachingInvitation

    return set(
        TeachingInvitation.objects.filter(
            user_id=user.pk, status=TeachingInvitation.Status.ACCEPTED
        ).values_list("course_id", flat=True)
    )


def require_teacher_of(user, base_id: int | None, course_id: int | None, role: str = "any"):
    """Staff of the base, or a teacher invited to this class (``course_id``)."""
    allowed = staff_base_ids(user, role)
    if allowed is None or base_id in allowed:
        return
    if course_id is not None and course_id in guest_course_ids(user):
        return
    raise PermissionDenied


class BaseScopedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, narrowed to the objects of the bases the user works at."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        allowed = staff_base_ids(user)
        return allowed is None or instance.base_id in allowed

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return self.model.objects.none()
        allowed = staff_base_ids(user)
        objects = self.model.objects.all()
        return objects if allowed is None else objects.filter(base_id__in=allowed)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        allowed = staff_base_ids(user)
        objects = self.model.objects.all()
        return objects if allowed is None else objects.filter(base_id__in=allowed)
