from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from cms.api import base_public_facts_register

        from .dashboard import receivers  # noqa: F401  (connects the dashboard's receivers)
        from .notifications import receivers as _notifications  # noqa: F401
        from .oversight.accreditation import base_public_facts

        base_public_facts_register(base_public_facts)
