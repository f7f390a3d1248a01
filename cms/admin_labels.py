"""Admin labels Wagtail builds from a field's name, in English, instead of its translated
verbose name: the sites listing's "Port", "Site name" and "Root page" columns."""

from django.utils.text import capfirst


def install() -> None:
    from wagtail.models import Site
    from wagtail.sites.views import IndexView

    for column in IndexView.columns:
        if column.name in {"port", "site_name", "root_page"}:
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)
