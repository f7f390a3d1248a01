from django import template

from cms.base_facts import base_public_facts as _facts

register = template.Library()


@register.simple_tag
def base_public_facts(page):
    """The facts higher layers publish about this training base (see ``cms.base_facts``)."""
    return _facts(page_id=page.pk)
