"""The invitations waiting for the signed-in person, for their learning page."""

from django import template

from ..invitations import invitations_open_for

register = template.Library()


@register.inclusion_tag("courses/includes/invitations_pending.html", takes_context=True)
def invitations_pending(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "invitations": invitations_open_for(user=user) if user is not None else [],
        "csrf_token": context.get("csrf_token"),
    }
