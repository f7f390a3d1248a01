"""The demo's technology-contract registrars: a few registrar certificates of the national body
(imported as an earlier batch, through the same checks as an uploaded file), a provincial
registration office whose administrator has recorded three of them in post, and a follow-up
check (抽查). Made-up names and numbers. Idempotent: nothing is added on a second run."""

import datetime

from django.db import transaction
from django.utils import timezone

from certification.imports.models import ImportBatch
from certification.imports.services import certificates_check_rows, certificates_import
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel
from certification.registrars.models import RegistrationOffice
from certification.registrars.services import check_record, in_post_add
from courses.demo import seed_level_course

DEMO_FILENAME = "技术合同认定登记员证书（示例）.xlsx"
OFFICE = "广东省技术合同认定登记处"
NAMES = ["周志远", "陈静怡", "黄国栋", "林晓燕", "吴海峰"]


def _rows(*, body, today) -> list[tuple[int, dict]]:
    rows = []
    for n, name in enumerate(NAMES):
        issued_on = today - datetime.timedelta(days=300 + 40 * n)
        rows.append(
            (
                n + 2,
                {
                    "name": name,
                    "email": f"registrar{n + 1}@example.com",
                    "phone": f"1380000{n + 1:04d}",
                    "province": "44",
                    "organisation": OFFICE,
                    "level": "contract_registrar",
                    "body": body.code,
                    "number": f"CNTR-{issued_on.year}-{n + 1:05d}",
                    "issued_on": issued_on,
                    "valid_until": issued_on.replace(year=issued_on.year + 3)
                    - datetime.timedelta(days=1),
                    "status": "有效",
                },
            )
        )
    return rows


def seed_registrars(*, bodies, administrator, base=None) -> int:
    """A registrar course and exam at ``base`` (an ordinary course of the registrar track's
    level), the office, its registrars and a check; how many registrars were put in post."""
    if base is not None:
        seed_level_course(
            base, level="contract_registrar", name="技术合同认定登记员", slug="registrar"
        )
    if RegistrationOffice.objects.filter(name=OFFICE).exists():
        return 0
    national = bodies["CN"]
    national.levels.add(CertificationLevel.objects.get(code="contract_registrar"))
    today = timezone.localdate()
    with transaction.atomic():
        if not ImportBatch.objects.filter(filename=DEMO_FILENAME).exists():
            checked, errors = certificates_check_rows(
                _rows(body=national, today=today), bodies=None
            )
            if errors:
                raise ValueError(f"demo registrars: {errors[:3]}")
            certificates_import(rows=checked, actor=administrator, filename=DEMO_FILENAME)
        office = RegistrationOffice.objects.create(name=OFFICE, province="44")
        office.administrators.add(administrator)
        numbers = (
            Certificate.objects.filter(import_batch__filename=DEMO_FILENAME)
            .order_by("number")
            .values_list("number", "issued_on")
        )
        records = [
            in_post_add(actor=administrator, office=office, number=number, since=issued_on)
            for number, issued_on in list(numbers)[:3]
        ]
        check_record(
            actor=administrator,
            record_id=records[0].pk,
            checked_on=today - datetime.timedelta(days=20),
            outcome="satisfactory",
            finding="现场抽查：本人在岗，近三个月认定登记台账完整。",
        )
    return len(records)
