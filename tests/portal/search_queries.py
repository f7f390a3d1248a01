"""Realistic queries on the demo content (``manage.py seed_demo``), each with what it must find.

Shared by the SQLite check (tests/portal/test_search_queries.py) and the PostgreSQL one
(tests/services/test_search.py). Each row: the query as a person types it, the kind of result
(the site search's ``kind``), and the title (for the registry: the person's name) that must be
on the first page of that kind's results.
"""

from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags

QUERIES = [
    # Level names and two-character words
    ("初级", "course", "初级技术经纪人培训班"),
    ("中级", "course", "中级技术经纪人培训班"),
    ("高级", "course", "高级技术经理人培训班"),
    ("培训", "base", "华南技术转移人才培训基地"),
    ("初级技术经纪人", "course", "初级技术经纪人培训班"),
    ("高级技术经理人", "textbook", "高级技术经理人能力提升"),
    ("技术经纪人", "textbook", "技术经纪人实务教程"),
    ("经纪人", "course", "中级技术经纪人培训班"),
    ("经理人", "base", "长三角技术经理人培训中心"),
    ("技术经纪人培训", "course", "初级技术经纪人培训班"),
    ("结业", "course", "初级技术经纪人培训班"),
    # Places
    ("华南", "base", "华南技术转移人才培训基地"),
    ("长三角", "base", "长三角技术经理人培训中心"),
    ("西部", "base", "西部科技成果转化培训基地"),
    ("广州", "base", "华南技术转移人才培训基地"),
    ("上海", "base", "长三角技术经理人培训中心"),
    ("成都", "base", "西部科技成果转化培训基地"),
    ("绵阳", "news", "县域企业技术需求专题班在绵阳举办"),
    ("大湾区", "base", "华南技术转移人才培训基地"),
    ("粤港澳", "base", "华南技术转移人才培训基地"),
    ("县域", "base", "西部科技成果转化培训基地"),
    # People, whole and partial names
    ("林海", "faculty", "林海"),
    ("晓彤", "faculty", "周晓彤"),
    ("启明", "faculty", "孙启明"),
    ("王立群", "faculty", "王立群"),
    ("志远", "faculty", "梁志远"),
    ("副教授", "faculty", "马丽"),
    # Specialties and subjects
    ("知识产权", "faculty", "赵芸"),
    ("科技金融", "faculty", "杨帆"),
    ("专利", "faculty", "林海"),
    ("概念验证", "textbook", "高级技术经理人能力提升"),
    ("政策法规", "textbook", "科技成果转化政策法规读本"),
    ("认定登记", "textbook", "技术合同认定登记实务"),
    ("公共知识", "textbook", "技术转移公共知识"),
    ("技术经纪人 实务", "textbook", "技术经纪人实务教程"),
    # Lessons
    ("成果筛选", "lesson", "成果筛选与价值评估"),
    ("中试", "lesson", "概念验证与中试"),
    ("跨境", "lesson", "跨境技术转移"),
    ("需求挖掘", "lesson", "技术需求挖掘"),
    # News and pages
    ("路演", "news", "高级技术经理人研修班举办项目路演"),
    ("开班", "news", "2026年第3期初级技术经纪人培训班开班"),
    ("2026年第3期", "news", "2026年第3期初级技术经纪人培训班开班"),
    ("初级 考试", "news", "2026年第3期初级技术经纪人培训班开班"),
    ("上线", "news", "技术转移人才培训平台上线试运行"),
    ("四个模块", "news", "解读：培训大纲的四个模块"),
    ("持证", "news", "持证技术转移人才队伍持续壮大"),
    ("智能制造", "news", "学员走进智能制造企业开展现场教学"),
    ("逐级申请", "page", "关于平台"),
    # The public registry (the demo trainee is listed), in Chinese and in English
    ("张伟", "registry", "张伟"),
    ("新材料", "registry", "张伟"),
    ("Guangdong", "registry", "张伟"),
    ("Junior", "registry", "张伟"),
]


def demo_search_site() -> None:
    """The demo's published content, built by the demo's own seeders (cms.demo: bases,
    textbooks, faculty, news, about; courses.demo: each base's courses, modules and lessons),
    and the demo trainee's listing in the registry as certification.demo.stories makes it (a
    junior certificate in force; written directly, without the demo's learning records)."""
    from certification.registry.services import registry_join
    from cms.demo import seed_content
    from courses.demo import seed_base_courses
    from tests.certification.records import certificate_record, holder_record

    for base in seed_content():
        seed_base_courses(base)
    holder = holder_record("44", real_name="张伟", email="trainee@demo.local")
    certificate_record(holder, issued_on=timezone.localdate())
    registry_join(
        user=holder,
        organisation="华南技术转移中心",
        specialties="新材料, 专利运营, 技术合同",
        public_contact="合作洽谈请经平台留言",
    )


def misses(client: Client) -> list[str]:
    """The queries whose page is not on the first page of its kind's results, with what was
    found instead."""
    problems = []
    for query, kind, title in QUERIES:
        response = client.get("/search/", {"q": query, "kind": kind})
        assert response.status_code == 200, query
        context = response.context
        if kind == "registry":
            found = [strip_tags(entry.name) for entry in context["registry"]["entries"]]
        else:
            found = [hit.page.title for group in context["groups"] for hit in group.hits]
        if title not in found:
            problems.append(f"{query!r} ({kind}) did not find {title!r}; found {found}")
    return problems
