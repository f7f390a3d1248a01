"""The e-mail an applicant gets when their application is decided: Chinese first, then
English, each link on a line of its own. Approval is the invitation into the admin."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.accounts.mail import mail_queue


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _body(application, decision: str, comment: str) -> tuple[str, str]:
    from .services import Decision

    lines = []
    if decision == Decision.APPROVE:
        subject = _("%(institution)s is now a training base") % {
            "institution": application.institution
        }
        lines.append(
            _(
                "Your application for %(institution)s to become a training base is approved. "
                "You are the base's first editor: sign in to the admin to publish its profile, "
                "courses, textbooks and faculty. Staff sign in with a second factor; the site "
                "asks you to set up an authenticator app the first time."
            )
            % {"institution": application.institution}
        )
        lines.append(_("Your base in the admin:"))
        lines.append(_absolute(reverse("wagtailadmin_explore", args=[application.base_id])))
    elif decision == Decision.RETURN:
        subject = _("Your training base application is returned for changes")
        lines.append(
            _("The administrators ask for changes to the application of %(institution)s.")
            % {"institution": application.institution}
        )
    else:
        subject = _("Your training base application is not accepted")
        lines.append(
            _("The application of %(institution)s to become a training base is rejected.")
            % {"institution": application.institution}
        )
    if comment:
        lines.append(_("The reviewer's comment:"))
        lines.append(comment)
    lines.append(_("The application:"))
    lines.append(_absolute(reverse("base_application", args=[application.pk])))
    return subject, "\n\n".join(lines)


def decision_mail(*, application, decision: str, comment: str) -> None:
    """Queue the decision's e-mail to the applicant (sent once the decision commits)."""
    with translation.override("zh-hans"):
        subject_zh, body_zh = _body(application, decision, comment)
    with translation.override("en"):
        subject_en, body_en = _body(application, decision, comment)
    mail_queue(
        to=application.applicant.email,
        subject=f"{subject_zh} / {subject_en}",
        body_text=f"{body_zh}\n\n———\n\n{body_en}\n",
    )
