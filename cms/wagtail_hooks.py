"""The Wagtail admin narrowed for a base's people (``cms.admin_scope``) and made quicker for
them (``cms.admin_home``)."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext
from wagtail import hooks

from . import admin_home, admin_labels, admin_scope

admin_scope.install()
admin_labels.install()
hooks.register("construct_page_chooser_queryset", admin_scope.page_chooser_scope)
hooks.register("construct_homepage_panels", admin_home.homepage_panels)
hooks.register("construct_page_action_menu", admin_home.publish_first)


@hooks.register("insert_global_admin_js")
def admin_js():
    # The script also names Wagtail's slim header button bar, which Wagtail labels "Actions"
    # in English outside any catalogue.
    return format_html(
        '<script src="{}" data-actions-label="{}"></script>',
        static("cms/admin/editor.js"),
        gettext("Actions"),
    )
