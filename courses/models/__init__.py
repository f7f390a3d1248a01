from .exams import Attempt, AttemptQuestion, Exam, GradeChange, Question, QuestionType
from .faculty import FacultyAccountLink, TeachingInvitation
from .feedback import CourseFeedback, FeedbackGiven, TeacherFeedback
from .invitations import EnrolmentInvitation
from .learning import AttendanceMark, Enrolment, LessonActivity, LessonCredit
from .pages import CourseIndexPage, CoursePage, Delivery, LessonPage, ModulePage

__all__ = [
    "Attempt",
    "AttemptQuestion",
    "AttendanceMark",
    "CourseFeedback",
    "CourseIndexPage",
    "CoursePage",
    "Delivery",
    "Enrolment",
    "EnrolmentInvitation",
    "Exam",
    "FacultyAccountLink",
    "FeedbackGiven",
    "GradeChange",
    "LessonActivity",
    "LessonCredit",
    "LessonPage",
    "ModulePage",
    "Question",
    "QuestionType",
    "TeacherFeedback",
    "TeachingInvitation",
]
