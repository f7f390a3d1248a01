"""A person's own data: the export (/me/data/) and closing the account (/me/close/).

The portal is the top layer: it reads each app through its ``api.py`` and puts the answers
together; nothing here is reachable with somebody else's id (the views take the signed-in
person only).
"""

import json
import tempfile
import zipfile

from django.apps import apps as django_apps
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from portal.accounts.roles import Role

EXPORT_FORMAT = 1


def _iso(value):
    return value.isoformat() if value is not None else None


def identity_data(user) -> dict | None:
    """The identity document's kind and masked number only, never the number itself."""
    from portal.accounts.identity import identity_summary

    summary = identity_summary(user)
    if summary is None:
        return None
    return {
        "document_kind": summary.kind,
        "number_masked": summary.masked,
        "document_image": summary.has_document,
        "recorded_at": _iso(summary.recorded_at),
    }


def wechat_data(user) -> list[dict]:
    """The WeChat accounts linked for sign-in: WeChat's ids for the person and when."""
    from allauth.socialaccount.models import SocialAccount

    return [
        {
            "openid": account.uid,
            "unionid": account.extra_data.get("unionid"),
            "linked_at": _iso(account.date_joined),
            "last_sign_in": _iso(account.last_login),
        }
        for account in SocialAccount.objects.filter(user=user).order_by("pk")
    ]


def notifications_data(user) -> dict:
    """What the portal told the person on the site, and their choices of e-mails and texts."""
    from portal.notifications.models import Notification, NotificationSettings

    choices = NotificationSettings.objects.filter(user=user).first()
    return {
        "notifications": [
            {
                "kind": n.kind,
                "details": n.params,
                "link": n.path,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "notification_settings": {
            "language": choices.language,
            "emails_not_wanted": choices.emails_off,
            "texts_wanted": choices.texts_on,
        }
        if choices
        else None,
    }


def account_data(user) -> dict:
    data = {
        "email": user.email,
        "real_name": user.real_name,
        "phone": user.phone,
        "province": user.province,
        "organisation": user.organisation,
        "photo": bool(user.photo),
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "privacy_consent_at": _iso(user.privacy_consent_at),
        "privacy_notice_version": user.privacy_notice_version,
        "phone_confirmed_at": _iso(user.phone_confirmed_at) if user.phone_is_confirmed else None,
        "identity": identity_data(user),
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }
    if django_apps.is_installed("allauth.socialaccount"):  # WeChat sign-in is configured
        data["wechat"] = wechat_data(user)
    return data


def export_archive(user):
    """A ZIP (an open temporary file, at its start) of everything the portal holds about the
    person: ``my-data.json`` plus their certificate PDFs, evidence files and photo."""
    from certification import api as certification_api
    from courses import api as courses_api

    certification = certification_api.personal_data_of(user_id=user.pk)
    files = list(certification.pop("files"))
    if user.photo:
        suffix = user.photo.name.rsplit(".", 1)[-1]
        files.append((f"photo.{suffix}", user.photo.name))
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "account": account_data(user),
        **courses_api.personal_data_of(user_id=user.pk),
        **certification,
        **notifications_data(user),
        "files": [name for name, _ in files],
    }
    storage = storages["private"]
    # Handed open to the response, which closes it once streamed.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("my-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for arcname, stored in files:
            if not storage.exists(stored):
                continue
            with storage.open(stored, "rb") as source, zf.open(arcname, "w") as target:
                for chunk in iter(lambda: source.read(1 << 16), b""):
                    target.write(chunk)
    archive.seek(0)
    return archive


def staff_roles_of(user) -> list[str]:
    """The staff roles (anything beyond trainee) that keep the account from being closed."""
    names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    names.discard(Role.TRAINEE)
    if user.is_superuser:
        names.add("superuser")
    if user.is_staff:
        names.add("staff")
    return sorted(names)


def placeholder_email(user) -> str:
    # ".invalid" is reserved (RFC 2606): no mail can ever be delivered there.
    return f"closed-{user.pk}@closed.invalid"


def close_account(user) -> None:
    """Remove what is not needed for issued certificates, and make the account unusable."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session

    from certification import api as certification_api
    from courses import api as courses_api
    from portal.accounts.identity import identity_erase
    from portal.notifications.models import Notification, NotificationSettings

    old_email = user.email
    photo_name = user.photo.name if user.photo else ""
    with transaction.atomic():
        courses_api.personal_data_erase(user_id=user.pk, email=old_email)
        identity_erase(user)
        user.phone = ""
        user.phone_confirmed_number = ""
        user.phone_confirmed_at = None
        user.organisation = ""
        user.province = ""
        user.photo = ""
        user.email = placeholder_email(user)
        user.is_active = False
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.filter(user=user).delete()
        Notification.objects.filter(user=user).delete()
        NotificationSettings.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        if django_apps.is_installed("allauth.socialaccount"):  # WeChat sign-in is configured
            from allauth.socialaccount.models import SocialAccount

            SocialAccount.objects.filter(user=user).delete()
        certification_api.personal_data_erase(user_id=user.pk, actor=user)
        if photo_name:
            storage = storages["private"]
            transaction.on_commit(lambda: storage.delete(photo_name))
    # Every session of the person, on every device (database sessions).
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
