"""What certification does when courses reports an event: tell people they may now apply, and
keep learning-record changes (hours, attendance, check-ins, grades) in the audit log."""

from django.dispatch import receiver

from courses.signals import exam_entry_refusal, exam_passed, exam_standards, recorded


@receiver(exam_passed, dispatch_uid="certification.exam_passed")
def on_exam_passed(sender, user_id, level, **kwargs):
    from certification.applications.services import eligibility_announce

    eligibility_announce(user_id=user_id, course_level=level)


@receiver(recorded, dispatch_uid="certification.recorded")
def on_recorded(sender, actor, entries, **kwargs):
    """Chain the entries in the transaction making the change; no public page shows them, so
    the public verification cache is left as it is. Data is put in its JSON form first (a
    Decimal or a date becomes text), so what is hashed is what is stored."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from certification.audit.chain import audit_append_many

    plain = [
        (action, obj, json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)))
        for action, obj, data in entries
    ]
    audit_append_many(actor=actor, entries=plain, public=False)


@receiver(exam_standards, dispatch_uid="certification.exam_standards")
def on_exam_standards(sender, level, **kwargs):
    """The exam standards certifying bodies set for exams of this course level."""
    from certification.levels.selectors import exam_standards_for

    return exam_standards_for(course_level=level)


@receiver(exam_entry_refusal, dispatch_uid="certification.exam_entry_refusal")
def on_exam_entry_refusal(sender, user_id, level, **kwargs):
    """Why the person may not sit an exam of this course level yet (hours not held), or None."""
    from certification.levels.selectors import exam_entry_refusal as refusal

    return refusal(user_id=user_id, course_level=level)
