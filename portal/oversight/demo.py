"""Demo data of the oversight work: an institution that applied online, was approved and is
now an accredited base with its first editor, who has sent this year's self-assessment.
Idempotent: found again by its applicant, nothing is duplicated."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.accounts.demo import DemoAccount, demo_account_ensure
from portal.accounts.provinces import Province
from portal.accounts.roles import Role

from .applications import services as applications
from .models import BaseApplication, SelfAssessment
from .self_assessment import services as self_assessment

APPLICANT = DemoAccount(
    "newbase@demo.local",
    "周立新",
    Role.TRAINEE,
    Province.ZHEJIANG,
    "浙江技术转移研究院",
    with_totp=True,
)

APPLICATION = {
    "institution": "浙江技术转移研究院",
    "short_code": "ZJ-JZY",
    "province": Province.ZHEJIANG,
    "city": "杭州",
    "accreditation": "provincial",
    "levels": ["junior_broker", "intermediate_broker"],
    "profile": "研究院长期服务长三角地区的科技成果转化，自2019年起举办技术经纪人培训班，"
    "累计培训学员八百余人。",
    "facilities": "标准教室三间、线上学习平台一套、与十家企业共建的实践基地。",
    "faculty": "周立新，研究员，技术评估\n吴晓梅，副教授，知识产权运营\n郑海，高级经济师，技术合同",
    "contact_name": "周立新",
    "contact_phone": "0571-88880000",
    "contact_email": "newbase@demo.local",
    "website": "https://example.org/zj-jzy",
}

# A small, real PDF (one empty page): the sample material the demo application carries.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _sample(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, SAMPLE_PDF, content_type="application/pdf")


def seed_accredited_base(*, reviewer) -> BaseApplication:
    """The approved application and the base it made (reviewer: the demo administrator)."""
    applicant, _created = demo_account_ensure(APPLICANT)
    application = BaseApplication.objects.filter(applicant=applicant).first()
    if application is None:
        application = applications.application_submit(
            applicant=applicant, data=APPLICATION, uploads=[_sample("培训大纲样例.pdf")]
        )
        applications.application_comment(
            application_id=application.pk,
            actor=reviewer,
            comment="材料完整，实践基地协议已核实。",
        )
    if application.status == BaseApplication.Status.SUBMITTED:
        application = applications.application_decide(
            application_id=application.pk,
            actor=reviewer,
            decision=applications.Decision.APPROVE,
            comment="同意认定为省级培训基地。",
        )
    year = timezone.localdate().year
    if (
        application.base_id
        and not SelfAssessment.objects.filter(base_id=application.base_id, year=year).exists()
    ):
        self_assessment.self_assessment_submit(
            base_id=application.base_id,
            year=year,
            actor=applicant,
            texts={
                "facilities": "新建线上学习平台，支持直播授课。",
                "results": "首期初级班学员32人，考试通过率81%。",
            },
            summary="获批后首年开班两期，教学秩序良好。",
            uploads=[_sample("年度自评报告.pdf")],
        )
    return application
