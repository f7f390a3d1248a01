"""A certificate must mean the person studied and passed: papers reveal nothing, answers are
reviewed only when the person can no longer sit the exam, a new attempt gets new questions,
blind guessing fails the demo exams, nobody grades themselves, and the layers above may refuse
entry or warn that an exam does not meet their standard."""

import contextlib
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.services import training_base_editor_add, training_base_faculty_add
from courses import signals
from courses.data import ExamStandard
from courses.models import Attempt, AttemptQuestion, Question
from courses.services import (
    LearningError,
    answer_grade,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    enrolment_create,
)
from tests import factories

pytestmark = pytest.mark.django_db

BANK_KEYS = {"A", "B", "C", "D", "E", "F", "T"}
OPTION_INPUT = re.compile(r"<input\b[^>]*type=\"(?:radio|checkbox)\"[^>]*>")
EXACT_INPUT = re.compile(
    r'<input type="(radio|checkbox)" name="q(\d+)" value="([A-Za-z0-9_-]{12})"( checked)?>'
)


@contextlib.contextmanager
def only_receivers(signal, *receivers):
    """``signal`` answered by ``receivers`` alone for the block (none: nobody answers)."""
    with signal.lock:
        saved = list(signal.receivers)
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    for receiver in receivers:
        signal.connect(receiver, weak=False)
    try:
        yield
    finally:
        with signal.lock:
            signal.receivers = saved
            signal.sender_receivers_cache.clear()


@pytest.fixture
def base():
    return factories.training_base("GD-I", "44")


@pytest.fixture
def course(base):
    return factories.course(base)


@pytest.fixture
def trainee(client, course):
    user = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=user, course=course)
    client.force_login(user)
    return user


# One question of each objective type, drawn from a bank of one each: every paper is the same.
SAME_PAPER = [
    {"type": "single", "category": "general", "count": 1},
    {"type": "multiple", "category": "policy", "count": 1},
    {"type": "true_false", "category": "practice", "count": 1},
]


def said(content: str, chinese: str, english: str) -> bool:
    """A message is on the page, in the site's Chinese or (until translated) in English."""
    return chinese in content or english in content


def _values(page: str) -> dict[int, list[str]]:
    """The option values of each question of a paper page, in the order shown."""
    found = {}
    for tag in OPTION_INPUT.findall(page):
        match = EXACT_INPUT.fullmatch(tag)
        # Nothing but the type, the question's name and an opaque value (no id, no data-).
        assert match, tag
        found.setdefault(int(match.group(2)), []).append(match.group(3))
    return found


def _start(client, exam) -> tuple[Attempt, str]:
    client.post(reverse("courses:exam_start", args=(exam.pk,)))
    attempt = Attempt.objects.filter(exam=exam).order_by("-number").first()
    page = client.get(reverse("courses:attempt", args=(attempt.pk,))).content.decode()
    return attempt, page


# -- papers reveal nothing -------------------------------------------------------------------


def test_the_paper_and_its_autosave_carry_opaque_tokens_new_for_every_attempt(
    client, base, course, trainee
):
    factories.questions(base, per_kind=1)
    exam = factories.exam(base, course, blueprint=SAME_PAPER)
    first, page = _start(client, exam)
    values = _values(page)
    assert set(values) == set(first.questions.values_list("position", flat=True))
    shown = {value for options in values.values() for value in options}
    assert not shown & BANK_KEYS
    assert "bank_key" not in page
    for question in first.questions.all():
        assert not set(question.correct) & BANK_KEYS  # the stored key is the tokens too

    response = client.post(
        reverse("courses:attempt_save", args=(first.pk,)),
        {f"q{position}": options[0] for position, options in values.items()},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200
    # The autosave answers how many were saved and when: nothing about the options.
    assert set(response.json()) == {"saved", "at"}
    assert not set(re.findall(r"\b[A-FT]\b", response.content.decode()))

    attempt_submit(attempt=first)
    second, page = _start(client, exam)
    assert second.number == 2
    again = _values(page)
    by_stem = {q.stem: q.position for q in second.questions.all()}
    for question in first.questions.all():
        before = set(values[question.position])
        after = set(again[by_stem[question.stem]])
        assert before and after and not before & after, question.stem


def test_a_bank_key_posted_as_an_answer_is_refused_and_scores_nothing(
    client, base, course, trainee
):
    factories.questions(base, per_kind=1)
    exam = factories.exam(base, course, blueprint=SAME_PAPER)
    attempt, _page = _start(client, exam)
    # The attacker's blind guess in the bank's keys: B / A+C / T.
    blind = {}
    for question in attempt.questions.all():
        blind[question.position] = {"single": "B", "multiple": ["A", "C"], "true_false": "T"}[
            question.type
        ]
    response = client.post(
        reverse("courses:attempt_save", args=(attempt.pk,)),
        {f"q{position}": value for position, value in blind.items()},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 409
    assert not attempt.questions.filter(answer__isnull=False).exists()
    response = client.post(
        reverse("courses:attempt_submit", args=(attempt.pk,)),
        {f"q{position}": value for position, value in blind.items()},
    )
    assert response.status_code == 200  # the paper again, with a message
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"
    attempt_submit(attempt=attempt, answers={})
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.passed is False

    # An attempt drawn before tokens, stored with the bank's keys, still takes its own keys.
    older = factories.UserFactory()
    enrolment_create(user=older, course=course)
    legacy = attempt_start(user=older, exam=exam)
    for question in legacy.questions.all():
        bank = Question.objects.get(pk=question.question_id)
        question.options, question.correct = bank.options, bank.correct
        question.save(update_fields=["options", "correct"])
    right = {q.position: q.correct for q in legacy.questions.all()}
    attempt_submit(attempt=legacy, answers=right)
    legacy.refresh_from_db()
    assert legacy.score == legacy.max_score


# -- review only when the person can no longer sit the exam --------------------------------------


@pytest.fixture
def review_exam(base, course):
    factories.questions(base, per_kind=1)
    return factories.exam(
        base,
        course,
        allow_review=True,
        max_attempts=2,
        blueprint=[
            {"type": "single", "category": "general", "count": 1},
            {"type": "short", "category": "practice", "count": 1},
        ],
    )


def _result(client, attempt) -> str:
    return client.get(reverse("courses:attempt_result", args=(attempt.pk,))).content.decode()


def _sit_blank(user, exam) -> Attempt:
    attempt = attempt_start(user=user, exam=exam)
    single = attempt.questions.get(type="single")
    wrong = next(o["key"] for o in single.options if o["key"] not in single.correct)
    attempt_submit(attempt=attempt, answers={single.position: wrong})
    attempt.refresh_from_db()
    assert attempt.status == "final" and not attempt.passed
    return attempt


def test_review_waits_until_the_last_attempt_is_used(client, review_exam, trainee):
    with only_receivers(signals.exam_standards):
        first = _sit_blank(trainee, review_exam)
        content = _result(client, first)
        single = first.questions.get(type="single")
        # Their own answer shows; the key, reference answer and explanation do not.
        assert single.stem in content and "←" in content
        assert "✓" not in content
        assert "因为乙。" not in content  # the explanation
        assert "要点：……" not in content  # the reference answer

        # Not while the last attempt is being sat.
        sitting = attempt_start(user=trainee, exam=review_exam)
        assert "因为乙。" not in _result(client, first) and "✓" not in _result(client, first)
        second = _sit_blank(trainee, review_exam)  # hands in the attempt being sat
        assert second == sitting
        for attempt in (first, second):
            content = _result(client, attempt)
            assert "✓" in content and "因为乙。" in content and "要点：……" in content


def test_review_opens_when_the_exam_closes(client, review_exam, trainee):
    with only_receivers(signals.exam_standards):
        attempt = _sit_blank(trainee, review_exam)
        assert "因为乙。" not in _result(client, attempt)
        review_exam.closes_at = timezone.now()
        review_exam.save(update_fields=["closes_at"])
        assert "因为乙。" in _result(client, attempt)


def _standard(body_id, early, **fields):
    return ExamStandard(
        body_id=body_id,
        body_name=f"认证机构{body_id}",
        level="junior_broker",
        review_before_last_attempt=early,
        **fields,
    )


def test_early_review_only_when_every_standard_of_the_level_allows_it(client, review_exam, trainee):
    attempt = _sit_blank(trainee, review_exam)

    def both_allow(sender, level, **kwargs):
        return [_standard(1, True), _standard(2, True)]

    def one_refuses(sender, level, **kwargs):
        return [_standard(1, True), _standard(2, False)]

    with only_receivers(signals.exam_standards, one_refuses):
        assert "因为乙。" not in _result(client, attempt)
    with only_receivers(signals.exam_standards, both_allow):
        assert "因为乙。" in _result(client, attempt)


# -- a new attempt gets new questions ------------------------------------------------------------


def test_a_new_attempt_draws_the_questions_not_yet_seen_first(base, course, trainee):
    factories.questions(base, per_kind=4)
    exam = factories.exam(
        base,
        course,
        max_attempts=3,
        blueprint=[
            {"type": "single", "category": "general", "count": 2},
            {"type": "multiple", "category": "policy", "count": 2},
            {"type": "true_false", "category": "practice", "count": 2},
            {"type": "single", "category": "enhancement", "count": 2},
            {"type": "multiple", "category": "general", "count": 3},
        ],
    )

    def drawn(attempt):
        return Counter(attempt.questions.values_list("question_id", flat=True))

    first = attempt_start(user=trainee, exam=exam)
    attempt_submit(attempt=first, answers={})
    second = attempt_start(user=trainee, exam=exam)
    attempt_submit(attempt=second, answers={})
    seen, now = drawn(first), drawn(second)
    assert max(now.values()) == 1  # no question twice on one paper
    shared = set(seen) & set(now)
    # Rows of 2 from 4 take the 2 unseen; the row of 3 from 4 takes the 1 unseen and 2 seen.
    assert len(shared) == 2
    assert {q.type for q in Question.objects.filter(pk__in=shared)} == {"multiple"}
    # All seen: a third paper is still drawn in full, from the seen ones.
    third = attempt_start(user=trainee, exam=exam)
    assert third.questions.count() == 11


# -- nobody grades their own attempt ------------------------------------------------------------


@pytest.fixture
def written_exam(base, course):
    factories.questions(base, per_kind=1)
    return factories.exam(
        base,
        course,
        blueprint=[
            {"type": "single", "category": "general", "count": 1},
            {"type": "short", "category": "practice", "count": 1},
        ],
    )


def _hand_in_written(user, exam) -> AttemptQuestion:
    attempt = attempt_start(user=user, exam=exam)
    written = attempt.questions.get(type="short")
    attempt_submit(attempt=attempt, answers={written.position: "先核实权属，再评估价值。"})
    return written


def test_faculty_cannot_grade_their_own_attempt_and_every_grade_is_recorded(
    base, course, written_exam
):
    teacher, colleague = factories.UserFactory(), factories.UserFactory()
    # Sat as a trainee, then joined the faculty (staff cannot start their own base's exams).
    enrolment_create(user=teacher, course=course)
    written = _hand_in_written(teacher, written_exam)
    for person in (teacher, colleague):
        training_base_faculty_add(base=base, user=person)
    logged = []

    def audit(sender, actor, entries, **kwargs):
        logged.extend((actor, action, obj.pk, data) for action, obj, data in entries)

    with only_receivers(signals.recorded, audit):
        with pytest.raises(LearningError, match="自己|own"):
            answer_grade(question=written, score=Decimal("5"), by=teacher)
        written.refresh_from_db()
        assert written.score is None and not written.grade_changes.exists()
        assert logged == []

        answer_grade(question=written, score=Decimal("4"), by=colleague)
        answer_grade(question=written, score=Decimal("3"), by=colleague, reason="复核")
    attempt_id = written.attempt_id
    assert logged == [
        (
            colleague,
            "grade.given",
            written.pk,
            {"attempt": attempt_id, "old": "", "new": "4", "reason": ""},
        ),
        (
            colleague,
            "grade.changed",
            written.pk,
            {"attempt": attempt_id, "old": "4.0", "new": "3", "reason": "复核"},
        ),
    ]


def test_the_grading_queue_and_page_refuse_ones_own_attempt(client, base, course, written_exam):
    teacher = factories.UserFactory(roles=["Faculty"])
    enrolment_create(user=teacher, course=course)
    own = _hand_in_written(teacher, written_exam)
    training_base_faculty_add(base=base, user=teacher)
    other = factories.UserFactory(real_name="王学员")
    enrolment_create(user=other, course=course)
    theirs = _hand_in_written(other, written_exam)

    client.force_login(teacher)
    queue = client.get(reverse("courses:grading")).content.decode()
    assert reverse("courses:grading_attempt", args=(theirs.attempt_id,)) in queue
    assert reverse("courses:grading_attempt", args=(own.attempt_id,)) not in queue

    url = reverse("courses:grading_attempt", args=(own.attempt_id,))
    response = client.get(url, follow=True)
    assert response.redirect_chain
    assert said(response.content.decode(), "自己", "own attempt")
    assert "先核实权属" not in response.content.decode()
    response = client.post(url, {"question": own.pk, "score": "5"}, follow=True)
    assert said(response.content.decode(), "自己", "own attempt")
    own.refresh_from_db()
    assert own.score is None


# -- entry and standards, asked of the layers above ---------------------------------------------


def test_a_refusal_from_a_layer_above_is_shown_and_no_attempt_starts(client, base, course, trainee):
    factories.questions(base, per_kind=1)
    exam = factories.exam(base, course, blueprint=SAME_PAPER)
    asked = []

    def hours_not_held(sender, user_id, level, **kwargs):
        asked.append((user_id, level))
        return "须先修满本级别的培训学时。"

    with only_receivers(signals.exam_entry_refusal, hours_not_held):
        page = client.get(reverse("courses:exam", args=(exam.pk,))).content.decode()
        assert "须先修满本级别的培训学时。" in page
        response = client.post(reverse("courses:exam_start", args=(exam.pk,)), follow=True)
        assert "须先修满本级别的培训学时。" in response.content.decode()
        with pytest.raises(LearningError, match="学时"):
            attempt_start(user=trainee, exam=exam)
    assert (trainee.pk, "junior_broker") in asked
    assert not Attempt.objects.filter(user=trainee).exists()


def _strict(sender, level, **kwargs):
    return [
        ExamStandard(
            body_id=7,
            body_name="国家技术转移认证中心",
            level=level,
            min_questions={"policy": 10},
            min_pass_mark=70,
        )
    ]


def test_staff_see_which_bodies_an_exam_does_not_count_for(client, base, course, trainee):
    from courses.selectors import blueprint_questions_by_module

    factories.questions(base, per_kind=2)
    exam = factories.exam(base, course)
    assert blueprint_questions_by_module(exam.blueprint) == {
        "general": 2,
        "policy": 1,
        "practice": 1,
    }
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    with only_receivers(signals.exam_standards, _strict):
        assert (
            "国家技术转移认证中心"
            not in client.get(reverse("courses:exam", args=(exam.pk,))).content.decode()
        )
        client.force_login(editor)
        page = client.get(reverse("courses:exam", args=(exam.pk,))).content.decode()
        assert "国家技术转移认证中心" in page
        assert "10" in page and "70" in page

        # The admin form warns too, and still saves the exam.
        from tests.courses.test_admin_bank import _exam_form

        edit = reverse("wagtailsnippets_courses_exam:edit", args=(exam.pk,))
        assert "国家技术转移认证中心" in client.get(edit).content.decode()
        response = client.post(
            edit,
            _exam_form(
                base,
                title="改名的考试",
                eligibility="enrolled",
                course=course.pk,
                draw_single__general="2",
                draw_multiple__policy="1",
                draw_true_false__practice="1",
            ),
            follow=True,
        )
        assert response.status_code == 200
        exam.refresh_from_db()
        assert exam.title == "改名的考试"
        assert "国家技术转移认证中心" in response.content.decode()


# -- the demo bank: answers spread, blind guessing fails --------------------------------------


@pytest.fixture
def demo_courses(base):
    from courses.demo import seed_base_courses

    return seed_base_courses(base)


def test_the_demo_banks_correct_answers_are_spread_over_the_positions(base, demo_courses):
    bank = Question.objects.filter(base=base)
    for level in {c.level for c in demo_courses}:
        for qtype in ("single", "multiple", "true_false"):
            answers = [tuple(q.correct) for q in bank.filter(level=level, type=qtype)]
            patterns = Counter(answers)
            share = max(patterns.values()) / len(answers)
            if qtype == "true_false":
                assert 0.4 <= share <= 0.6, (level, qtype, patterns)  # true and false mixed
            else:
                assert share <= 0.4, (level, qtype, patterns)
        singles = Counter(q.correct[0] for q in bank.filter(level=level, type="single"))
        assert set(singles) == {"A", "B", "C", "D"}


def _by_position(question, positions):
    return [question.options[i]["key"] for i in positions if i < len(question.options)]


BLIND = {
    # strategy: positions picked (as shown) for single, multiple, true/false
    "always the first option": ([0], [0], [0]),
    "always B": ([1], [1], [1]),
    "always A+C": ([0], [0, 2], [0]),
    "always true": ([0], [0], [0]),
    "B / A+C / true": ([1], [0, 2], [0]),
    "always A+B+C+D": ([0], [0, 1, 2, 3], [0]),
}


@pytest.mark.parametrize("shuffle", [True, False])
def test_blind_guessing_fails_every_demo_exam(base, demo_courses, shuffle):
    for seed, course in enumerate(demo_courses):
        exam = course.exams.get()
        exam.shuffle_options = shuffle
        exam.save(update_fields=["shuffle_options"])
        for name, (single, multiple, true_false) in BLIND.items():
            person = factories.UserFactory()
            enrolment_create(user=person, course=course, source="bulk")
            attempt = attempt_start(user=person, exam=exam, seed=seed)
            picks = {"single": single, "multiple": multiple, "true_false": true_false}
            answers = {
                q.position: _by_position(q, picks[q.type])
                for q in attempt.questions.all()
                if q.type in picks
            }
            attempt_save_answers(attempt=attempt, answers=answers)
            attempt_submit(attempt=attempt)
            attempt.refresh_from_db()
            assert attempt.status == "final", name
            assert attempt.passed is False, (course.level, name, attempt.percent)


def test_staff_of_the_base_cannot_sit_its_exams(client, base, course, written_exam):
    """Whoever can read a base's question bank (its faculty and editors, administrators)
    would pass its exam without study: they sit another base's exam instead."""
    for add in (training_base_faculty_add, training_base_editor_add):
        person = factories.UserFactory()
        enrolment_create(user=person, course=course)
        add(base=base, user=person)
        client.force_login(person)
        response = client.post(reverse("courses:exam_start", args=(written_exam.pk,)), follow=True)
        assert said(response.content.decode(), "题库", "question bank")
        assert not Attempt.objects.filter(user=person).exists()
    admin = factories.UserFactory(roles=["Administrator"])
    enrolment_create(user=admin, course=course)
    with pytest.raises(LearningError):
        attempt_start(user=admin, exam=written_exam)


# -- what is shown of one exam never helps at another from the same bank ------------------------


def test_review_waits_while_another_exam_from_the_same_bank_can_be_sat(
    client, base, course, review_exam, trainee
):
    """A practice exam's key is a final exam's key when both draw from the base's bank."""
    final = factories.exam(base, course, blueprint=review_exam.blueprint, max_attempts=1)
    with only_receivers(signals.exam_standards):
        review_exam.max_attempts = 1
        review_exam.save(update_fields=["max_attempts"])
        practice = _sit_blank(trainee, review_exam)
        assert "因为乙。" not in _result(client, practice)  # the final is still to be sat
        sitting = attempt_start(user=trainee, exam=final)
        assert "因为乙。" not in _result(client, practice)  # ... and is being sat
        attempt_submit(attempt=sitting, answers={})
        assert "因为乙。" in _result(client, practice)  # nothing left to sit from that bank


def test_questions_whose_answers_were_shown_never_come_again(client, review_exam, trainee):
    """Re-opening an exam after its key was shown (a late sitting) gives no one a paper they
    have seen the answers to."""
    factories.questions(review_exam.base, per_kind=1)  # a second question of each kind
    with only_receivers(signals.exam_standards):
        review_exam.max_attempts = 1
        review_exam.save(update_fields=["max_attempts"])
        first = _sit_blank(trainee, review_exam)
        assert "因为乙。" in _result(client, first)  # no attempts left: the key is shown
        first.refresh_from_db()
        assert first.key_shown_at is not None
        shown = set(first.questions.values_list("question_id", flat=True))

        review_exam.max_attempts = 2  # the base allows another sitting
        review_exam.save(update_fields=["max_attempts"])
        second = attempt_start(user=trainee, exam=review_exam)
        assert not shown & set(second.questions.values_list("question_id", flat=True))
        attempt_submit(attempt=second, answers={})
        _result(client, second)  # the last attempt again: its key is shown
        review_exam.max_attempts = 3  # and yet another
        review_exam.save(update_fields=["max_attempts"])
        # Every question of the bank has had its answer shown now: no third paper.
        with pytest.raises(LearningError):
            attempt_start(user=trainee, exam=review_exam)


def test_a_pass_keeps_the_rules_it_was_sat_under(base, course, trainee):
    """A certifying body judges the exam as it was sat, not as it was edited afterwards."""
    from courses import api

    factories.questions(base, per_kind=1)
    exam = factories.exam(
        base,
        course,
        pass_mark=30,
        time_limit_minutes=600,
        blueprint=[{"type": "single", "category": "general", "count": 1}],
    )
    attempt = attempt_start(user=trainee, exam=exam)
    attempt_submit(attempt=attempt, answers={1: attempt.questions.get().correct})
    exam.pass_mark, exam.time_limit_minutes = 60, 120
    exam.save(update_fields=["pass_mark", "time_limit_minutes"])
    (passed,) = api.exams_passed(user_id=trainee.pk)
    assert (passed.pass_mark, passed.time_limit_minutes) == (30, 600)


def test_the_paper_as_served_is_counted_by_module_once_when_drawn(
    base, course, trainee, django_assert_num_queries
):
    from courses import api

    factories.questions(base, per_kind=2)
    exam = factories.exam(
        base,
        course,
        pass_mark=30,
        blueprint=[
            {"type": "single", "category": "general", "count": 2},
            {"type": "true_false", "category": "policy", "count": 1},
        ],
    )
    attempt = attempt_start(user=trainee, exam=exam)
    served = Counter(attempt.questions.values_list("category", flat=True))
    assert attempt.paper_modules == dict(served) == {"general": 2, "policy": 1}
    attempt_submit(
        attempt=attempt, answers={q.position: q.correct for q in attempt.questions.all()}
    )
    # The pass is read in one query; an attempt from before the counts were kept is counted
    # from its paper's rows, with the same result.
    with django_assert_num_queries(1):
        (kept,) = api.exams_passed(user_id=trainee.pk)
    assert kept.questions_by_module == {"general": 2, "policy": 1}
    Attempt.objects.filter(pk=attempt.pk).update(paper_modules=None)
    with django_assert_num_queries(2):
        (counted,) = api.exams_passed(user_id=trainee.pk)
    assert counted.questions_by_module == {"general": 2, "policy": 1}
