"""How long it takes to grade and store a submitted 100-question paper.

    .venv/bin/python bench/exam.py            # the embedded default (SQLite)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/exam.py

Builds a throwaway test database, gives one base a bank and a 100-question exam, then for each
of N trainees starts an attempt, answers every question, and times ``attempt_submit`` alone.
The baseline, measured in the same run, is storing the same 100 answers with one bulk update:
the least any grading could cost. Target: median under 50 ms on this machine.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TARGET_MS = 50
TRAINEES = int(os.environ.get("BENCH_TRAINEES", "30"))
BLUEPRINT = [
    {"type": kind, "category": category, "count": count}
    for category in ("general", "policy", "practice", "enhancement")
    for kind, count in (("single", 10), ("multiple", 8), ("true_false", 7))
]


def main() -> None:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from courses import signals
    from courses.models import AttemptQuestion
    from courses.services import (
        attempt_save_answers,
        attempt_start,
        attempt_submit,
        enrolment_create,
    )
    from tests import factories

    # The trainees made here hold no training hours: entry to the exam is not what is timed.
    signals.exam_entry_refusal.disconnect(dispatch_uid="certification.exam_entry_refusal")
    base = factories.training_base("BENCH", "44")
    course = factories.course(base)
    factories.questions(base, per_kind=12)
    exam = factories.exam(base, course, blueprint=BLUEPRINT, max_attempts=1)
    assert sum(row["count"] for row in BLUEPRINT) == 100

    grade_ms, baseline_ms = [], []
    for n in range(TRAINEES):
        trainee = factories.UserFactory(email=f"bench{n}@example.org")
        enrolment_create(user=trainee, course=course)
        attempt = attempt_start(user=trainee, exam=exam, seed=n)
        questions = list(attempt.questions.all())
        answers = {
            q.position: (q.correct if q.type == "multiple" else q.correct[0]) for q in questions
        }
        attempt_save_answers(attempt=attempt, answers=answers)

        for q in questions:  # baseline: store 100 values with one bulk update
            q.score = q.points
        started = time.perf_counter()
        AttemptQuestion.objects.bulk_update(questions, ["score"])
        baseline_ms.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        attempt_submit(attempt=attempt)
        grade_ms.append((time.perf_counter() - started) * 1000)
        attempt.refresh_from_db()
        assert attempt.status == "final" and attempt.score == attempt.max_score

    grade, baseline = statistics.median(grade_ms), statistics.median(baseline_ms)
    verdict = "meets" if grade < TARGET_MS else "MISSES"
    print(f"database: {connection.vendor}; {TRAINEES} submissions of 100 questions")
    print(f"baseline (bulk update of 100 answers): median {baseline:.1f} ms")
    print(f"grade and store: p90 {statistics.quantiles(grade_ms, n=10)[-1]:.1f} ms")
    print(f"target: under {TARGET_MS} ms — {verdict} it")
    print(f"exam submission median {grade:.1f} ms for 100 questions (baseline {baseline:.1f} ms)")


if __name__ == "__main__":
    main()
