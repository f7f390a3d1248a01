"""What the header shows of a signed-in person (unread count, answers to grade, whether they
edit a base), each worked out only when a page shows it."""

from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from .selectors import unread_count

        return unread_count(user=user)

    def grading():
        from courses import api as courses_api
        from portal.accounts.roles import Role, user_role_names

        if Role.FACULTY not in user_role_names(user):
            return None
        return courses_api.answers_awaiting_grading(user=user)

    def edits_a_base():
        from portal.oversight.self_assessment.services import editor_base_ids

        return bool(editor_base_ids(user))

    return {
        "unread_notifications": SimpleLazyObject(count),
        "answers_to_grade": _Lazy(grading),
        "edits_a_base": _Lazy(edits_a_base),
    }


class _Lazy:
    """A value worked out the first time a template asks for it (None stays None, which a
    SimpleLazyObject would hide behind a truthy proxy)."""

    def __init__(self, compute):
        self._compute, self._done, self._value = compute, False, None

    @property
    def value(self):
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value
