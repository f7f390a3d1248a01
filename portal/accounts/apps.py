from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class AccountsUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user management, with forms that know our User's fields."""

    user_viewset = "portal.accounts.admin_views.UserViewSet"
