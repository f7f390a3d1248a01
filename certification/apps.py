from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self):
        from certification import checks, receivers  # noqa: F401  (registers the checks and receivers)
        from certification.credentials import did

        did.resolver_install()  # vc.verify resolves this portal's did:web from its database
