from django import template

from cms.models import NewsIndexPage, TrainingBaseIndexPage

register = template.Library()


@register.simple_tag(takes_context=True)
def site_sections(context):
    """Addresses of the site's main sections, looked up once per request."""
    request = context.get("request")
    cached = getattr(request, "_cms_site_sections", None)
    if cached is not None:
        return cached
    sections = {}
    base_index = TrainingBaseIndexPage.objects.live().first()
    if base_index:
        sections["bases"] = base_index.url
        sections["textbooks"] = base_index.url + base_index.reverse_subpage("textbooks")
        sections["faculty"] = base_index.url + base_index.reverse_subpage("faculty")
    national_news = NewsIndexPage.objects.live().filter(depth=3).first()
    if national_news:
        sections["news"] = national_news.url
    if request is not None:
        request._cms_site_sections = sections
    return sections
