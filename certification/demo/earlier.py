"""The demo's earlier certificates: a realistic batch issued 2017–2020, before the portal,
imported once through the same checks and import as an uploaded file (certification/imports).

Made-up names, e-mail addresses and numbers. One record names the demo learner 赵敏's e-mail,
so signing in as her shows an earlier certificate to claim.
"""

import datetime
import random

from django.db import transaction

from certification.imports.models import ImportBatch
from certification.imports.services import certificates_check_rows, certificates_import
from certification.levels.models import CertificationLevel

DEMO_FILENAME = "历史证书-2017-2020（示例）.xlsx"
COUNT = 320
CLAIMABLE_EMAIL = "learner1@demo.local"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉宇浩凯健俊帆"
    "帅旭宁欣悦琳晨阳婷雪峰龙斌波宏志建国海林东文博"
)
PROVINCES = ["44", "44", "44", "45", "43", "46", "35", "36", "11", "31", "32", "33", "51"]
ORGANISATIONS = [
    "某高校技术转移中心",
    "某科技成果转化服务有限公司",
    "某知识产权运营有限公司",
    "某产业技术研究院",
    "某生产力促进中心",
    "某技术交易所",
    "某国家大学科技园",
    "某新材料有限公司",
]


def _rows(*, bodies) -> list[tuple[int, dict]]:
    """The batch as rows of a file: junior certificates of the first base's body, intermediate
    and senior ones of the national body; three-year validity, a few revoked."""
    rng = random.Random(2017)
    national = bodies["CN"]
    base_body = next(body for code, body in bodies.items() if code != "CN")
    levels = {level.code: level for level in CertificationLevel.objects.all()}
    sequences: dict[tuple, int] = {}
    rows = []
    for n in range(COUNT):
        year = 2017 + n * 4 // COUNT
        issued_on = datetime.date(year, rng.randint(3, 12), rng.randint(1, 28))
        draw = rng.random()
        if draw < 0.72:
            level, body = levels["junior_broker"], base_body
        elif draw < 0.93:
            level, body = levels["intermediate_broker"], national
        else:
            level, body = levels["senior_manager"], national
        key = (body.code, year)
        sequences[key] = sequences.get(key, 0) + 1
        if body is national:
            number = f"CNTT-{year}-{sequences[key]:05d}"
        else:
            number = f"粤技经证字〔{year}〕第{sequences[key]:04d}号"
        validity = level.validity_years or 3
        valid_until = issued_on.replace(year=issued_on.year + validity) - datetime.timedelta(1)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        values = {
            "name": name,
            "email": f"earlier{n + 1:04d}@example.com" if rng.random() < 0.8 else "",
            "phone": f"139{rng.randint(0, 99_999_999):08d}",
            "province": rng.choice(PROVINCES),
            "organisation": rng.choice(ORGANISATIONS),
            "level": level.code,
            "body": body.code,
            "number": number,
            "issued_on": issued_on,
            "valid_until": valid_until,
            "status": "有效",
        }
        if n % 97 == 13:  # a few revoked by the body back then
            values["status"] = "撤销"
            values["revoked_on"] = issued_on + datetime.timedelta(days=200)
        if n == 5:
            values.update(name="赵敏", email=CLAIMABLE_EMAIL, province="44")
        rows.append((n + 2, values))
    return rows


def seed_earlier_certificates(*, bodies, actor) -> int:
    """Import the demo's earlier batch unless it is there already; the number imported."""
    if ImportBatch.objects.filter(filename=DEMO_FILENAME).exists():
        return 0
    checked, errors = certificates_check_rows(_rows(bodies=bodies), bodies=None)
    if errors:  # the demo's own data is wrong: say where, rather than import half of it
        raise ValueError(f"demo earlier certificates: {errors[:3]}")
    with transaction.atomic():
        batch = certificates_import(rows=checked, actor=actor, filename=DEMO_FILENAME)
    return batch.rows
