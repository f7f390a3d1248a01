"""Teaching: a teacher's own page (link requests, invitations, classes taught as a guest), an
editor linking a faculty page to its teacher's account, and inviting a teacher of another base.
Thin: the rules live in teaching.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.models import FacultyMemberPage
from portal.accounts.converters import record_id

from . import teaching
from .models import Delivery, LessonPage
from .permissions import staff_base_ids


@login_required
def my_teaching(request):
    """What a teacher answers and where they teach as a guest."""
    user = request.user
    classes = teaching.classes_taught_as_guest(user_id=user.pk)
    for course in classes:
        course.sessions = list(
            LessonPage.objects.live()
            .descendant_of(course)
            .filter(delivery=Delivery.IN_PERSON)
            .order_by("session_starts", "pk")
        )
    return render(
        request,
        "courses/teaching/mine.html",
        {
            "link": teaching.faculty_link_of(user_id=user.pk),
            "link_requests": teaching.faculty_links_pending(user_id=user.pk),
            "invitations": teaching.teaching_invitations_pending(user_id=user.pk),
            "classes": classes,
        },
    )


def _answer(request, service, id_name):
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or to decline."))
        return redirect("courses:my_teaching")
    try:
        service(user=request.user, accept=answer == "accept", **{id_name: request.pk_answered})
    except teaching.NotYours as error:
        raise Http404(str(error)) from error
    except teaching.TeachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your answer is recorded."))
    return redirect("courses:my_teaching")


@login_required
@require_POST
def link_answer(request, link_id):
    request.pk_answered = link_id
    return _answer(request, teaching.faculty_link_answer, "link_id")


@login_required
@require_POST
def invitation_answer(request, invitation_id):
    request.pk_answered = invitation_id
    return _answer(request, teaching.teaching_invitation_answer, "invitation_id")


@login_required
@require_POST
def link_end(request, link_id):
    """The teacher unlinks their own account, or an editor of the page's base ends the link."""
    try:
        link = teaching.faculty_link_end(link_id=link_id, user=request.user)
    except teaching.NotYours as error:
        raise Http404(str(error)) from error
    except teaching.TeachingError as error:
        messages.error(request, str(error))
        return redirect("courses:my_teaching")
    messages.success(request, _("The faculty page is no longer linked to that account."))
    if link.user_id == request.user.pk:
        return redirect("courses:my_teaching")
    return redirect("courses:faculty_link", page_id=link.page_id)


@login_required
@require_POST
def invitation_withdraw(request, invitation_id):
    """An editor of the inviting base withdraws an invitation to teach."""
    try:
        invitation = teaching.teaching_invitation_withdraw(
            invitation_id=invitation_id, by=request.user
        )
    except teaching.NotYours as error:
        raise Http404(str(error)) from error
    except teaching.TeachingError as error:
        messages.error(request, str(error))
        page_id = teaching.TeachingInvitation.objects.get(pk=invitation_id).faculty_page_id
        return redirect("courses:teaching_invite", page_id=page_id)
    messages.success(request, _("The invitation is withdrawn and the teacher told."))
    return redirect("courses:teaching_invite", page_id=invitation.faculty_page_id)


@login_required
@require_POST
def certificates_show(request):
    try:
        teaching.faculty_link_certificates_show(
            user=request.user, show=request.POST.get("show") == "yes"
        )
    except teaching.TeachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your choice is saved."))
    return redirect("courses:my_teaching")


def _faculty_page_for_editor(request, page_id) -> FacultyMemberPage:
    page = get_object_or_404(FacultyMemberPage, pk=page_id)
    base = page.training_base
    allowed = staff_base_ids(request.user, role="editor")
    if allowed is not None and (base is None or base.pk not in allowed):
        raise PermissionDenied
    return page


@login_required
def faculty_link(request, page_id):
    """An editor of the page's base proposes the account of one of its teachers."""
    page = _faculty_page_for_editor(request, page_id)
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[:254]
        try:
            teaching.faculty_link_request(
                page=page,
                email=email,
                by=request.user,
                url=request.build_absolute_uri(reverse("courses:my_teaching")),
            )
        except teaching.TeachingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The teacher has been asked by e-mail; the page is linked once they accept."),
            )
            return redirect("courses:faculty_link", page_id=page.pk)
    links = teaching.FacultyAccountLink.objects.filter(page=page).select_related("user")
    return render(
        request,
        "courses/teaching/link.html",
        {"page": page, "links": links.order_by("-requested_at"), "email": email},
    )


@login_required
def teaching_invite(request, page_id):
    """An editor invites a linked teacher of another base to teach one of their classes."""
    faculty_page = get_object_or_404(FacultyMemberPage.objects.live(), pk=page_id)
    classes = teaching.classes_open_to_invite(user=request.user)
    if staff_base_ids(request.user, role="editor") == set():
        raise PermissionDenied
    chosen, message = None, ""
    if request.method == "POST":
        message = request.POST.get("message", "").strip()[:1000]
        course_id = record_id(request.POST.get("course") or "")
        chosen = next((c for c in classes if c.pk == course_id), None)
        if chosen is None:
            messages.error(request, _("Choose one of your base's classes."))
        else:
            try:
                teaching.teaching_invitation_send(
                    course=chosen,
                    faculty_page=faculty_page,
                    by=request.user,
                    message=message,
                    url=request.build_absolute_uri(reverse("courses:my_teaching")),
                )
            except teaching.TeachingError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("The invitation has been sent; the teacher answers it by e-mail.")
                )
                return redirect("courses:teaching_invite", page_id=faculty_page.pk)
    sent = teaching.TeachingInvitation.objects.filter(
        faculty_page=faculty_page, course__in=[c.pk for c in classes]
    ).select_related("course")
    return render(
        request,
        "courses/teaching/invite.html",
        {
            "faculty_page": faculty_page,
            "classes": classes,
            "chosen": chosen,
            "message": message,
            "sent": sent.order_by("-created"),
        },
    )
