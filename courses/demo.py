"""Demo courses, question banks, exams and learning records, written for this project.

Idempotent like the rest of the seed: a base that already has its course index is left as it
is, and demo trainees who already have records get no new ones.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from cms.models import TrainingBasePage
from cms.taxonomy import ModuleCategory, SeededLevels

from .models import (
    CourseIndexPage,
    CoursePage,
    Delivery,
    Exam,
    LessonPage,
    ModulePage,
    Question,
)
from .services import (
    activity_replay,
    answer_grade,
    attempt_start,
    attempt_submit,
    attendance_check_in,
    enrolment_create,
    lesson_complete,
)
from .tracking import check_in_code, code_step

LEVEL_NAMES = {
    SeededLevels.JUNIOR_BROKER: "初级技术经纪人",
    SeededLevels.INTERMEDIATE_BROKER: "中级技术经纪人",
    SeededLevels.SENIOR_MANAGER: "高级技术经理人",
}
LEVEL_SLUGS = {
    SeededLevels.JUNIOR_BROKER: "junior",
    SeededLevels.INTERMEDIATE_BROKER: "intermediate",
    SeededLevels.SENIOR_MANAGER: "senior",
}

MODULE_LESSONS = {
    ModuleCategory.GENERAL: (
        "技术转移概论",
        ["技术市场的构成", "国家创新体系与技术转移", "职业伦理与保密义务"],
    ),
    ModuleCategory.POLICY: (
        "政策法规",
        ["成果转化法律体系", "职务科技成果的权属", "技术合同认定登记"],
    ),
    ModuleCategory.PRACTICE: ("实务技能", ["成果筛选与价值评估", "技术需求挖掘", "许可与转让谈判"]),
    ModuleCategory.ENHANCEMENT: ("能力提升", ["概念验证与中试", "科技金融工具", "跨境技术转移"]),
}

# Facts each module's questions are built from: (statement that is true, a false variant).
FACTS = {
    ModuleCategory.GENERAL: [
        (
            "技术经纪人的核心作用是促成技术供需双方达成交易",
            "技术经纪人的核心作用是替企业完成全部研发",
        ),
        ("技术市场是五大生产要素市场之一", "技术市场不属于生产要素市场"),
        ("技术转移服务应当遵守保密义务", "技术转移服务可以随意披露委托方的技术秘密"),
        ("技术转移人才分为初级、中级和高级三个能力等级", "技术转移人才只设一个等级"),
        ("培训大纲将培训内容分为四个模块", "培训大纲没有划分模块"),
    ],
    ModuleCategory.POLICY: [
        (
            "技术合同分为技术开发、技术转让、技术许可、技术咨询和技术服务等类型",
            "技术合同只有买卖一种类型",
        ),
        ("经认定登记的技术合同可以依法享受相关税收优惠", "技术合同认定登记与税收优惠没有任何关系"),
        ("职务科技成果转化收益应当依法奖励完成人", "职务科技成果转化不得奖励个人"),
        ("促进科技成果转化法是成果转化的基本法律", "成果转化没有专门的法律依据"),
        ("技术合同认定登记需要提交合同文本", "技术合同认定登记无需任何材料"),
    ],
    ModuleCategory.PRACTICE: [
        ("成果评估常用成本法、市场法和收益法", "成果评估只能采用成本法"),
        ("许可可以分为独占、排他和普通许可", "许可只有一种形式"),
        ("谈判前应当明确技术的权属状况", "谈判前无需核实技术权属"),
        ("需求挖掘应从企业的真实技术难题出发", "需求挖掘只需关注高校的研究方向"),
        ("技术转让合同应当约定交付内容和验收标准", "技术转让合同不需要约定验收标准"),
    ],
    ModuleCategory.ENHANCEMENT: [
        ("概念验证用于检验成果的技术与商业可行性", "概念验证是成果转化的最后一步"),
        ("早期科技项目常通过风险投资获得资金", "早期科技项目不能获得任何外部资金"),
        ("跨境技术转移需要关注出口管制规定", "跨境技术转移不受任何监管"),
        ("中试熟化可以降低成果产业化的风险", "中试熟化会增加产业化风险"),
        ("高级技术经理人需要具备团队管理能力", "高级技术经理人无需管理能力"),
    ],
}


# The correct options of the multiple-choice questions, in turn: two or three of four, in
# every arrangement, so that no one pattern covers more than a few questions.
MULTIPLE_PATTERNS = ["AC", "BD", "AD", "BC", "CD", "AB", "ABD", "BCD", "ACD", "ABC"]


def _questions_for(base: TrainingBasePage, level: str) -> list[Question]:
    made = []
    for module_number, (category, facts) in enumerate(FACTS.items()):
        for n, (truth, falsehood) in enumerate(facts):
            others = [f for f in facts if f[0] != truth]
            made.append(
                Question(
                    base=base,
                    level_id=level,
                    category=category,
                    type="true_false",
                    status="active",
                    stem=f"判断：{truth}。",
                    options=[],
                    correct=["T"],
                    explanation=f"正确。{truth}。",
                    difficulty=1,
                )
            )
            made.append(
                Question(
                    base=base,
                    level_id=level,
                    category=category,
                    type="true_false",
                    status="active",
                    stem=f"判断：{falsehood}。",
                    options=[],
                    correct=["F"],
                    explanation=f"错误。{truth}。",
                    difficulty=1,
                )
            )
            # Correct answers are spread over the positions (by the fact's number and the
            # module's), so that no blind pattern (always B, always A+C) passes a paper.
            spread = n + 5 * module_number
            single_at = spread % 4
            distractors = [falsehood, others[0][1], others[1][1]]
            texts = distractors[:single_at] + [truth] + distractors[single_at:]
            made.append(
                Question(
                    base=base,
                    level_id=level,
                    category=category,
                    type="single",
                    status="active",
                    stem=f"下列说法中正确的是（第{n + 1}组）：",
                    options=[
                        {"key": key, "text": text} for key, text in zip("ABCD", texts, strict=True)
                    ],
                    correct=["ABCD"[single_at]],
                    explanation=f"{truth}。",
                    difficulty=2,
                )
            )
            pattern = MULTIPLE_PATTERNS[spread % len(MULTIPLE_PATTERNS)]
            truths = iter([truth, others[0][0], others[1][0]])
            falsehoods = iter([falsehood, others[2][1]])
            texts = [next(truths) if key in pattern else next(falsehoods) for key in "ABCD"]
            made.append(
                Question(
                    base=base,
                    level_id=level,
                    category=category,
                    type="multiple",
                    status="active",
                    stem=f"下列说法中正确的有（第{n + 1}组）：",
                    options=[
                        {"key": key, "text": text} for key, text in zip("ABCD", texts, strict=True)
                    ],
                    correct=sorted(pattern),
                    explanation="；".join(
                        t for k, t in zip("ABCD", texts, strict=True) if k in pattern
                    )
                    + "。",
                    difficulty=3,
                )
            )
        made.append(
            Question(
                base=base,
                level_id=level,
                category=category,
                type="short",
                status="active",
                stem=f"请结合实例，简述“{MODULE_LESSONS[category][0]}”模块中你认为最重要的一点。",
                reference_answer="言之有据，结合实例说明要点即可。",
                points=Decimal("5"),
                difficulty=2,
            )
        )
    for question in made:
        if question.type == "true_false":
            question.options = [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}]
    return Question.objects.bulk_create(made)


BLUEPRINT = [
    row
    for category in ModuleCategory.values
    for row in (
        {"type": "single", "category": category, "count": 3},
        {"type": "multiple", "category": category, "count": 2},
        {"type": "true_false", "category": category, "count": 2},
    )
] + [{"type": "short", "category": ModuleCategory.PRACTICE, "count": 1}]


def _session_start(now, n):
    """When the in-person session of lesson ``n`` was held: a week ago, from 09:00 local."""
    day = timezone.localdate(now - datetime.timedelta(days=7))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + n)))


def _child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def seed_base_courses(base: TrainingBasePage) -> list[CoursePage]:
    """A course per level, with modules, lessons, a question bank and an exam."""
    index = CourseIndexPage.objects.child_of(base).first()
    if index is not None:
        return list(CoursePage.objects.child_of(index).filter(level__in=list(LEVEL_NAMES)))
    index = _child(
        base, CourseIndexPage(title="培训课程", slug="courses", intro="本基地开设的分级培训班。")
    )
    now = timezone.now()
    courses = []
    for number, level in enumerate(LEVEL_NAMES, start=1):
        courses.append(
            _level_course(
                base, index, level=level, name=LEVEL_NAMES[level], slug=LEVEL_SLUGS[level],
                number=number, now=now,
            )
        )  # fmt: skip
    return courses


def seed_level_course(base: TrainingBasePage, *, level: str, name: str, slug: str):
    """A course of any level (e.g. the registrar track's) at ``base``, with modules, lessons,
    a question bank and an exam like the ladder's; the existing one on a second run."""
    index = CourseIndexPage.objects.child_of(base).first()
    found = CoursePage.objects.child_of(index).filter(slug=slug).first() if index else None
    if index is None or found is not None:
        return found
    return _level_course(
        base, index, level=level, name=name, slug=slug, number=1, now=timezone.now()
    )


def _level_course(base, index, *, level: str, name: str, slug: str, number: int, now):
    course = _child(
        index,
        CoursePage(
            title=f"{name}培训班",
            slug=slug,
            level_id=level,
            class_name=f"2026年第{number}期{name}培训班",
            delivery=Delivery.BLENDED,
            # Running: three weeks in, six weeks to go.
            start_date=timezone.localdate(now - datetime.timedelta(days=21)),
            end_date=timezone.localdate(now + datetime.timedelta(days=42)),
            sequential=level == SeededLevels.JUNIOR_BROKER,
            enrolment_opens=now - datetime.timedelta(days=30),
            enrolment_closes=now + datetime.timedelta(days=30),
            capacity=60,
            summary=f"面向{name}的系统培训：线上学习与线下面授相结合，结业须通过考试。",
        ),
    )
    for category, (module_title, lessons) in MODULE_LESSONS.items():
        module = _child(course, ModulePage(title=module_title, slug=category, category=category))
        for n, lesson_title in enumerate(lessons, start=1):
            in_person = category == ModuleCategory.PRACTICE and n == len(lessons)
            _child(
                module,
                LessonPage(
                    title=lesson_title,
                    slug=f"lesson-{n}",
                    hours=Decimal("2.0") if in_person else Decimal("1.5"),
                    delivery=Delivery.IN_PERSON if in_person else Delivery.ONLINE,
                    required=True,
                    summary=f"<p>本课时讲解{lesson_title}的基本概念与常见做法。</p>",
                    body=[("paragraph", f"<p>{lesson_title}：学习要点与案例讨论。</p>")],
                    session_starts=_session_start(now, n) if in_person else None,
                    session_ends=_session_start(now, n) + datetime.timedelta(hours=2)
                    if in_person
                    else None,
                    location=f"{base.city}培训中心 201 教室" if in_person else "",
                ),
            )
    _questions_for(base, level)
    Exam.objects.create(
        base=base,
        title=f"{name}结业考试",
        level_id=level,
        course=course,
        eligibility=Exam.Eligibility.COURSE_ENROLLED,
        blueprint=BLUEPRINT,
        time_limit_minutes=60,
        pass_mark=60,
        max_attempts=2,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now + datetime.timedelta(days=90),
        allow_review=True,
        is_published=True,
    )
    return course


def _answers(attempt, right: bool, rng: random.Random) -> dict:
    answers = {}
    for q in attempt.questions.all():
        if q.type in ("short", "case"):
            answers[q.position] = (
                "以某高校专利许可项目为例：先核实权属，再评估价值，最后约定分期付款。"
            )
        elif right or rng.random() < 0.3:
            answers[q.position] = q.correct if q.type == "multiple" else q.correct[0]
        else:
            wrong = [o["key"] for o in q.options if o["key"] not in q.correct]
            answers[q.position] = wrong[:1] if q.type == "multiple" else wrong[0]
    return answers


def _study(*, trainee, lesson: LessonPage, start, rng: random.Random):
    """The trainee keeps the lesson's page open and in front from ``start``: a heartbeat
    every 30 s, a little longer than the credit needs, through the services' rules. Returns
    when they stopped."""
    seconds = lesson.required_active_seconds + rng.randint(2, 25) * 60
    steps = range(seconds // 30 + 2)
    beats = [(start + datetime.timedelta(seconds=30 * step), []) for step in steps]
    activity_replay(user=trainee, lesson=lesson, beats=beats)
    return beats[-1][0]


def _learn_honestly(*, trainee, course: CoursePage, lessons, upto: int, rng: random.Random):
    """Study the course's first ``upto`` lessons in order, the way the portal counts it:
    an evening per online lesson (time tracked, then credited), check-in with the room's code
    at the in-person session."""
    today = timezone.localdate()
    day = course.start_date
    for lesson in lessons[:upto]:
        if lesson.delivery == Delivery.IN_PERSON:
            at = lesson.session_starts + datetime.timedelta(minutes=rng.randint(-10, 10))
            code = check_in_code(lesson.pk, code_step(at))
            attendance_check_in(user=trainee, lesson=lesson, code=code, now=at)
            continue
        if day >= today:
            break
        start = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(19, rng.randint(0, 40)))
        )
        end = _study(trainee=trainee, lesson=lesson, start=start, rng=rng)
        lesson_complete(user=trainee, lesson=lesson, now=end)
        day += datetime.timedelta(days=1)


def seed_learning(*, course: CoursePage, trainee, story: str, grader, rng: random.Random) -> None:
    """Give ``trainee`` a record in ``course`` that tells ``story``.

    Stories: ``passed`` (all lessons done, exam passed), ``failed`` (exam failed),
    ``grading`` (answers waiting for a grade), ``in_progress`` (half-way through the lessons).
    Lessons are studied and credited through the rules (tracked time, check-in), with the
    clock set back to the course's first weeks.
    """
    if course.enrolments.filter(user=trainee).exists():
        return
    enrolment_create(user=trainee, course=course, source="bulk")
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    whole = story in ("passed", "failed", "grading")
    _learn_honestly(
        trainee=trainee,
        course=course,
        lessons=lessons,
        upto=len(lessons) if whole else len(lessons) // 2,
        rng=rng,
    )
    if story == "in_progress":
        return  # half-way: the exam opens to them once they hold the level's hours
    exam = course.exams.first()
    attempt = attempt_start(user=trainee, exam=exam, seed=rng.random())
    answers = _answers(attempt, right=story in ("passed", "grading"), rng=rng)
    attempt_submit(attempt=attempt, answers=answers)
    if story in ("passed", "failed"):
        for question in attempt.questions.filter(type__in=["short", "case"]):
            score = question.points * (Decimal("0.8") if story == "passed" else Decimal("0.2"))
            answer_grade(
                question=question,
                score=score.quantize(Decimal("1")),
                by=grader,
                comment="要点基本完整。",
            )
