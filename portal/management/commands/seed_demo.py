import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from certification.demo.recognition import seed_recognition_demo
from certification.demo.registrars import seed_registrars
from certification.demo.scale import people_seeded, records_create, scale_plans, setting_for
from certification.demo.stories import seed_bodies, seed_stories
from cms import api as cms_api
from cms.demo import seed_content
from courses import demo_scale as courses_scale
from courses.demo import seed_base_courses, seed_learning
from courses.demo_faculty import seed_faculty_pool
from courses.demo_feedback import seed_course_feedback
from portal.accounts.demo import (
    DEMO_ACCOUNTS,
    DEMO_LEARNERS,
    DEMO_PASSWORD,
    demo_account_ensure,
    scale_trainee_ids,
    scale_trainees,
    scale_trainees_create,
)
from portal.oversight.demo import seed_accredited_base


class Command(BaseCommand):
    help = "Build the demo site and its accounts. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Also add N certified people with years of training, exam and certificate "
                "records, for benchmarks (running again with the same N adds nothing)."
            ),
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (the demo accounts have a published password).",
        )

    def handle(self, *args, scale, allow_production, **options):
        if scale < 0:
            raise CommandError("--scale must be zero or more.")
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo accounts' password is "
                "public. Pass --allow-production if you really mean it."
            )
        with transaction.atomic():
            bases = seed_content()
            accounts = {}
            for spec in DEMO_ACCOUNTS + DEMO_LEARNERS:
                accounts[spec.email], _ = demo_account_ensure(spec)
            first = bases[0]
            cms_api.training_base_editor_add(page_id=first.pk, user=accounts["editor@demo.local"])
            cms_api.training_base_faculty_add(page_id=first.pk, user=accounts["faculty@demo.local"])
            courses = {base.pk: seed_base_courses(base) for base in bases}
            junior = courses[first.pk][0]
            rng = random.Random(2026)
            stories = [
                ("trainee@demo.local", "passed"),
                ("learner4@demo.local", "passed"),
                ("learner1@demo.local", "in_progress"),
                ("learner2@demo.local", "grading"),
                ("learner3@demo.local", "failed"),
            ]
            for email, story in stories:
                seed_learning(
                    course=junior,
                    trainee=accounts[email],
                    story=story,
                    grader=accounts["faculty@demo.local"],
                    rng=rng,
                )
            seed_faculty_pool(
                editor=accounts["editor@demo.local"], teacher=accounts["faculty@demo.local"]
            )
            seed_course_feedback(base=first, trainee=accounts["trainee@demo.local"])
            bodies = seed_bodies(bases, accounts["certifier@demo.local"])
            seed_stories(
                bodies=bodies,
                certifier=accounts["certifier@demo.local"],
                holder=accounts["trainee@demo.local"],
                applicant=accounts["learner4@demo.local"],
            )
            # A finished 十大技术经纪人 selection round with its published list.
            seed_recognition_demo(bodies=bodies, accounts=accounts)
            seed_accredited_base(reviewer=accounts["admin@demo.local"])
            # A registration office with registrars in post and a follow-up check.
            seed_registrars(bodies=bodies, administrator=accounts["admin@demo.local"], base=first)
        if scale:
            started = time.monotonic()
            with transaction.atomic():
                people, certificates, attempts = self._scale(
                    count=scale, bases=bases, certifier=accounts["certifier@demo.local"]
                )
            if people and connection.vendor in ("postgresql", "sqlite"):
                # Fresh statistics: until autovacuum gets round to it (if it is on at all), the
                # planner takes these tables for nearly empty and picks plans that crawl;
                # SQLite has no autovacuum at all and guesses without them.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            self.stdout.write(
                f"Scale: {people} people, {certificates} certificates, {attempts} exam attempts "
                f"added in {time.monotonic() - started:.1f} s ({scale} people requested)."
            )

        # The dashboard's figures, counted now rather than by the first person to open it
        # (no worker is listening in this process; on the embedded default none at all).
        from portal.dashboard.services import dashboard_refresh

        dashboard_refresh()
        self.stdout.write(self.style.SUCCESS("Demo site ready at http://127.0.0.1:8000/"))
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for spec in DEMO_ACCOUNTS:
            note = (
                "  (two-factor: python manage.py demo_totp " + spec.email + ")"
                if spec.with_totp
                else ""
            )
            self.stdout.write(f"  {spec.role:<14} {spec.email}{note}")
        self.stdout.write(
            "  More trainees: "
            + ", ".join(spec.email for spec in DEMO_LEARNERS)
            + " (a course in progress, answers awaiting grading, a failed exam, an application"
            " awaiting review)"
        )

    def _scale(self, *, count, bases, certifier) -> tuple[int, int, int]:
        """Certified people 1 to ``count`` who have no records yet get them: their account,
        classes, exam attempts, applications and certificates. Returns what was added."""
        trainees = scale_trainees(count=count)
        existing = scale_trainee_ids(trainees=trainees)
        seeded = people_seeded(user_ids=existing.values())
        todo = [t for t in trainees if existing.get(t.n) not in seeded]
        if not todo:
            return 0, 0, 0
        setting = setting_for(bases)
        plans = scale_plans(todo, setting)
        ids = scale_trainees_create(
            trainees=todo, joined_at={plan.trainee.n: plan.joined_at for plan in plans}
        )
        for plan in plans:
            plan.user_id = ids[plan.trainee.n]
            for study in plan.studies:
                study.user_id = plan.user_id
        learning = courses_scale.learning_create(
            studies=[study for plan in plans for study in plan.studies], now=setting.now
        )
        certified = records_create(
            plans=plans, class_of=learning.class_of, setting=setting, certifier=certifier
        )
        return len(plans), certified.certificates, learning.attempts
