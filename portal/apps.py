from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from .dashboard import receivers  # noqa: F401  (connects the dashboard's receivers)
        from .notifications import receivers as _notifications  # noqa: F401
