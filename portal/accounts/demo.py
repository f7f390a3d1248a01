"""Demo accounts, one per role, and bulk trainees for benchmarks."""

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
    ),
    DemoAccount(
        "faculty@demo.local", "周晓彤", Role.FACULTY, Province.GUANGDONG, "某市技术交易中心"
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


def scale_trainees_create(*, count: int, seed: int = 2026) -> int:
    """Add ``count`` trainee accounts with verified e-mail; returns how many were new."""
    rng = random.Random(seed)
    password = make_password(DEMO_PASSWORD)
    trainee = Group.objects.get(name=Role.TRAINEE)
    provinces = Province.values
    # The most populous provinces get more trainees, as in reality.
    weights = [
        3 if code in ("44", "32", "33", "37", "11", "31", "51", "42") else 1 for code in provinces
    ]
    emails = [f"trainee{n:06d}@scale.demo.local" for n in range(1, count + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new_users = []
    for email in emails:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        province = rng.choices(provinces, weights)[0]
        if email in existing:
            continue
        new_users.append(
            User(
                email=email,
                real_name=name,
                province=province,
                organisation=Province(province).label + rng.choice(ORGANISATIONS),
                password=password,
            )
        )
    with transaction.atomic():
        User.objects.bulk_create(new_users, batch_size=2000)
        created = list(User.objects.filter(email__in=[u.email for u in new_users]))
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=trainee.pk) for u in created],
            batch_size=5000,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created],
            batch_size=5000,
        )
    return len(new_users)
