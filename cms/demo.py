"""Demo content for the training-base CMS, written for this project.

The institutions, people and news below are invented for demonstration. Every builder looks its
page up by slug first, so running the seed again adds nothing and never overwrites an edit.
"""

import datetime
import hashlib
import io
from dataclasses import dataclass, field

from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page

from portal.accounts.provinces import Province

from .fonts import cjk_font_path, reportlab_cjk_font
from .models import (
    FacultyIndexPage,
    FacultyMemberPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    TextbookIndexPage,
    TextbookPage,
    TrainingBaseIndexPage,
    TrainingBasePage,
)
from .taxonomy import Accreditation, ModuleCategory, SeededLevels

L, M = SeededLevels, ModuleCategory


@dataclass
class DemoTextbook:
    slug: str
    title: str
    authors: str
    publisher: str
    edition: str
    year: int
    isbn: str
    levels: list
    modules: list
    summary: str
    chapters: list


@dataclass
class DemoFaculty:
    slug: str
    name: str
    professional_title: str
    organisation: str
    specialties: list
    levels: list
    modules: list
    biography: str


@dataclass
class DemoNews:
    slug: str
    title: str
    date: datetime.date
    summary: str
    paragraphs: list


@dataclass
class DemoBase:
    slug: str
    title: str
    short_code: str
    province: str
    city: str
    accreditation: str
    accredited_year: int | None
    summary: str
    address: str
    contact_person: str
    contact_phone: str
    contact_email: str
    website: str
    description: list
    colour: tuple
    textbooks: list = field(default_factory=list)
    faculty: list = field(default_factory=list)
    news: list = field(default_factory=list)


BASES = [
    DemoBase(
        slug="huanan",
        title="华南技术转移人才培训基地",
        short_code="GD-HN",
        province=Province.GUANGDONG,
        city="广州",
        accreditation=Accreditation.NATIONAL_2020,
        accredited_year=2020,
        summary="立足粤港澳大湾区，面向高校院所与制造业企业，开展技术经纪人分级培训和实训。",
        address="广州市天河区科韵路创新大厦8楼",
        contact_person="陈老师",
        contact_phone="020-8888-0101",
        contact_email="training@huanan.demo.local",
        website="https://huanan.demo.local/",
        description=[
            "基地依托区域内的技术交易市场和数十家技术转移机构，把课堂讲授、案例研讨和项目实训结合起来。",
            "学员在结业前需完成一个真实成果的转化方案，由企业导师和基地教师共同点评。",
        ],
        colour=(31, 78, 140),
        textbooks=[
            DemoTextbook(
                slug="jishu-jingjiren-shiwu",
                title="技术经纪人实务教程",
                authors="林海、周晓彤",
                publisher="科技培训出版社（演示）",
                edition="第2版",
                year=2025,
                isbn="978-7-5023-0001-2",
                levels=[L.JUNIOR_BROKER, L.INTERMEDIATE_BROKER],
                modules=[M.PRACTICE, M.GENERAL],
                summary="从成果筛选、价值评估到谈判签约，按技术转移项目的实际流程组织内容，每章附有练习。",
                chapters=["技术转移的基本流程", "科技成果的筛选与评价", "技术合同的谈判与签订"],
            ),
            DemoTextbook(
                slug="keji-chengguo-zhuanhua-zhengce",
                title="科技成果转化政策法规读本",
                authors="黄敏",
                publisher="科技培训出版社（演示）",
                edition="第1版",
                year=2024,
                isbn="978-7-5023-0002-9",
                levels=[L.JUNIOR_BROKER],
                modules=[M.POLICY],
                summary="梳理促进科技成果转化的法律、行政法规和地方性规定，配合典型案例讲解适用要点。",
                chapters=["成果转化法律体系", "职务科技成果的权属与收益", "技术合同认定登记"],
            ),
        ],
        faculty=[
            DemoFaculty(
                "lin-hai",
                "林海",
                "研究员",
                "华南技术转移研究院（演示）",
                ["技术评估", "知识产权运营"],
                [L.INTERMEDIATE_BROKER, L.SENIOR_MANAGER],
                [M.PRACTICE, M.ENHANCEMENT],
                "长期从事科技成果评估与知识产权运营，主持过多项高校专利作价入股项目。",
            ),
            DemoFaculty(
                "zhou-xiaotong",
                "周晓彤",
                "高级工程师",
                "某市技术交易中心（演示）",
                ["技术合同", "技术交易"],
                [L.JUNIOR_BROKER],
                [M.PRACTICE],
                "负责技术交易平台运营，熟悉技术合同的起草、审查与登记流程。",
            ),
            DemoFaculty(
                "huang-min",
                "黄敏",
                "副教授",
                "华南某大学法学院（演示）",
                ["科技法律", "知识产权运营"],
                [L.JUNIOR_BROKER, L.INTERMEDIATE_BROKER],
                [M.POLICY],
                "研究方向为科技法与知识产权法，参与过地方成果转化条例的起草论证。",
            ),
            DemoFaculty(
                "liang-zhiyuan",
                "梁志远",
                "投资总监",
                "大湾区科创投资基金（演示）",
                ["科技金融", "商业计划"],
                [L.SENIOR_MANAGER],
                [M.ENHANCEMENT],
                "专注早期硬科技项目投资，讲授成果转化中的融资路径与投资人视角。",
            ),
        ],
        news=[
            DemoNews(
                "2026-class-3-opens",
                "2026年第3期初级技术经纪人培训班开班",
                datetime.date(2026, 9, 15),
                "来自高校、院所和企业的学员参加了为期五天的集中培训。",
                [
                    "本期培训班围绕技术转移基础知识、政策法规和实务技能三个模块展开。",
                    "培训结束后学员将参加统一考试。",
                ],
            ),
            DemoNews(
                "enterprise-visit",
                "学员走进智能制造企业开展现场教学",
                datetime.date(2026, 10, 20),
                "现场教学让学员了解企业技术需求是如何形成和表达的。",
                ["学员分组访谈了企业研发负责人，整理出三项可对接的技术需求。"],
            ),
        ],
    ),
    DemoBase(
        slug="changsanjiao",
        title="长三角技术经理人培训中心",
        short_code="SH-CSJ",
        province=Province.SHANGHAI,
        city="上海",
        accreditation=Accreditation.NATIONAL_2015,
        accredited_year=2015,
        summary="面向中高级技术经理人，突出国际技术转移、概念验证和科技金融等能力提升内容。",
        address="上海市杨浦区创智路100号",
        contact_person="王老师",
        contact_phone="021-6666-0202",
        contact_email="academy@csj.demo.local",
        website="https://csj.demo.local/",
        description=[
            "中心与区域内的技术交易场所合作，为学员提供项目路演、挂牌交易等实践机会。",
            "高级班采用小班教学，以学员手中的真实项目作为案例。",
        ],
        colour=(0, 109, 119),
        textbooks=[
            DemoTextbook(
                slug="gaoji-jishu-jinglirens-nengli",
                title="高级技术经理人能力提升",
                authors="王立群",
                publisher="长三角科技出版社（演示）",
                edition="第1版",
                year=2026,
                isbn="978-7-5323-0003-7",
                levels=[L.SENIOR_MANAGER],
                modules=[M.ENHANCEMENT, M.PRACTICE],
                summary="聚焦概念验证、中试熟化、跨境技术转移与团队管理，适合已取得中级证书的学员。",
                chapters=["概念验证的组织方式", "跨境技术转移", "技术转移团队建设"],
            ),
            DemoTextbook(
                slug="jishu-zhuanyi-gonggong-zhishi",
                title="技术转移公共知识",
                authors="编写组",
                publisher="长三角科技出版社（演示）",
                edition="第3版",
                year=2023,
                isbn="",
                levels=[L.JUNIOR_BROKER, L.INTERMEDIATE_BROKER, L.SENIOR_MANAGER],
                modules=[M.GENERAL],
                summary="介绍技术市场、创新体系和技术转移职业伦理等各级学员共用的基础知识。",
                chapters=["技术市场概览", "国家创新体系", "职业道德与行为规范"],
            ),
        ],
        faculty=[
            DemoFaculty(
                "wang-liqun",
                "王立群",
                "教授",
                "上海某大学技术转移中心（演示）",
                ["概念验证", "国际技术转移"],
                [L.SENIOR_MANAGER],
                [M.ENHANCEMENT],
                "创办高校概念验证中心，推动多项实验室成果完成中试。",
            ),
            DemoFaculty(
                "zhao-yun",
                "赵芸",
                "合伙人律师",
                "某知识产权律师事务所（演示）",
                ["知识产权运营", "科技法律"],
                [L.INTERMEDIATE_BROKER, L.SENIOR_MANAGER],
                [M.POLICY, M.PRACTICE],
                "专注技术许可与专利交易，代理过多起跨境许可谈判。",
            ),
            DemoFaculty(
                "sun-qiming",
                "孙启明",
                "高级经济师",
                "长三角技术交易所（演示）",
                ["技术交易", "科技金融"],
                [L.JUNIOR_BROKER, L.INTERMEDIATE_BROKER],
                [M.PRACTICE],
                "参与设计技术成果挂牌交易规则，熟悉竞价与协议转让流程。",
            ),
            DemoFaculty(
                "he-jing",
                "何静",
                "副研究员",
                "某科学院科技战略研究所（演示）",
                ["创新政策", "技术评估"],
                [L.JUNIOR_BROKER],
                [M.GENERAL, M.POLICY],
                "研究区域创新政策与技术市场统计，讲授技术转移公共知识。",
            ),
        ],
        news=[
            DemoNews(
                "senior-class-roadshow",
                "高级技术经理人研修班举办项目路演",
                datetime.date(2026, 11, 2),
                "十二个学员项目登台路演，投资机构代表现场点评。",
                ["路演项目覆盖新材料、生物医药和集成电路等领域。"],
            ),
        ],
    ),
    DemoBase(
        slug="xibu",
        title="西部科技成果转化培训基地",
        short_code="SC-XB",
        province=Province.SICHUAN,
        city="成都",
        accreditation=Accreditation.PROVINCIAL,
        accredited_year=2022,
        summary="服务西部地区高校院所和县域企业，侧重初级技术经纪人培养和技术合同登记员培训。",
        address="成都市高新区天府大道创新中心3楼",
        contact_person="李老师",
        contact_phone="028-5555-0303",
        contact_email="edu@xibu.demo.local",
        website="",
        description=[
            "基地在多个地市设有教学点，线上课程与线下集中授课相结合。",
            "面向县域企业的专题班帮助企业科技人员学会提出和表达技术需求。",
        ],
        colour=(138, 75, 8),
        textbooks=[
            DemoTextbook(
                slug="jishu-hetong-dengji",
                title="技术合同认定登记实务",
                authors="李建国、张蓉",
                publisher="西部科教出版社（演示）",
                edition="第1版",
                year=2025,
                isbn="978-7-5364-0004-7",
                levels=[L.JUNIOR_BROKER],
                modules=[M.POLICY, M.PRACTICE],
                summary="讲解四类技术合同的认定要点、登记流程和常见问题，附大量合同文本示例。",
                chapters=["技术合同的种类", "认定登记的程序", "常见问题与处理"],
            ),
        ],
        faculty=[
            DemoFaculty(
                "li-jianguo",
                "李建国",
                "高级工程师",
                "某省技术市场服务中心（演示）",
                ["技术合同", "创新政策"],
                [L.JUNIOR_BROKER],
                [M.POLICY, M.PRACTICE],
                "从事技术合同认定登记工作十余年，是本基地登记员培训的主讲教师。",
            ),
            DemoFaculty(
                "zhang-rong",
                "张蓉",
                "讲师",
                "西部某理工大学（演示）",
                ["技术交易", "商业计划"],
                [L.JUNIOR_BROKER],
                [M.PRACTICE, M.GENERAL],
                "指导学生团队完成多项校企合作项目，讲授需求挖掘与商业计划。",
            ),
            DemoFaculty(
                "yang-fan",
                "杨帆",
                "总经理",
                "某技术转移服务公司（演示）",
                ["技术评估", "科技金融"],
                [L.INTERMEDIATE_BROKER],
                [M.ENHANCEMENT],
                "带领团队完成县域企业技术诊断百余次，熟悉基层技术转移服务。",
            ),
            DemoFaculty(
                "ma-li",
                "马丽",
                "副教授",
                "西部某财经大学（演示）",
                ["知识产权运营", "技术评估"],
                [L.INTERMEDIATE_BROKER],
                [M.PRACTICE],
                "研究专利价值评估方法，讲授成果定价与收益分配。",
            ),
        ],
        news=[
            DemoNews(
                "county-enterprise-class",
                "县域企业技术需求专题班在绵阳举办",
                datetime.date(2026, 8, 28),
                "四十余家企业的科技负责人参加培训。",
                ["课程围绕如何梳理企业技术难题、如何与高校院所对接展开。"],
            ),
        ],
    ),
]

NATIONAL_NEWS = [
    DemoNews(
        "platform-launch",
        "技术转移人才培训平台上线试运行",
        datetime.date(2026, 7, 1),
        "平台提供课程学习、考试、等级认证和证书查验等服务。",
        [
            "各培训基地可在平台上发布基地介绍、教材、师资和新闻。",
            "学员注册后即可报名课程，完成学时并通过考试后申请相应等级证书。",
        ],
    ),
    DemoNews(
        "syllabus-module-guide",
        "解读：培训大纲的四个模块",
        datetime.date(2026, 9, 1),
        "公共知识、政策法规、实务技能和能力提升四个模块构成了分层培训的主线。",
        [
            "初级培训侧重公共知识和政策法规，中级和高级培训逐步加大实务技能和能力提升内容的比重。",
        ],
    ),
    DemoNews(
        "goal-progress",
        "持证技术转移人才队伍持续壮大",
        datetime.date(2026, 11, 10),
        "各地培训基地持续扩大培训规模，持证人数稳步增长。",
        ["平台将按月公布各级别持证人数与规划目标的对比情况。"],
    ),
]

ABOUT_PARAGRAPHS = [
    "技术经纪人和技术经理人是连接科研成果与产业需求的专业人才。",
    "本平台按照“基地＋大纲/教材＋师资＋管理”的培训体系运行：培训基地开班并发布教材，"
    "学员按级别学习课程、参加考试，认证机构颁发分级证书。",
    "能力等级分为初级技术经纪人、中级技术经纪人和高级技术经理人三级，逐级申请。",
]


# -- builders --------------------------------------------------------------------------------


def _paragraphs(texts):
    return [("paragraph", f"<p>{text}</p>") for text in texts]


def _child(parent, model, slug, **fields):
    """The child of ``parent`` with ``slug``, created and published if missing."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing:
        return existing.specific, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _font(size):
    from PIL import ImageFont

    path = cjk_font_path()
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default()


def _image(title, collection, png_bytes):
    Image = get_image_model()
    existing = Image.objects.filter(title=title, collection=collection).first()
    if existing:
        return existing
    name = hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:12] + ".png"
    image = Image(title=title, collection=collection)
    image.file = ImageFile(io.BytesIO(png_bytes), name=name)
    image.save()
    return image


def portrait_png(name: str, colour: tuple) -> bytes:
    """A friendly generated portrait: a silhouette on a soft background, with a name initial."""
    from PIL import Image, ImageDraw

    seed = int(hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest(), 16)
    tint = tuple(min(255, c + 150 + (seed >> (i * 8)) % 40) for i, c in enumerate(colour))
    img = Image.new("RGB", (400, 480), tint)
    draw = ImageDraw.Draw(img)
    draw.ellipse((130, 90, 270, 230), fill=colour)
    draw.rounded_rectangle((70, 250, 330, 520), radius=120, fill=colour)
    draw.text((200, 420), name[:1], fill="white", font=_font(72), anchor="mm")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def banner_png(text: str, colour: tuple, size=(1200, 630)) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 60):
        draw.line(
            (i, size[1], i + size[1], 0), fill=tuple(min(255, c + 25) for c in colour), width=8
        )
    draw.text((size[0] // 2, size[1] // 2), text, fill="white", font=_font(56), anchor="mm")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def textbook_pdf(book: DemoTextbook) -> bytes:
    """A short but real PDF of the textbook: a title page and one page per chapter."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    if cjk_font_path():
        font = reportlab_cjk_font("TextbookCJK", document="demo textbook")
    else:  # ReportLab's built-in Adobe CID font needs no file on disk.
        font = "STSong-Light"
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("title", fontName=font, fontSize=26, leading=34, alignment=1)
    heading = ParagraphStyle("heading", fontName=font, fontSize=18, leading=26)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=19, wordWrap="CJK")
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=book.title, author=book.authors)
    story = [
        Spacer(1, 180),
        Paragraph(book.title, title),
        Spacer(1, 24),
        Paragraph(f"{book.authors} 编著", body),
        Paragraph(f"{book.publisher} · {book.edition} · {book.year}", body),
        Spacer(1, 24),
        Paragraph("本书为平台演示内容。", body),
        PageBreak(),
    ]
    for number, chapter in enumerate(book.chapters, start=1):
        story += [
            Paragraph(f"第{number}章 {chapter}", heading),
            Spacer(1, 12),
            Paragraph(book.summary, body),
            Paragraph("本章学习目标：理解基本概念，能结合案例完成练习。", body),
            PageBreak(),
        ]
    doc.build(story)
    return out.getvalue()


def _document(title, collection, pdf_bytes, filename):
    Document = get_document_model()
    existing = Document.objects.filter(title=title, collection=collection).first()
    if existing:
        return existing
    document = Document(title=title, collection=collection)
    document.file = SimpleUploadedFile(filename, pdf_bytes, content_type="application/pdf")
    document.save()
    return document


def _collection_of(base: TrainingBasePage) -> Collection:
    from .services import training_base_workspace_ensure

    return training_base_workspace_ensure(base=base).collection


def seed_base(index: TrainingBaseIndexPage, spec: DemoBase) -> TrainingBasePage:
    # Found by its code, so a base whose slug an editor changed is not created twice.
    existing = TrainingBasePage.objects.filter(short_code=spec.short_code).first()
    if existing is not None:
        return existing
    base, created = _child(
        index,
        TrainingBasePage,
        spec.slug,
        title=spec.title,
        short_code=spec.short_code,
        province=spec.province,
        city=spec.city,
        accreditation=spec.accreditation,
        accredited_year=spec.accredited_year,
        summary=spec.summary,
        address=spec.address,
        contact_person=spec.contact_person,
        contact_phone=spec.contact_phone,
        contact_email=spec.contact_email,
        website=spec.website,
        description=_paragraphs(spec.description),
    )
    collection = _collection_of(base)
    if created:
        base.logo = _image(
            f"{spec.title} 标志", collection, banner_png(spec.title[:2], spec.colour, (240, 240))
        )
        base.save_revision().publish()

    books, _ = _child(
        base, TextbookIndexPage, "textbooks", title="教材", intro="本基地编写和选用的教材。"
    )
    for book in spec.textbooks:
        if books.get_children().filter(slug=book.slug).exists():
            continue
        cover = _image(
            f"{book.title} 封面", collection, banner_png(book.title[:4], spec.colour, (480, 640))
        )
        document = _document(book.title, collection, textbook_pdf(book), f"{book.slug}.pdf")
        _child(
            books,
            TextbookPage,
            book.slug,
            title=book.title,
            authors=book.authors,
            publisher=book.publisher,
            edition=book.edition,
            year=book.year,
            isbn=book.isbn,
            levels=book.levels,
            modules=book.modules,
            summary=book.summary,
            cover=cover,
            document=document,
        )

    faculty, _ = _child(
        base, FacultyIndexPage, "faculty", title="师资", intro="本基地的专兼职教师。"
    )
    for person in spec.faculty:
        if faculty.get_children().filter(slug=person.slug).exists():
            continue
        member = FacultyMemberPage(
            slug=person.slug,
            title=person.name,
            professional_title=person.professional_title,
            organisation=person.organisation,
            levels=person.levels,
            modules=person.modules,
            biography=f"<p>{person.biography}</p>",
            photo=_image(f"{person.name} 照片", collection, portrait_png(person.name, spec.colour)),
        )
        member.specialties.add(*person.specialties)
        faculty.add_child(instance=member)
        member.save_revision().publish()

    news_index, _ = _child(base, NewsIndexPage, "news", title="基地动态")
    for item in spec.news:
        _child(
            news_index,
            NewsPage,
            item.slug,
            title=item.title,
            date=item.date,
            summary=item.summary,
            body=_paragraphs(item.paragraphs),
        )
    return base


def seed_content() -> list[TrainingBasePage]:
    """Build the demo site under the home page; returns the training bases, first one first."""
    home = HomePage.objects.first()
    if home is None:  # A site whose home page was removed: put one back under the root.
        home = HomePage(title="技术转移人才培训平台", slug="home")
        Page.get_first_root_node().add_child(instance=home)
        home.save_revision().publish()
    if not home.body:
        home.intro = (
            "<p>面向技术经纪人与技术经理人的培训、考试与能力等级认证平台："
            "培训基地发布课程与教材，学员分级学习，认证机构颁发可在线查验的证书。</p>"
        )
        home.body = [
            ("heading", {"text": "分级管理、分层培养", "size": "h2"}),
            *_paragraphs(
                [
                    "培训内容按照国家培训大纲分为公共知识、政策法规、实务技能和能力提升四个模块。",
                    "学员逐级完成学时和考试后，向认证机构申请初级技术经纪人、中级技术经纪人或高级技术经理人证书。",
                ]
            ),
        ]
        home.save_revision().publish()

    index, _ = _child(
        home,
        TrainingBaseIndexPage,
        "bases",
        title="培训基地",
        intro="<p>各培训基地负责开班授课、编写教材和建设师资队伍。</p>",
    )
    bases = [seed_base(index, spec) for spec in BASES]

    news, _ = _child(
        home, NewsIndexPage, "news", title="新闻动态", intro="平台与各培训基地的最新消息。"
    )
    for item in NATIONAL_NEWS:
        _child(
            news,
            NewsPage,
            item.slug,
            title=item.title,
            date=item.date,
            summary=item.summary,
            body=_paragraphs(item.paragraphs),
        )
    _child(
        home,
        StandardPage,
        "about",
        title="关于平台",
        intro="平台服务于技术转移专业人才的培养、评价与管理。",
        body=_paragraphs(ABOUT_PARAGRAPHS),
    )
    return bases
