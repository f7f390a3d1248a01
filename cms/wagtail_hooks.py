"""The Wagtail admin narrowed for a base's people: see ``cms.admin_scope``."""

from wagtail import hooks

from . import admin_scope

admin_scope.install()
hooks.register("construct_page_chooser_queryset", admin_scope.page_chooser_scope)
