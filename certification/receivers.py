"""What certification does when courses reports an event: tell people they may now apply."""

from django.dispatch import receiver

from courses.signals import exam_passed


@receiver(exam_passed, dispatch_uid="certification.exam_passed")
def on_exam_passed(sender, user_id, level, **kwargs):
    from .services import eligibility_announce

    eligibility_announce(user_id=user_id, course_level=level)
