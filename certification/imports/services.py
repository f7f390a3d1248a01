"""Earlier and external certificates from XLSX: the template, the row-by-row check, the import.

The file has one header row in Chinese, a hidden second row of stable English keys, then one
certificate per row; columns are found by either header. Every row is checked before anything is
written (``certificates_check_xlsx``), and ``certificates_import`` writes all rows or none.
Nothing here knows about requests.
"""

import datetime
import io
import re
import secrets
import string
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from certification.access import certifier_body_ids
from certification.audit.chain import audit_append_many
from certification.imports.models import ImportBatch, ImportedHolder
from certification.issuing.models import Certificate, NumberSequence
from certification.levels.models import CertificationLevel, CertifyingBody
from portal.accounts.phone import phone_normalised
from portal.accounts.provinces import Province
from portal.accounts.spreadsheets import SpreadsheetRefused, xlsx_open

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_SHEET_ROWS = 100_000
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
BATCH_SIZE = 1000
LOOKUP_CHUNK = 500  # numbers per "already on record?" query: inside every database's limits
EARLIEST_ISSUE = datetime.date(1990, 1, 1)
SHEET_TITLE = "证书"

# (key, header): the template's column order. Keys never change; headers are the file format's
# Chinese names, the same in every interface language.
COLUMNS = [
    ("name", "姓名"),
    ("email", "电子邮箱"),
    ("phone", "手机号"),
    ("province", "省份"),
    ("organisation", "工作单位"),
    ("level", "等级"),
    ("body", "认证机构"),
    ("number", "证书编号"),
    ("issued_on", "发证日期"),
    ("valid_until", "有效期至"),
    ("status", "状态"),
    ("revoked_on", "撤销日期"),
]
HEADERS = dict(COLUMNS)
REQUIRED_COLUMNS = ("name", "level", "body", "number", "issued_on")

STATUS_NAMES = {
    Certificate.Status.VALID: ("有效", "valid"),
    Certificate.Status.EXPIRED: ("过期", "已过期", "expired"),
    Certificate.Status.REVOKED: ("撤销", "已撤销", "revoked"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the row number the spreadsheet shows, the column's header ("" for
    the whole row) and a message for people."""

    row: int
    column: str
    message: str


@dataclass
class CheckedRow:
    """One row that passed every check, ready to import."""

    row: int
    name: str
    email: str
    phone: str
    province: str
    organisation: str
    level: CertificationLevel
    body: CertifyingBody
    number: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    status: str
    revoked_on: datetime.date | None

    @property
    def person_key(self) -> str:
        return f"e:{self.email}" if self.email else f"p:{self.phone}"


# -- template --------------------------------------------------------------------------------


def import_template_xlsx(*, bodies=None) -> bytes:
    """The empty template: headers, the hidden row of keys, one example row and lists of the
    levels and bodies (``bodies``: the ones the person may import for; None for all)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for column, (key, header) in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=column, value=header).font = Font(bold=True)
        sheet.cell(row=2, column=column, value=key)
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 18
    sheet.row_dimensions[2].hidden = True
    levels = list(CertificationLevel.objects.order_by("track_id", "rank"))
    body_list = list(_bodies_queryset(bodies).order_by("kind", "code"))
    example = body_list[0] if body_list else None
    example_level = (example.levels.order_by("rank").first() if example else None) or (
        levels[0] if levels else None
    )
    sheet.append(
        [
            "张三",
            "zhangsan@example.com",
            "13800138000",
            "广东",
            "示例科技有限公司",
            example_level.name if example_level else "",
            example.code if example else "",
            f"{example.code if example else 'GD'}-2018-0001",
            datetime.date(2018, 6, 30),
            datetime.date(2021, 6, 29),
            "有效",
            None,
        ]
    )
    for column in (9, 10, 12):
        sheet.cell(row=3, column=column).number_format = "yyyy-mm-dd"
    statuses = DataValidation(type="list", formula1='"有效,过期,撤销"', allow_blank=True)
    sheet.add_data_validation(statuses)
    statuses.add(f"K3:K{MAX_ROWS + 2}")
    lists = workbook.create_sheet("说明")
    lists.append(["等级（名称或代码）", "代码"])
    for level in levels:
        lists.append([level.name, level.code])
    lists.append([])
    lists.append(["认证机构（代码或名称）", "代码", "证书编号格式（正则表达式）"])
    for body in body_list:
        lists.append([body.name, body.code, body.imported_number_pattern])
    lists.append([])
    lists.append(["状态：有效 / 过期 / 撤销；撤销的证书须填撤销日期。日期格式：2018-06-30。"])
    lists.append(["电子邮箱与手机号至少填一项：持证人凭已验证的邮箱或手机号认领证书。"])
    lists.column_dimensions["A"].width = 40
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _bodies_queryset(bodies):
    queryset = CertifyingBody.objects.filter(is_active=True)
    return queryset if bodies is None else queryset.filter(pk__in=bodies)


# -- reading and checking --------------------------------------------------------------------


def certificates_check_xlsx(file, *, bodies) -> tuple[list[CheckedRow], list[RowError]]:
    """Read and check every row of an uploaded XLSX file.

    ``bodies``: the ids of the bodies the person may import for (None: every body). Returns the
    rows that passed and the problems found; import only when there are no problems. Raises
    ImportFileError when the file itself is refused.
    """
    try:
        workbook = xlsx_open(file, max_bytes=MAX_FILE_BYTES, max_unpacked_bytes=MAX_UNPACKED_BYTES)
    except SpreadsheetRefused as refused:
        raise ImportFileError(str(refused)) from refused
    try:
        rows = _sheet_rows(workbook.worksheets[0])
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(_("The file could not be read as an XLSX workbook.")) from error
    finally:
        workbook.close()
    return certificates_check_rows(rows, bodies=bodies)


def certificates_check_rows(rows, *, bodies) -> tuple[list[CheckedRow], list[RowError]]:
    """Check ``rows`` of (row number, {key: cell value}); see ``certificates_check_xlsx``."""
    lookups = _Lookups(bodies)
    today = timezone.localdate()
    checked, errors = [], []
    for number, values in rows:
        row, row_errors = _check_row(number, values, lookups, today)
        if row_errors:
            errors += row_errors
        else:
            checked.append(row)
    errors += _duplicates(rows, checked)
    errors.sort(key=lambda error: error.row)
    if errors:
        return [], errors
    return checked, []


class _Lookups:
    def __init__(self, bodies):
        self.allowed = bodies
        self.levels = {}
        for level in CertificationLevel.objects.select_related("track"):
            for spelling in (level.code, level.name, level.name_en):
                if spelling:
                    self.levels.setdefault(_norm(spelling), level)
        self.bodies = {}
        for body in CertifyingBody.objects.prefetch_related("levels"):
            body.level_ids = {level.pk for level in body.levels.all()}
            try:
                body.number_re = re.compile(body.imported_number_pattern)
            except re.error:
                body.number_re = None
            for spelling in (body.code, body.name, body.name_en):
                if spelling:
                    self.bodies.setdefault(_norm(spelling), body)
        self.provinces = {}
        for code, label in Province.choices:
            self.provinces[_norm(code)] = code
            self.provinces[_norm(str(label))] = code
            with translation.override("zh-hans"):
                chinese = str(label)
            self.provinces[_norm(chinese)] = code
            for suffix in ("省", "市", "自治区", "特别行政区"):
                if chinese.endswith(suffix):
                    self.provinces.setdefault(_norm(chinese[: -len(suffix)]), code)
        self.statuses = {
            _norm(spelling): code for code, names in STATUS_NAMES.items() for spelling in names
        }
        self.portal_numbers = _portal_number_pattern()


def _check_row(number, values, lookups, today):
    problems: list[RowError] = []

    def problem(key, message):
        problems.append(RowError(row=number, column=HEADERS[key] if key else "", message=message))

    def text(key, max_length=None):
        value = _text(values.get(key))
        if max_length and len(value) > max_length:
            problem(key, _("Too long: at most %(count)s characters.") % {"count": max_length})
        return value

    name = text("name", 60)
    if not name:
        problem("name", _("Give the holder's name."))
    email = text("email", 254).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("email", _("This is not an e-mail address."))
    phone = phone_normalised(text("phone"))
    if phone and not re.fullmatch(r"\d{6,20}", phone):
        problem("phone", _("Write the phone number in digits, e.g. 13800138000."))
    if not email and not phone:
        problem("", _("Give the holder's e-mail address or phone: it is how they claim it."))
    province = ""
    province_text = text("province")
    if province_text:
        province = lookups.provinces.get(_norm(province_text), "")
        if not province:
            problem("province", _("Unknown province “%(value)s”.") % {"value": province_text})
    organisation = text("organisation", 200)

    level = body = None
    level_text = text("level")
    if not level_text:
        problem("level", _("Give the level."))
    else:
        level = lookups.levels.get(_norm(level_text))
        if level is None:
            problem("level", _("Unknown level “%(value)s”.") % {"value": level_text})
    body_text = text("body")
    if not body_text:
        problem("body", _("Give the certifying body."))
    else:
        body = lookups.bodies.get(_norm(body_text))
        if body is None:
            problem("body", _("Unknown certifying body “%(value)s”.") % {"value": body_text})
        elif lookups.allowed is not None and body.pk not in lookups.allowed:
            problem(
                "body",
                _("You do not certify for %(body)s, so you cannot import its certificates.")
                % {"body": body.name},
            )
            body = None
        elif level is not None and level.pk not in body.level_ids:
            problem(
                "level",
                _("%(body)s does not award %(level)s.") % {"body": body.name, "level": level.name},
            )

    certificate_number = unicodedata.normalize("NFKC", text("number")).strip()
    if not certificate_number:
        problem("number", _("Give the certificate's original number."))
    elif len(certificate_number) > 40:
        problem("number", _("Too long: at most %(count)s characters.") % {"count": 40})
    elif body is not None and (
        body.number_re is None or not body.number_re.fullmatch(certificate_number)
    ):
        problem(
            "number",
            _("“%(number)s” is not in the number format of %(body)s (%(pattern)s).")
            % {
                "number": certificate_number,
                "body": body.name,
                "pattern": body.imported_number_pattern,
            },
        )

    issued_on = _date(values.get("issued_on"), "issued_on", problem, required=True)
    valid_until = _date(values.get("valid_until"), "valid_until", problem)
    revoked_on = _date(values.get("revoked_on"), "revoked_on", problem)
    if issued_on:
        if issued_on > today:
            problem("issued_on", _("The issue date is in the future."))
        elif issued_on < EARLIEST_ISSUE:
            problem(
                "issued_on",
                _("The issue date is before %(year)s.") % {"year": EARLIEST_ISSUE.year},
            )
        if valid_until and valid_until <= issued_on:
            problem("valid_until", _("The certificate must be valid until after its issue date."))
        if revoked_on and (revoked_on < issued_on or revoked_on > today):
            problem(
                "revoked_on",
                _("The revocation date must be between the issue date and today."),
            )

    status_text = text("status")
    status = Certificate.Status.VALID
    if status_text:
        status = lookups.statuses.get(_norm(status_text))
        if status is None:
            problem(
                "status",
                _("Unknown status “%(value)s”: write 有效, 过期 or 撤销.") % {"value": status_text},
            )
    if (
        status == Certificate.Status.REVOKED
        and not revoked_on
        and "revoked_on" not in {p.column for p in problems}
    ):
        problem("revoked_on", _("A revoked certificate needs the date it was revoked."))
    if status != Certificate.Status.REVOKED and revoked_on:
        problem("revoked_on", _("Only a revoked certificate has a revocation date."))
    if status == Certificate.Status.EXPIRED and valid_until and valid_until >= today:
        problem("status", _("The status says expired, but the certificate is valid until later."))
    if status == Certificate.Status.EXPIRED and not valid_until:
        problem("valid_until", _("An expired certificate needs the date it was valid until."))
    if status == Certificate.Status.VALID and valid_until and valid_until < today:
        status = Certificate.Status.EXPIRED  # lapsed since the other system last looked

    if problems:
        return None, problems
    return (
        CheckedRow(
            row=number,
            name=name,
            email=email,
            phone=phone,
            province=province,
            organisation=organisation,
            level=level,
            body=body,
            number=certificate_number,
            issued_on=issued_on,
            valid_until=valid_until,
            status=status,
            revoked_on=revoked_on,
        ),
        [],
    )


def _duplicates(rows, checked: list[CheckedRow]) -> list[RowError]:
    """Numbers given twice in the file, and numbers already on record."""
    errors = []
    header = HEADERS["number"]
    seen: dict[str, list[int]] = defaultdict(list)
    for number, values in rows:
        text = unicodedata.normalize("NFKC", _text(values.get("number"))).strip()
        if text:
            seen[text.casefold()].append(number)
    for row_numbers in seen.values():
        if len(row_numbers) > 1:
            for row in row_numbers:
                others = "、".join(str(other) for other in row_numbers if other != row)
                errors.append(
                    RowError(
                        row=row,
                        column=header,
                        message=_("The same number is also in row %(rows)s.") % {"rows": others},
                    )
                )
    numbers = [row.number for row in checked]
    on_record = set()
    for first in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[first : first + LOOKUP_CHUNK]
        found = Certificate.objects.filter(number__in=chunk).values_list("number", flat=True)
        on_record.update(found)
    for row in checked:
        if row.number in on_record:
            errors.append(
                RowError(
                    row=row.row,
                    column=header,
                    message=_("Certificate %(number)s is already on record.")
                    % {"number": row.number},
                )
            )
    return errors


# -- importing -------------------------------------------------------------------------------


@transaction.atomic
def certificates_import(*, rows: list[CheckedRow], actor, filename: str = "") -> ImportBatch:
    """Create every checked row as an imported certificate, all or nothing, and audit it.

    The people are matched to those already imported by e-mail, then phone; a person an
    account has claimed gets the new certificates straight away."""
    if not rows:
        raise ValueError("nothing to import")
    bodies = {row.body.pk for row in rows}
    allowed = _allowed_bodies(actor)
    if allowed is not None and not bodies <= allowed:
        raise PermissionError("not a certifier of every body in the file")
    batch = ImportBatch.objects.create(
        imported_by=actor,
        imported_as=(
            ImportBatch.ImportedAs.ADMINISTRATOR
            if allowed is None
            else ImportBatch.ImportedAs.CERTIFIER
        ),
        filename=filename[:200],
        rows=len(rows),
    )
    holders = _holders_for(rows)
    noon = datetime.time(12, 0)
    certificates = []
    for row in rows:
        holder = holders[row.person_key]
        revoked_at = None
        if row.revoked_on:
            revoked_at = timezone.make_aware(datetime.datetime.combine(row.revoked_on, noon))
        certificates.append(
            Certificate(
                number=row.number,
                numbering_body=row.body,
                year=row.issued_on.year,
                sequence=None,
                body=row.body,
                level=row.level,
                holder_id=holder.claimed_by_id,
                application=None,
                origin=Certificate.Origin.IMPORTED,
                import_batch=batch,
                imported_holder=holder,
                status=row.status,
                printed_name=row.name,
                level_name=row.level.name,
                level_name_en=row.level.name_en,
                track_name=row.level.track.name if row.level.track_id else "",
                body_name=row.body.name,
                issued_on=row.issued_on,
                valid_until=row.valid_until,
                held_since=row.issued_on,
                recipient_salt=secrets.token_hex(16),
                status_list=None,
                status_index=None,
                revoked_at=revoked_at,
                revocation_code=Certificate.RevocationCode.OTHER if row.revoked_on else "",
            )
        )
    created = Certificate.objects.bulk_create(certificates, batch_size=BATCH_SIZE)
    _sequences_past(rows)
    audit_append_many(
        actor=actor,
        entries=[
            ("certificate.imported", made, {"number": made.number, "import": batch.pk})
            for made in created
        ]
        + [("import.done", batch, {"rows": len(rows), "bodies": sorted(bodies)})],
    )
    return batch


def _allowed_bodies(actor) -> set[int] | None:
    return certifier_body_ids(actor)


def _holders_for(rows: list[CheckedRow]) -> dict[str, ImportedHolder]:
    """The ImportedHolder of each person in ``rows``: an earlier import's, or a new one."""
    firsts: dict[str, CheckedRow] = {}
    for row in rows:
        firsts.setdefault(row.person_key, row)
    emails = [row.email for row in firsts.values() if row.email]
    phones = [row.phone for row in firsts.values() if not row.email]
    known: dict[str, ImportedHolder] = {}
    for values, field in ((emails, "email"), (phones, "phone")):
        for first in range(0, len(values), LOOKUP_CHUNK):
            chunk = values[first : first + LOOKUP_CHUNK]
            for holder in ImportedHolder.objects.filter(**{f"{field}__in": chunk}).order_by("pk"):
                key = f"e:{holder.email}" if field == "email" else f"p:{holder.phone}"
                known.setdefault(key, holder)
    new = [
        ImportedHolder(
            name=row.name,
            email=row.email,
            phone=row.phone,
            province=row.province,
            organisation=row.organisation,
        )
        for key, row in firsts.items()
        if key not in known
    ]
    made = ImportedHolder.objects.bulk_create(new, batch_size=BATCH_SIZE)
    if any(holder.pk is None for holder in made):  # a database without RETURNING
        raise RuntimeError("bulk_create did not set primary keys")
    for holder in made:
        known[f"e:{holder.email}" if holder.email else f"p:{holder.phone}"] = holder
    return known


def _portal_number_pattern() -> re.Pattern | None:
    """The portal's own number format as a pattern with ``body``, ``level``, ``year`` and
    ``sequence`` groups; None if the format cannot be read that way."""
    parts = []
    try:
        for literal, field, _spec, _conversion in string.Formatter().parse(
            settings.PORTAL_CERTIFICATE_NUMBER_FORMAT
        ):
            parts.append(re.escape(literal))
            if field is None:
                continue
            if field not in {"body", "level", "year", "sequence"}:
                return None
            digits = field in {"year", "sequence"}
            parts.append(f"(?P<{field}>{r'[0-9]+' if digits else r'[A-Za-z0-9]+'})")
        return re.compile("".join(parts))
    except (ValueError, re.error):
        return None


def _sequences_past(rows: list[CheckedRow]) -> None:
    """An imported number written in the portal's own format (the body's earlier numbers may
    follow the same rule) takes its place in the sequence, so the portal never hands it out."""
    pattern = _portal_number_pattern()
    if pattern is None:
        return
    highest: dict[tuple, int] = {}
    for row in rows:
        match = pattern.fullmatch(row.number)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("body", row.body.code) != row.body.code:
            continue
        if groups.get("level", row.level.number_code) != row.level.number_code:
            continue
        if "year" not in groups or "sequence" not in groups:
            continue
        key = (row.body.pk, row.level.pk, int(groups["year"]))
        highest[key] = max(highest.get(key, 0), int(groups["sequence"]))
    for (body_id, level_id, year), last in highest.items():
        NumberSequence.objects.bulk_create(
            [NumberSequence(body_id=body_id, level_id=level_id, year=year)], ignore_conflicts=True
        )
        NumberSequence.objects.filter(
            Q(body_id=body_id, level_id=level_id, year=year) & Q(last__lt=last)
        ).update(last=last)


# -- file reading ----------------------------------------------------------------------------


def _sheet_rows(sheet) -> list[tuple[int, dict]]:
    """The data rows as (row number, {column key: cell value}), headers checked and skipped."""
    columns = None
    rows = []
    keys_seen = False
    for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        if number > MAX_SHEET_ROWS:
            raise ImportFileError(
                _("The sheet goes on past row %(row)s; delete the rows below your certificates.")
                % {"row": MAX_SHEET_ROWS}
            )
        if all(_blank(value) for value in cells):
            continue
        if columns is None:
            columns = _header_columns(cells)
            continue
        values = {key: cells[i] for i, key in columns.items() if i < len(cells)}
        first = not rows and not keys_seen
        keys_seen = True
        if first and all(_text(v) == key for key, v in values.items() if not _blank(v)):
            continue  # the hidden row of English keys
        if all(_blank(value) for value in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(count)s certificates; split it into smaller files.")
                % {"count": MAX_ROWS}
            )
        rows.append((number, values))
    if not rows:
        raise ImportFileError(_("The file has no certificates in it."))
    return rows


def _header_columns(cells) -> dict[int, str]:
    by_name = {}
    for key, header in COLUMNS:
        by_name[_norm(key)] = key
        by_name[_norm(header)] = key
    columns, seen = {}, set()
    for position, value in enumerate(cells):
        key = by_name.get(_norm(_text(value)))
        if key is None:
            continue
        if key in seen:
            raise ImportFileError(
                _("The column “%(column)s” appears twice.") % {"column": HEADERS[key]}
            )
        seen.add(key)
        columns[position] = key
    missing = [HEADERS[key] for key in REQUIRED_COLUMNS if key not in seen]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    return columns


def _date(value, key, problem, *, required=False) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        if required:
            problem(key, _("Give the date."))
        return None
    text = unicodedata.normalize("NFKC", text)
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    problem(key, _("“%(value)s” is not a date; write it as 2018-06-30.") % {"value": text[:40]})
    return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()
