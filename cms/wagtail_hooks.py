"""The Wagtail admin narrowed for a base's people: see ``cms.admin_scope``."""

from . import admin_scope

admin_scope.install()
