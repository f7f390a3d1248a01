"""The privacy notice: its version, which a sign-up records (``User.privacy_notice_version``).

The notice itself is the template ``portal/privacy.html``; change the version in
``portal/accounts/forms.py`` whenever its content changes."""

from portal.accounts.forms import PRIVACY_NOTICE_VERSION as NOTICE_VERSION

__all__ = ["NOTICE_VERSION"]
