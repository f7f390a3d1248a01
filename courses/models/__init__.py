from .exams import Attempt, AttemptQuestion, Exam, GradeChange, Question, QuestionType
from .invitations import EnrolmentInvitation
from .learning import AttendanceMark, Enrolment, LessonActivity, LessonCredit
from .pages import CourseIndexPage, CoursePage, Delivery, LessonPage, ModulePage

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "AttendanceMark",
    "CourseIndexPage",
    "CoursePage",
    "Delivery",
    "Enrolment",
    "EnrolmentInvitation",
    "Exam",
    "GradeChange",
    "LessonActivity",
    "LessonCredit",
    "LessonPage",
    "ModulePage",
    "Question",
    "QuestionType",
]
