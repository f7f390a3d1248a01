"""Who teaches: faculty pages linked to their person's account, a base's invitations to a
teacher of another base, and the teaching record the portal keeps of each faculty member.

Linking: an editor of the page's base proposes an account of the base's faculty; only the
holder of that account accepts, so nobody links (or claims) another person's page.
Inviting: an editor of a base invites a linked faculty member of another base to teach one of
its classes; only that person answers. Accepting grants that class's attendance sheets and the
grading of that class's exams, nothing else of the inviting base.

Every request and answer is written to the audit log (``signals.record``) and mailed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import api as cms_api
from portal.accounts.mail import mail_queue

from . import signals
from .models import (
    Attempt,
    CoursePage,
    Delivery,
    Enrolment,
    FacultyAccountLink,
    LessonPage,
    TeachingInvitation,
)
from .permissions import staff_base_ids
from .services import LearningError

# Below this many trainees who sat a class's exams, the class's pass rate is not shown: with
# so few, a rate of 0 or 100 percent tells everyone each trainee's result.
PASS_RATE_MIN_TRAINEES = 5


class TeachingError(LearningError):
    """A request about teaching that the rules refuse; the message is for its maker."""


class NotYours(TeachingError):
    """The link or invitation is not addressed to the signed-in account (or does not exist)."""


def _base_of(page) -> int | None:
    return cms_api.base_ids_for_pages(page_ids=[page.pk]).get(page.pk)


def _is_editor_of(user, base_id: int | None) -> bool:
    allowed = staff_base_ids(user, role="editor")
    return allowed is None or (base_id is not None and base_id in allowed)


def _send(*, to: str, subject: str, body: str) -> None:
    if to:
        mail_queue(to=to, subject=subject, body_text=body)


# -- linking a faculty page to its person's account ------------------------------------------


@transaction.atomic
def faculty_link_request(*, page, email: str, by, url: str = "", now=None) -> FacultyAccountLink:
    """Propose that ``page`` describes the holder of ``email``, a teacher of the page's base.
    Only an editor of that base (or an administrator) may; the holder must accept."""
    now = now or timezone.now()
    base_id = _base_of(page)
    if not _is_editor_of(by, base_id):
        raise TeachingError(_("Only an editor of this faculty member's training base may do this."))
    email = (email or "").strip().lower()
    faculty_ids = cms_api.training_base_faculty_user_ids(page_id=base_id) if base_id else set()
    user = (
        get_user_model().objects.filter(pk__in=faculty_ids, email__iexact=email).first()
        if email
        else None
    )
    if user is None:
        raise TeachingError(
            _(
                "No teacher of this training base has that e-mail address. Add the person to "
                "the base's faculty first, then link their page."
            )
        )
    links = FacultyAccountLink.objects.select_for_update()
    if links.filter(page=page, status=FacultyAccountLink.Status.ACCEPTED).exists():
        raise TeachingError(_("This faculty page is already linked to an account."))
    if links.filter(user=user, status=FacultyAccountLink.Status.ACCEPTED).exists():
        raise TeachingError(_("That account is already linked to a faculty page."))
    if links.filter(page=page, user=user, status=FacultyAccountLink.Status.PENDING).exists():
        raise TeachingError(_("This account has already been asked; the answer is awaited."))
    link = FacultyAccountLink.objects.create(
        page=page, user=user, requested_by=by, requested_at=now
    )
    signals.record(
        actor=by,
        entries=[("faculty_link.requested", link, {"page": page.pk, "user": user.pk})],
    )
    _send(
        to=user.email,
        subject=_("Is this your faculty page? %(name)s") % {"name": page.title},
        body=_(
            "Your training base proposes to link the faculty page “%(name)s” to your account, "
            "so that your teaching record on the portal appears in the national faculty pool.\n\n"
            "Accept or decline here: %(url)s\n"
        )
        % {"name": page.title, "url": url},
    )
    return link


def _own_locked(model, *, pk, user):
    row = model.objects.select_for_update().filter(pk=pk).first() if pk else None
    if row is None or user is None or row.user_id != user.pk:
        raise NotYours(_("There is no such request for your account."))
    return row


@transaction.atomic
def faculty_link_answer(*, link_id: int, user, accept: bool, now=None) -> FacultyAccountLink:
    """The account holder accepts or declines a proposed link; nobody else can answer it."""
    now = now or timezone.now()
    link = _own_locked(FacultyAccountLink, pk=link_id, user=user)
    if link.status != FacultyAccountLink.Status.PENDING:
        raise TeachingError(_("This request has already been answered."))
    if accept:
        taken = FacultyAccountLink.objects.filter(status=FacultyAccountLink.Status.ACCEPTED)
        if taken.filter(page_id=link.page_id).exists():
            raise TeachingError(_("This faculty page is already linked to an account."))
        if taken.filter(user=user).exists():
            raise TeachingError(_("Your account is already linked to a faculty page."))
    link.status = (
        FacultyAccountLink.Status.ACCEPTED if accept else FacultyAccountLink.Status.DECLINED
    )
    link.answered_at = now
    try:
        with transaction.atomic():
            link.save(update_fields=["status", "answered_at"])
    except IntegrityError as error:  # a concurrent acceptance took the page or the account
        raise TeachingError(_("This faculty page is already linked to an account.")) from error
    action = "faculty_link.accepted" if accept else "faculty_link.declined"
    signals.record(actor=user, entries=[(action, link, {"page": link.page_id})])
    return link


@transaction.atomic
def faculty_link_end(*, link_id: int, user, now=None) -> FacultyAccountLink:
    """End a page's link to its teacher's account: the teacher themself, or an editor of the
    page's base (the teacher has left). The page can be linked again; nothing taught is lost."""
    now = now or timezone.now()
    link = (
        FacultyAccountLink.objects.select_for_update()
        .select_related("page", "user")
        .filter(pk=link_id)
        .first()
    )
    own = link is not None and user is not None and link.user_id == user.pk
    if link is None or not (own or _is_editor_of(user, _base_of(link.page))):
        raise NotYours(_("There is no such request for your account."))
    if link.status != FacultyAccountLink.Status.ACCEPTED:
        raise TeachingError(_("This faculty page is not linked to this account."))
    link.status, link.ended_at = FacultyAccountLink.Status.ENDED, now
    link.save(update_fields=["status", "ended_at"])
    signals.record(
        actor=user, entries=[("faculty_link.ended", link, {"page": link.page_id, "own": own})]
    )
    if not own:
        _send(
            to=link.user.email,
            subject=_("Your account is no longer linked to %(page)s") % {"page": link.page.title},
            body=_(
                "An editor of the training base has ended the link between your account and "
                "the faculty page “%(page)s”. Your account and your certificates are unchanged.\n"
            )
            % {"page": link.page.title},
        )
    return link


@transaction.atomic
def faculty_link_certificates_show(*, user, show: bool) -> FacultyAccountLink:
    """The linked teacher's own choice to list their portal certificates on the pool."""
    link = (
        FacultyAccountLink.objects.select_for_update()
        .filter(user=user, status=FacultyAccountLink.Status.ACCEPTED)
        .first()
    )
    if link is None:
        raise TeachingError(_("Your account is not linked to a faculty page."))
    if link.show_certificates != show:
        link.show_certificates = show
        link.save(update_fields=["show_certificates"])
        action = "faculty_link.certificates_shown" if show else "faculty_link.certificates_hidden"
        signals.record(actor=user, entries=[(action, link, {"page": link.page_id})])
    return link


def faculty_link_of(*, user_id: int) -> FacultyAccountLink | None:
    return (
        FacultyAccountLink.objects.filter(
            user_id=user_id, status=FacultyAccountLink.Status.ACCEPTED
        )
        .select_related("page")
        .first()
    )


def faculty_links_pending(*, user_id: int) -> list[FacultyAccountLink]:
    return list(
        FacultyAccountLink.objects.filter(user_id=user_id, status=FacultyAccountLink.Status.PENDING)
        .select_related("page")
        .order_by("-requested_at")
    )


def linked_accounts(*, page_ids) -> dict[int, FacultyAccountLink]:
    """The accepted link of each of these faculty pages that has one (one query)."""
    return {
        link.page_id: link
        for link in FacultyAccountLink.objects.filter(
            page_id__in=list(page_ids), status=FacultyAccountLink.Status.ACCEPTED
        )
    }


# -- inviting a teacher of another base ------------------------------------------------------


def classes_open_to_invite(*, user) -> list[CoursePage]:
    """The live classes not yet ended at the bases where ``user`` is an editor (every base for
    an administrator), soonest first."""
    from wagtail.models import Page

    allowed = staff_base_ids(user, role="editor")
    courses = CoursePage.objects.live().filter(end_date__gte=timezone.localdate())
    if allowed is not None:
        paths = list(Page.objects.filter(pk__in=allowed).values_list("path", flat=True))
        if not paths:
            return []
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        courses = courses.filter(condition)
    return list(courses.order_by("start_date", "pk"))


@transaction.atomic
def teaching_invitation_send(
    *, course: CoursePage, faculty_page, by, message: str = "", url: str = "", now=None
) -> TeachingInvitation:
    """Invite the teacher of ``faculty_page`` (of another base) to teach ``course``. Only an
    editor of the course's base may; the teacher must have linked their account."""
    now = now or timezone.now()
    course_base = _base_of(course)
    if not _is_editor_of(by, course_base):
        raise TeachingError(_("Only an editor of the class's training base may invite teachers."))
    if not course.live or course.end_date < timezone.localdate(now):
        raise TeachingError(_("This class has ended or is not published; nobody can be invited."))
    if _base_of(faculty_page) == course_base:
        raise TeachingError(
            _("This teacher belongs to your own base: choose them as the class's faculty.")
        )
    link = linked_accounts(page_ids=[faculty_page.pk]).get(faculty_page.pk)
    if link is None:
        raise TeachingError(
            _("This teacher has not linked an account to their page yet and cannot be invited.")
        )
    if by is not None and link.user_id == by.pk:
        raise TeachingError(_("Nobody invites themselves to teach."))
    open_ones = TeachingInvitation.objects.select_for_update().filter(
        course=course,
        user_id=link.user_id,
        status__in=[TeachingInvitation.Status.PENDING, TeachingInvitation.Status.ACCEPTED],
    )
    if open_ones.exists():
        raise TeachingError(_("This teacher has already been invited to this class."))
    invitation = TeachingInvitation.objects.create(
        course=course,
        faculty_page=faculty_page,
        user_id=link.user_id,
        invited_by=by,
        message=(message or "").strip()[:1000],
        created=now,
    )
    signals.record(
        actor=by,
        entries=[
            (
                "teaching_invitation.sent",
                invitation,
                {"course": course.pk, "faculty_page": faculty_page.pk, "user": link.user_id},
            )
        ],
    )
    base = cms_api.training_base_get(page_id=course_base) if course_base else None
    values = {
        "base": base.name if base else "",
        "course": course.title,
        "class_name": course.class_name,
        "url": url,
        "message": invitation.message,
    }
    _send(
        to=link.user.email,
        subject=_("%(base)s invites you to teach %(course)s") % values,
        body=_(
            "%(base)s invites you to teach the class “%(course)s” (%(class_name)s).\n\n"
            "%(message)s\n\n"
            "Accepting gives you this class's attendance sheets and the grading of its exams, "
            "nothing else of the base. Accept or decline here: %(url)s\n"
        )
        % values,
    )
    return invitation


@transaction.atomic
def teaching_invitation_answer(
    *, invitation_id: int, user, accept: bool, now=None
) -> TeachingInvitation:
    """The invited teacher accepts or declines; nobody else can, and only once."""
    now = now or timezone.now()
    invitation = _own_locked(TeachingInvitation, pk=invitation_id, user=user)
    if invitation.status != TeachingInvitation.Status.PENDING:
        raise TeachingError(_("This invitation has already been answered."))
    invitation.status = (
        TeachingInvitation.Status.ACCEPTED if accept else TeachingInvitation.Status.DECLINED
    )
    invitation.answered_at = now
    invitation.save(update_fields=["status", "answered_at"])
    action = "teaching_invitation.accepted" if accept else "teaching_invitation.declined"
    signals.record(actor=user, entries=[(action, invitation, {"course": invitation.course_id})])
    inviter = invitation.invited_by
    if inviter is not None:
        values = {"name": invitation.faculty_page.title, "course": invitation.course.title}
        _send(
            to=inviter.email,
            subject=(
                _("%(name)s accepted to teach %(course)s")
                if accept
                else _("%(name)s declined to teach %(course)s")
            )
            % values,
            body=(
                _("%(name)s accepted your invitation to teach “%(course)s”.\n")
                if accept
                else _("%(name)s declined your invitation to teach “%(course)s”.\n")
            )
            % values,
        )
    return invitation


@transaction.atomic
def teaching_invitation_withdraw(*, invitation_id: int, by, now=None) -> TeachingInvitation:
    """An editor of the inviting base withdraws an invitation, answered or not: a class taught
    as a guest ends its teaching rights there. The teacher is told."""
    invitation = (
        TeachingInvitation.objects.select_for_update()
        .select_related("course", "user")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not _is_editor_of(by, _base_of(invitation.course)):
        raise NotYours(_("There is no such invitation from your base."))
    if invitation.status not in (
        TeachingInvitation.Status.PENDING,
        TeachingInvitation.Status.ACCEPTED,
    ):
        raise TeachingError(_("This invitation was declined or has already been withdrawn."))
    was = invitation.status
    invitation.status = TeachingInvitation.Status.WITHDRAWN
    invitation.answered_at = invitation.answered_at or now or timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    signals.record(
        actor=by,
        entries=[
            (
                "teaching_invitation.withdrawn",
                invitation,
                {"course": invitation.course_id, "was": was},
            )
        ],
    )
    values = {"course": invitation.course.title}
    _send(
        to=invitation.user.email,
        subject=_("The invitation to teach %(course)s has been withdrawn") % values,
        body=_(
            "The training base has withdrawn its invitation to teach “%(course)s”. You no "
            "longer have that class's attendance sheets or the grading of its exams.\n"
        )
        % values,
    )
    return invitation


def teaching_invitations_pending(*, user_id: int) -> list[TeachingInvitation]:
    return list(
        TeachingInvitation.objects.filter(user_id=user_id, status=TeachingInvitation.Status.PENDING)
        .select_related("course", "invited_by")
        .order_by("-created")
    )


def classes_taught_as_guest(*, user_id: int) -> list[CoursePage]:
    """The classes of other bases ``user`` accepted to teach."""
    ids = TeachingInvitation.objects.filter(
        user_id=user_id, status=TeachingInvitation.Status.ACCEPTED
    ).values("course_id")
    return list(CoursePage.objects.filter(pk__in=ids).order_by("-start_date", "pk"))


# -- the teaching record -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClassTaught:
    course_id: int
    title: str
    class_name: str
    level: str
    base_id: int | None
    base_name: str
    start_date: object
    end_date: object
    as_guest: bool
    trainees: int
    completed: int
    sat_exam: int
    passed_exam: int
    # None when fewer than PASS_RATE_MIN_TRAINEES sat the class's exams.
    pass_rate: int | None


@dataclass(frozen=True)
class TeachingRecord:
    faculty_page_id: int
    classes: list[ClassTaught] = field(default_factory=list)
    sessions: int = 0  # in-person sessions taught
    online_lessons: int = 0
    hours: Decimal = Decimal("0")
    trainees: int = 0
    pass_rate: int | None = None  # over every class, with the same threshold
    sat_exam: int = 0
    passed_exam: int = 0


def _rate(passed: int, sat: int) -> int | None:
    if sat < PASS_RATE_MIN_TRAINEES:
        return None
    return round(100 * passed / sat)


def _class_ids_of(faculty_page_id: int) -> tuple[set[int], set[int]]:
    """Classes a faculty member teaches: named as the class's faculty, teaching one of its
    lessons, or by an accepted invitation; and, second, those they teach as an invited guest."""
    named = set(CoursePage.objects.filter(faculty__pk=faculty_page_id).values_list("pk", flat=True))
    guest = set(
        TeachingInvitation.objects.filter(
            faculty_page_id=faculty_page_id, status=TeachingInvitation.Status.ACCEPTED
        ).values_list("course_id", flat=True)
    )
    lessons = LessonPage.objects.live().filter(teacher_id=faculty_page_id)
    for lesson in lessons.only("path", "depth"):
        course = CoursePage.objects.ancestor_of(lesson).only("pk").first()
        if course is not None:
            named.add(course.pk)
    return named | guest, guest


def teaching_record(*, faculty_page_id: int) -> TeachingRecord:
    """What the portal knows of one faculty member's teaching: their classes (live ones), the
    sessions and lessons they teach, trainee counts and pass rates. No trainee is named."""
    class_ids, guest_ids = _class_ids_of(faculty_page_id)
    courses = list(CoursePage.objects.live().filter(pk__in=class_ids).order_by("-start_date"))
    ids = [c.pk for c in courses]
    bases = cms_api.base_ids_for_pages(page_ids=ids)
    base_names = {b: cms_api.training_base_get(page_id=b) for b in set(bases.values())}
    enrolments = dict(
        Enrolment.objects.filter(course_id__in=ids)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values_list("course_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    completed = dict(
        Enrolment.objects.filter(course_id__in=ids, status=Enrolment.Status.COMPLETED)
        .values_list("course_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    finals = Attempt.objects.filter(exam__course_id__in=ids, status=Attempt.Status.FINAL)
    sat, passed = {}, {}
    for course_id, user_id, did_pass in finals.values_list("exam__course_id", "user_id", "passed"):
        sat.setdefault(course_id, set()).add(user_id)
        if did_pass:
            passed.setdefault(course_id, set()).add(user_id)
    classes = []
    for c in courses:
        base_id = bases.get(c.pk)
        base = base_names.get(base_id)
        n_sat, n_passed = len(sat.get(c.pk, ())), len(passed.get(c.pk, ()))
        classes.append(
            ClassTaught(
                course_id=c.pk,
                title=c.title,
                class_name=c.class_name,
                level=c.level_id,
                base_id=base_id,
                base_name=base.name if base else "",
                start_date=c.start_date,
                end_date=c.end_date,
                as_guest=c.pk in guest_ids,
                trainees=enrolments.get(c.pk, 0),
                completed=completed.get(c.pk, 0),
                sat_exam=n_sat,
                passed_exam=n_passed,
                pass_rate=_rate(n_passed, n_sat),
            )
        )
    lessons = LessonPage.objects.live().filter(teacher_id=faculty_page_id)
    in_person = lessons.filter(delivery=Delivery.IN_PERSON)
    total_sat = sum(c.sat_exam for c in classes)
    total_passed = sum(c.passed_exam for c in classes)
    return TeachingRecord(
        faculty_page_id=faculty_page_id,
        classes=classes,
        sessions=in_person.count(),
        online_lessons=lessons.exclude(delivery=Delivery.IN_PERSON).count(),
        hours=lessons.aggregate(total=Sum("hours"))["total"] or Decimal("0"),
        trainees=sum(c.trainees for c in classes),
        pass_rate=_rate(total_passed, total_sat),
        sat_exam=total_sat,
        passed_exam=total_passed,
    )


def teaching_counts(*, faculty_page_ids) -> dict[int, tuple[int, int]]:
    """(classes, lessons taught) for each faculty page, for the pool's listing: a handful of
    queries for a whole page of teachers."""
    page_ids = list(faculty_page_ids)
    lessons = dict(
        LessonPage.objects.live()
        .filter(teacher_id__in=page_ids)
        .values_list("teacher_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    classes: dict[int, set[int]] = {pk: set() for pk in page_ids}
    through = CoursePage.faculty.through
    live = CoursePage.objects.live().values("pk")
    for course_id, page_id in through.objects.filter(
        facultymemberpage_id__in=page_ids, coursepage_id__in=live
    ).values_list("coursepage_id", "facultymemberpage_id"):
        classes[page_id].add(course_id)
    for course_id, page_id in TeachingInvitation.objects.filter(
        faculty_page_id__in=page_ids,
        status=TeachingInvitation.Status.ACCEPTED,
        course_id__in=live,
    ).values_list("course_id", "faculty_page_id"):
        classes[page_id].add(course_id)
    return {pk: (len(classes[pk]), lessons.get(pk, 0)) for pk in page_ids}


def teachers_refused(*, page, teacher_ids, parent=None) -> list[str]:
    """Of these faculty pages, the names of those who may not teach at ``page`` (a class or a
    lesson; ``parent`` is where a page not yet saved goes): neither teachers of its base nor
    invited to its class with the invitation accepted. A base cannot put another base's teacher
    on its class by choosing their page."""
    from cms.models import FacultyMemberPage

    teacher_ids = [pk for pk in teacher_ids if pk]
    where = page if page.pk else parent
    if not teacher_ids or where is None or not where.pk:
        return []
    bases = cms_api.base_ids_for_pages(page_ids=[where.pk, *teacher_ids])
    own = bases.get(where.pk)
    if isinstance(page, CoursePage):
        course_id = page.pk
    else:
        course = CoursePage.objects.ancestor_of(where, inclusive=True).first()
        course_id = course.pk if course else None
    invited = set()
    if course_id is not None:
        invited = set(
            TeachingInvitation.objects.filter(
                course_id=course_id,
                status=TeachingInvitation.Status.ACCEPTED,
                faculty_page_id__in=teacher_ids,
            ).values_list("faculty_page_id", flat=True)
        )
    refused = [pk for pk in teacher_ids if bases.get(pk) != own and pk not in invited]
    return list(
        FacultyMemberPage.objects.filter(pk__in=refused)
        .order_by("title")
        .values_list("title", flat=True)
    )
