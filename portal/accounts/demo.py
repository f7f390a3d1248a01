"""Demo accounts, one per role, and bulk trainees for benchmarks."""

import datetime
import itertools
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import User
from .provinces import Province
from .roles import Role

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - published in the README for the demo


@dataclass(frozen=True)
class DemoAccount:
    email: str
    real_name: str
    role: str
    province: str
    organisation: str
    with_totp: bool = False
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount(
        "trainee@demo.local", "张伟", Role.TRAINEE, Province.GUANGDONG, "广州某新材料有限公司"
    ),
    DemoAccount(
        "editor@demo.local",
        "陈思",
        Role.BASE_EDITOR,
        Province.GUANGDONG,
        "华南技术转移人才培训基地",
        with_totp=True,  # every staff role signs in with a second factor
    ),
    DemoAccount(
        "faculty@demo.local",
        "周晓彤",
        Role.FACULTY,
        Province.GUANGDONG,
        "某市技术交易中心",
        with_totp=True,
    ),
    DemoAccount(
        "certifier@demo.local",
        "刘静",
        Role.CERTIFIER,
        Province.BEIJING,
        "国家技术转移人才认证中心",
        with_totp=True,
    ),
    DemoAccount(
        "admin@demo.local",
        "王主任",
        Role.ADMINISTRATOR,
        Province.BEIJING,
        "技术市场主管部门",
        with_totp=True,
        superuser=True,
    ),
]


# More trainees, so every state of a learning record can be seen on the demo.
DEMO_LEARNERS = [
    DemoAccount("learner1@demo.local", "赵敏", Role.TRAINEE, Province.GUANGDONG, "某电子科技公司"),
    DemoAccount("learner2@demo.local", "钱坤", Role.TRAINEE, Province.HUNAN, "某大学科研院"),
    DemoAccount("learner3@demo.local", "孙丽", Role.TRAINEE, Province.GUANGXI, "某生物医药公司"),
    DemoAccount("learner4@demo.local", "李娜", Role.TRAINEE, Province.GUANGDONG, "某装备制造企业"),
]


def _verified_email(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def demo_account_ensure(spec: DemoAccount) -> tuple[User, bool]:
    """The demo account for ``spec``; created with the demo password if missing."""
    user = User.objects.filter(email=spec.email).first()
    created = user is None
    if created:
        user = User(
            email=spec.email,
            real_name=spec.real_name,
            province=spec.province,
            organisation=spec.organisation,
            is_staff=spec.superuser,
            is_superuser=spec.superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get(name=spec.role))
    _verified_email(user)
    if (
        spec.with_totp
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, generate_totp_secret())
    return user, created


def totp_current_code(user: User) -> str | None:
    """The code the user's authenticator app would show right now, or None without one."""
    import time

    from allauth.mfa import app_settings

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏晨辉宇浩凯健俊帆雪琳晶欣然博文亮婷颖"
)
ORGANISATIONS = [
    "大学技术转移中心",
    "科学院研究所",
    "科技服务有限公司",
    "制造股份有限公司",
    "技术交易中心",
    "产业技术研究院",
]


SCALE_EMAIL = "trainee{n:06d}@scale.demo.local"
# The most populous provinces get more trainees, as in reality; none come from Taiwan, few
# from Hong Kong and Macao.
SCALE_PROVINCE_WEIGHTS = {
    code: 3 if code in ("44", "32", "33", "37", "11", "31", "51", "42") else 1
    for code in Province.values
} | {"71": 0, "81": 0.2, "82": 0.2}


@dataclass(frozen=True)
class ScaleTrainee:
    """The n-th bulk trainee: always the same person, whatever the number asked for."""

    n: int
    email: str
    real_name: str
    province: str
    organisation: str


def scale_trainees(*, count: int, seed: int = 2026) -> list[ScaleTrainee]:
    """Trainees 1 to ``count``; each drawn from its own seeded generator."""
    provinces = list(SCALE_PROVINCE_WEIGHTS)
    cumulative = list(itertools.accumulate(SCALE_PROVINCE_WEIGHTS.values()))
    labels = {code: str(Province(code).label) for code in provinces}
    trainees = []
    for n in range(1, count + 1):
        rng = random.Random(f"{seed}:trainee:{n}")
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        province = rng.choices(provinces, cum_weights=cumulative)[0]
        trainees.append(
            ScaleTrainee(
                n=n,
                email=SCALE_EMAIL.format(n=n),
                real_name=name,
                province=province,
                organisation=labels[province] + rng.choice(ORGANISATIONS),
            )
        )
    return trainees


def scale_trainee_ids(*, trainees: list[ScaleTrainee]) -> dict[int, int]:
    """The user ids of those trainees who have an account, by trainee number."""
    number_of = {t.email: t.n for t in trainees}
    domain = SCALE_EMAIL.split("@", 1)[1]
    accounts = User.objects.filter(email__endswith=f"@{domain}").values_list("email", "pk")
    return {number_of[email]: pk for email, pk in accounts.iterator() if email in number_of}


@transaction.atomic
def scale_trainees_create(
    *, trainees: list[ScaleTrainee], joined_at: dict[int, datetime.datetime] | None = None
) -> dict[int, int]:
    """Give each trainee an account with a verified e-mail and the demo password, unless they
    have one; returns every trainee's user id by number. ``joined_at`` dates new accounts."""
    ids = scale_trainee_ids(trainees=trainees)
    missing = [t for t in trainees if t.n not in ids]
    password = make_password(DEMO_PASSWORD)
    joined_at = joined_at or {}
    now = timezone.now()
    users = [
        User(
            email=t.email,
            real_name=t.real_name,
            province=t.province,
            organisation=t.organisation,
            password=password,
            date_joined=joined_at.get(t.n, now),
        )
        for t in missing
    ]
    User.objects.bulk_create(users, batch_size=2000)
    created = scale_trainee_ids(trainees=missing)
    trainee = Group.objects.get(name=Role.TRAINEE)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=trainee.pk) for pk in created.values()],
        batch_size=5000,
    )
    number_of = {t.n: t.email for t in missing}
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=number_of[n], verified=True, primary=True)
            for n, pk in created.items()
        ],
        batch_size=5000,
    )
    return ids | created
