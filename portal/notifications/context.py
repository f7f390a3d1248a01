"""The unread count the header shows, counted only when a page shows it."""

from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from .selectors import unread_count

        return unread_count(user=user)

    return {"unread_notifications": SimpleLazyObject(count)}
