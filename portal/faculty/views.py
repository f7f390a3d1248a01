"""The national faculty pool (全国师资库): teachers of every base, searchable by specialty and
province, each with their qualifications and the teaching record the portal keeps.

It lives in the portal because it joins three layers: the pages (cms), the teaching record
(courses) and, where the teacher chose to show them, their certificates (certification). It
names no trainee."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from certification import api as certification_api
from cms import api as cms_api
from courses import api as courses_api
from portal.accounts.provinces import Province
from portal.accounts.roles import Role, user_has_role

# The scales of the trainees' ratings of a teacher (courses' course feedback), as shown here.
RATING_SCALES = (
    ("clarity", _("Clarity")),
    ("expertise", _("Expertise")),
    ("responsiveness", _("Responsiveness to questions")),
)


def pool(request):
    specialty = request.GET.get("specialty", "").strip()[:100]
    province = request.GET.get("province", "")
    province = province if province in Province.values else ""
    text = request.GET.get("q", "").strip()[:100]
    page = cms_api.faculty_pool_page(
        specialty=specialty, province=province, text=text, page_number=request.GET.get("page")
    )
    counts = courses_api.teaching_counts(faculty_page_ids=[card.page_id for card in page])
    members = [(card, counts.get(card.page_id, (0, 0))) for card in page]
    return render(
        request,
        "portal/faculty/pool.html",
        {
            "page_obj": page,
            "members": members,
            "specialty": specialty,
            "specialties": cms_api.faculty_pool_specialties(),
            "province": province,
            "provinces": Province.choices,
            "q": text,
        },
    )


def detail(request, page_id):
    profile = cms_api.faculty_profile(page_id=page_id)
    if profile is None:
        raise Http404
    record = courses_api.teaching_record(faculty_page_id=page_id)
    # Averages only, and only from the minimum number of responses up: never the comments,
    # which trainees wrote for the base, not for the public.
    ratings = courses_api.faculty_page_feedback_summary([page_id]).figures
    rating_rows = [
        (label, ratings.averages.get(key)) for key, label in RATING_SCALES if ratings.enough
    ]
    account = courses_api.faculty_accounts(faculty_page_ids=[page_id]).get(page_id)
    certificates = []
    if account and account[1]:
        holder_id = account[0]
        certificates = certification_api.certificates_in_force_of(user_ids=[holder_id])
        certificates = certificates[holder_id]
    user = request.user
    is_admin = user_has_role(user, Role.ADMINISTRATOR)
    editor_of = (
        {base.page_id for base in cms_api.training_bases_for_editor(user_id=user.pk)}
        if user.is_authenticated
        else set()
    )
    base_id = profile.card.base_id
    return render(
        request,
        "portal/faculty/detail.html",
        {
            "profile": profile,
            "card": profile.card,
            "record": record,
            "ratings": ratings,
            "rating_rows": rating_rows,
            "linked": account is not None,
            "portal_certificates": certificates,
            "can_link": is_admin or base_id in editor_of,
            "can_invite": account is not None and (is_admin or bool(editor_of - {base_id})),
        },
    )
