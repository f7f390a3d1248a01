"""What the certification services scenarios and ``bench/issue.py`` share: a class of qualified
applicants made with bulk inserts, and Celery worker processes started and stopped for real.

Not a test module (pytest collects ``test_*.py`` only).
"""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from certification.applications.checklist import checklist
from certification.models import Application
from tests.certification.factories import STANDARD, level
from tests.factories import course, exam, training_base

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS_PER_MODULE = max(n for key, n in STANDARD.items() if key.startswith("questions_"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红"


# -- a class of qualified applicants, made in bulk ----------------------------------------------


def chinese_name(n: int) -> str:
    """A distinct-looking two- or three-character name, so fonts subset different glyphs."""
    given = GIVEN[(n // len(SURNAMES)) % len(GIVEN)]
    if n % 3:
        given += GIVEN[(n // 7) % len(GIVEN)]
    return SURNAMES[n % len(SURNAMES)] + given


def qualified_class(body, count: int, *, level_code="junior_broker", tag="class", photo=""):
    """``count`` people who trained in one class and passed its exam, each with a submitted
    application to ``body``; made with bulk inserts, so thousands take seconds.

    The rows are the ones ``tests.certification.factories.qualify`` and ``application_submit``
    write (enrolment, a credit per lesson, a final passing attempt, the submitted application
    with its checklist), minus the "application.submitted" audit entries and mails. ``photo``
    is a stored file name every applicant's ``photo`` points at. Returns (course page, the
    applications' ids in order).
    """
    from courses.models import Attempt, AttemptQuestion, Enrolment, LessonCredit, LessonPage
    from portal.accounts.models import User

    rules = level(level_code)
    base = training_base(code=f"{tag[:6].upper()}", slug=f"base-{tag}")
    page = course(
        base,
        level=rules.course_level or "junior_broker",
        lessons=[
            (category, str(max(hours, Decimal("1"))), "online")
            for category, hours in rules.hours_required().items()
        ],
        slug=f"course-{tag}",
    )
    lessons = [
        (lesson.pk, lesson.hours, lesson.get_parent().specific.category)
        for lesson in LessonPage.objects.descendant_of(page).specific()
    ]
    paper = exam(base, page, level=rules.course_level) if rules.exam_required else None
    now = timezone.now()
    passed_at = now - datetime.timedelta(days=1)
    users = User.objects.bulk_create(
        [
            User(
                email=f"{tag}-{n}@trainees.example.cn",
                real_name=chinese_name(n),
                province="44",
                password="!",  # unusable: nobody signs in as them
                photo=photo,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(user=user, course=page, status=Enrolment.Status.COMPLETED, completed_at=now)
            for user in users
        ],
        batch_size=2000,
    )
    LessonCredit.objects.bulk_create(
        [
            LessonCredit(
                enrolment=enrolment,
                lesson_id=lesson_id,
                hours=hours,
                category=category,
                method=LessonCredit.Method.ONLINE,
            )
            for enrolment in enrolments
            for lesson_id, hours, category in lessons
        ],
        batch_size=4000,
    )
    if paper is not None:
        attempts = Attempt.objects.bulk_create(
            [
                Attempt(
                    exam=paper,
                    user=user,
                    number=1,
                    status=Attempt.Status.FINAL,
                    deadline=passed_at,
                    submitted_at=passed_at,
                    finalised_at=passed_at,
                    score=Decimal("90"),
                    max_score=Decimal("100"),
                    passed=True,
                    paper_modules=dict.fromkeys(rules.hours_required(), QUESTIONS_PER_MODULE),
                )
                for user in users
            ],
            batch_size=2000,
        )
        # Each paper as served: what the test bodies' exam standard asks in every module.
        AttemptQuestion.objects.bulk_create(
            [
                AttemptQuestion(
                    attempt=attempt,
                    position=position,
                    type="single",
                    stem=f"{category} {position}",
                    category=category,
                    points=Decimal("1"),
                )
                for attempt in attempts
                for position, category in enumerate(
                    category
                    for category in rules.hours_required()
                    for _n in range(QUESTIONS_PER_MODULE)
                )
            ],
            batch_size=4000,
        )
    first = checklist(user_id=users[0].pk, level=rules)
    assert first.met, [item.label for item in first.missing]
    applications = Application.objects.bulk_create(
        [
            Application(
                applicant=user,
                level=rules,
                body=body,
                course=page,
                status=Application.Status.SUBMITTED,
                printed_name=user.real_name,
                submitted_at=now,
                checklist=first.as_json(),
            )
            for user in users
        ],
        batch_size=2000,
    )
    return page, [application.pk for application in applications]


# -- worker processes ---------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database this process uses now (the test database under pytest)."""
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    """``celery -A portal worker`` in its own process group, on this process's database and
    media folder, writing its mail to a folder and its log to a file."""

    def __init__(self, *, name, log_path, media_root, mail_dir, pool="solo", concurrency=1):
        self.name = name
        self.log_path = Path(log_path)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media_root),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "EMAIL_URL": f"filemail:///{mail_dir}",  # a fourth slash keeps the path absolute
            "PYTHONUNBUFFERED": "1",
        }
        self._log = open(self.log_path, "w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}@%h",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches pool children
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout=60) -> "Worker":
        deadline = time.monotonic() + timeout
        while " ready." not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name} not ready:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        return self

    def children(self) -> list[int]:
        """The pool processes of a prefork worker."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def signal_group(self, signum) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole worker (and any pool children): no warm or cold shutdown."""
        self.signal_group(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout=20) -> None:
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        self.signal_group(signal.SIGKILL)  # whatever is left, pool children included
        self.process.wait(10)
        self._log.close()


def purge_queue() -> int:
    """Drop messages left in the broker by an earlier test or an interrupted run.

    `purge` empties the queues, but the Redis transport also keeps messages a stopped or killed
    worker had taken without acknowledging; the next worker would restore and run them, so
    those go too.
    """
    from portal.celery import app

    purged = app.control.purge()
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        for key in ("unacked", "unacked_index", "unacked_mutex"):
            client.delete(key)
    return purged
