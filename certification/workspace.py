"""The certifier's workspace: who may enter, page frame, filters, paging, shared form fields."""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from certification.access import certifier_body_ids, is_filing_officer
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel
from portal.accounts.roles import Role, user_has_role

ALL = "all"


NO_CLASS = "none"


PAGE_SIZE = 50


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def certifier_required(view):
    """Certifiers and administrators only; the view gets the bodies they act for."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user_has_role(user, Role.CERTIFIER) or user_has_role(user, Role.ADMINISTRATOR)):
            raise PermissionDenied
        return view(request, *args, bodies=certifier_body_ids(user), **kwargs)

    return wrapped


def in_bodies(queryset, bodies, field="body_id"):
    """``queryset`` narrowed to the person's bodies; ``bodies`` None means every body."""
    return queryset if bodies is None else queryset.filter(**{f"{field}__in": bodies})


def certificates_in(bodies):
    """Certificates a body issued, or numbered (the national body numbers filed levels)."""
    if bodies is None:
        return Certificate.objects.all()
    return Certificate.objects.filter(Q(body_id__in=bodies) | Q(numbering_body_id__in=bodies))


def render_section(request, template, context, section):
    context = {
        **context,
        "section": section,
        "filing_officer": is_filing_officer(request.user),
    }
    return render(request, f"certification/certify/{template}", context)


def filters_of(request, form) -> dict:
    """The filters that are valid; the others are reported and ignored, never a 500."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}


def form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def page_of(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def int_param(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def scoped(queryset, bodies, field="pk"):
    """``queryset`` narrowed to ``bodies``; None means every body (administrators)."""
    return queryset if bodies is None else queryset.filter(**{f"{field}__in": bodies})


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def level_field():
    return LevelChoiceField(
        label=_("Level"),
        queryset=CertificationLevel.objects.select_related("track"),
        required=False,
        empty_label=_("All levels"),
    )


def body_field(queryset, label=None):
    return BodyChoiceField(
        label=label or _("Certifying body"),
        queryset=queryset,
        required=False,
        empty_label=_("All bodies"),
    )
