"""Enrolling a whole class from a roster file (XLSX or CSV) that a base's staff upload.

Three steps, each its own function:

- ``parse_roster_file`` reads and checks the file. It is pure: no database, no side effects.
  It answers the rows (each with its own problems, if any) and the problems of the file.
- ``roster_preview`` looks the rows up: to be invited, already invited or already enrolled,
  and whether the course has the seats. It only reads, and never says whether an address has
  an account: that is the person's business, not the base's.
- ``roster_import_apply`` sends the invitations in one transaction, or none. Nobody is enrolled
  by the file: each person accepts their invitation (see ``invitations.py``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from portal.accounts.mail import mail_queue
from portal.accounts.models import User, phone_validator
from portal.accounts.names import normalise, validate_name
from portal.accounts.provinces import Province
from portal.accounts.validators import validate_printable_text

from .invitations import INVITATION_DAYS, invitation_send, invitations_standing
from .models import CoursePage, Enrolment
from .selectors import seats_taken
from .services import LearningError

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# A workbook is a zip; refuse one that would unpack to far more than a roster ever needs.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# Columns read from each row of a workbook; a roster has five, plus perhaps a few notes.
MAX_COLUMNS = 50

NAME_MAX = User._meta.get_field("real_name").max_length
EMAIL_MAX = User._meta.get_field("email").max_length
ORGANISATION_MAX = User._meta.get_field("organisation").max_length
PHONE_MAX = User._meta.get_field("phone").max_length

# The columns, by the names a header may give them (compared after _header_key).
COLUMNS = {
    "name": {"姓名", "name", "名字", "真实姓名", "realname", "fullname"},
    "email": {"邮箱", "email", "电子邮箱", "电子邮件", "邮件", "邮箱地址", "emailaddress"},
    "phone": {"手机", "phone", "手机号", "手机号码", "电话", "联系电话", "mobile", "phonenumber"},
    "province": {"省份", "province", "省", "所在省份", "省市", "地区"},
    "organisation": {"单位", "organisation", "organization", "工作单位", "所在单位", "单位名称"},
}
REQUIRED_COLUMNS = ("name", "email")
# How the columns are named in messages: the headers we ask for, in both languages.
COLUMN_LABELS = {
    "name": "姓名 / name",
    "email": "邮箱 / email",
    "phone": "手机 / phone",
    "province": "省份 / province",
    "organisation": "单位 / organisation",
}


class RowStatus:
    # The same for an address with an account and one without: the preview never tells.
    INVITE = "invite"
    INVITED = "invited"
    ENROLLED = "enrolled"


@dataclass
class RosterRow:
    """One person from the file. ``line`` is the row number as the spreadsheet shows it."""

    line: int
    name: str = ""
    email: str = ""
    phone: str = ""
    province: str = ""  # a GB/T 2260 two-digit code, or "" when not given
    organisation: str = ""
    province_input: str = ""  # what the file said, shown when it could not be understood
    errors: list[str] = field(default_factory=list)
    status: str = ""  # one of RowStatus, set by roster_preview

    def as_stored(self) -> dict:
        """The validated fields, as kept in the session between preview and confirmation."""
        return {
            "line": self.line,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "province": self.province,
            "organisation": self.organisation,
        }

    @classmethod
    def from_stored(cls, data: dict) -> RosterRow:
        names = {"line", "name", "email", "phone", "province", "organisation"}
        return cls(**{key: value for key, value in data.items() if key in names})

    @property
    def province_label(self) -> str:
        return Province(self.province).label if self.province else self.province_input

    @property
    def status_label(self) -> str:
        return {
            RowStatus.INVITE: _("Will be invited"),
            RowStatus.INVITED: _("Already invited"),
            RowStatus.ENROLLED: _("Already enrolled"),
        }.get(self.status, "")


@dataclass
class RosterPreview:
    rows: list[RosterRow]
    errors: list[str]  # about the file or the course as a whole
    invite: int = 0
    invited: int = 0
    enrolled: int = 0

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def seats_needed(self) -> int:
        return self.invite

    @property
    def can_confirm(self) -> bool:
        return not self.errors and not self.rows_with_errors and self.seats_needed > 0


@dataclass
class ImportResult:
    invited: int  # invitations sent
    already_invited: int  # addresses whose invitation still stands
    already: int  # people who already had a seat


class _Unreadable(Exception):
    """The file cannot be read as a table; the message says why."""


# -- reading the file ------------------------------------------------------------------------


def parse_roster_file(uploaded_file) -> tuple[list[RosterRow], list[str]]:
    """Read and check a roster file. Answers ``(rows, errors)``.

    ``errors`` are about the file as a whole; when there are any, ``rows`` is empty. Problems
    of a single row are in that row's ``errors``. Nothing is looked up or written.
    """
    name = (getattr(uploaded_file, "name", "") or "").lower()
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("xlsx", "csv"):
        return [], [_("Upload the roster as an Excel workbook (.xlsx) or a CSV file (.csv).")]
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        return [], [_("The file is larger than 2 MB. Split the class into smaller files.")]
    uploaded_file.seek(0)
    data = uploaded_file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return [], [_("The file is larger than 2 MB. Split the class into smaller files.")]
    if not data.strip():
        return [], [_("The file is empty.")]
    table = _xlsx_rows(data) if suffix == "xlsx" else _csv_rows(data)
    try:
        return _rows_from_table(table)
    except _Unreadable as error:
        return [], [str(error)]
    finally:
        table.close()  # a workbook is closed even when reading stops early


def _xlsx_rows(data: bytes):
    import openpyxl  # only needed here; keeps the module cheap to import

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Unreadable(
            _(
                "This is an old-style Excel file (.xls). "
                "Save it as .xlsx or .csv and upload it again."
            )
        )
    unreadable = _(
        "The file could not be read as an Excel workbook (.xlsx). Save it again "
        "from Excel or WPS, or as a CSV file, and upload it again."
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _Unreadable(unreadable)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _Unreadable(unreadable) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _Unreadable(_("The workbook is too large once unpacked. Upload only the roster."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        raise _Unreadable(unreadable) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _Unreadable(_("The file is empty."))
        try:
            yield from sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        except Exception:
            raise _Unreadable(unreadable) from None
    finally:
        workbook.close()


def _csv_rows(data: bytes):
    # Excel and WPS in China save CSV in GBK unless told otherwise; GB 18030 reads GBK too.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Unreadable(_("The CSV file could not be read: save it as UTF-8 or GBK text."))
    if "\x00" in text:
        raise _Unreadable(_("The CSV file could not be read: it is not plain text."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise _Unreadable(_("The CSV file could not be read: it is not plain text.")) from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or code typed into a number cell
    text = str(value)
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def _header_key(value) -> str:
    key = unicodedata.normalize("NFKC", _text(value)).lower()
    key = re.sub(r"\(.*?\)", "", key)  # "邮箱（必填）", "email (required)"
    return re.sub(r"[\s*_\-:.]", "", key)


def _columns_of(header) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(header):
        key = _header_key(cell)
        for column, names in COLUMNS.items():
            if key in names:
                if column in columns:
                    errors.append(
                        _("The column %(column)s appears more than once.")
                        % {"column": COLUMN_LABELS[column]}
                    )
                columns[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            errors.append(
                _("The first row has no %(column)s column. It must name the columns: %(all)s.")
                % {"column": COLUMN_LABELS[column], "all": "姓名, 邮箱, 手机, 省份, 单位"}
            )
    return columns, errors


def _rows_from_table(table) -> tuple[list[RosterRow], list[str]]:
    columns = None
    rows: list[RosterRow] = []
    for line, cells in enumerate(table, start=1):
        cells = [_text(cell) for cell in cells]
        if not any(cells):
            continue
        if columns is None:
            columns, errors = _columns_of(cells)
            if errors:
                return [], errors
            continue
        if len(rows) >= MAX_ROWS:
            return [], [
                _("The file has more than %(max)d rows. Split the class into smaller files.")
                % {"max": MAX_ROWS}
            ]
        values = {
            column: cells[index] if index < len(cells) else "" for column, index in columns.items()
        }
        rows.append(_row(line, values))
    if columns is None or not rows:
        return [], [_("The file has no rows to import.")]
    _mark_duplicates(rows)
    return rows, []


def _row(line: int, values: dict[str, str]) -> RosterRow:
    row = RosterRow(line=line)
    row.name = normalise(values.get("name", ""))
    if not row.name:
        row.errors.append(_("The name is missing."))
    elif len(row.name) > NAME_MAX:
        row.errors.append(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX})
    else:
        row.errors += _refusals(validate_name, row.name)

    row.email = unicodedata.normalize("NFKC", values.get("email", "")).strip().lower()
    if not row.email:
        row.errors.append(_("The e-mail address is missing."))
    else:
        try:
            validate_email(row.email)
            if len(row.email) > EMAIL_MAX:
                raise ValidationError("too long")
        except ValidationError:
            row.errors.append(_("The e-mail address is not valid."))

    row.phone = normalise_phone(values.get("phone", ""))
    if row.phone:
        try:
            phone_validator(row.phone)
            if len(row.phone) > PHONE_MAX:
                raise ValidationError("too long")
        except ValidationError:
            row.errors.append(_("The phone number is not valid: use digits, spaces or dashes."))

    row.province_input = values.get("province", "")
    if row.province_input:
        row.province = province_code(row.province_input) or ""
        if not row.province:
            row.errors.append(_("The province is not one we know."))

    row.organisation = re.sub(r"\s+", " ", values.get("organisation", ""))
    if len(row.organisation) > ORGANISATION_MAX:
        row.errors.append(
            _("The organisation is longer than %(max)d characters.") % {"max": ORGANISATION_MAX}
        )
    row.errors += _refusals(validate_printable_text, row.organisation)
    return row


def _refusals(validator, value: str) -> list[str]:
    """The messages of the profile's own check of a name or organisation (the same rules as
    sign-up and the profile form), so a roster cannot bring in what a person could not type."""
    try:
        validator(value)
    except ValidationError as error:
        return list(error.messages)
    return []


def _mark_duplicates(rows: list[RosterRow]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_line:
            row.errors.append(
                _("The same e-mail address is already on row %(n)d.") % {"n": first_line[row.email]}
            )
        else:
            first_line[row.email] = row.line


def normalise_phone(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    # Spreadsheet tricks that keep a long number from turning into 1.38E+10.
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.lstrip("'").strip()


# -- provinces -------------------------------------------------------------------------------

# Chinese names by code: the short name first, then the full official names.
PROVINCE_NAMES_ZH = {
    "11": ("北京", "北京市"),
    "12": ("天津", "天津市"),
    "13": ("河北", "河北省"),
    "14": ("山西", "山西省"),
    "15": ("内蒙古", "内蒙古自治区"),
    "21": ("辽宁", "辽宁省"),
    "22": ("吉林", "吉林省"),
    "23": ("黑龙江", "黑龙江省"),
    "31": ("上海", "上海市"),
    "32": ("江苏", "江苏省"),
    "33": ("浙江", "浙江省"),
    "34": ("安徽", "安徽省"),
    "35": ("福建", "福建省"),
    "36": ("江西", "江西省"),
    "37": ("山东", "山东省"),
    "41": ("河南", "河南省"),
    "42": ("湖北", "湖北省"),
    "43": ("湖南", "湖南省"),
    "44": ("广东", "广东省"),
    "45": ("广西", "广西壮族自治区", "广西自治区"),
    "46": ("海南", "海南省"),
    "50": ("重庆", "重庆市"),
    "51": ("四川", "四川省"),
    "52": ("贵州", "贵州省"),
    "53": ("云南", "云南省"),
    "54": ("西藏", "西藏自治区"),
    "61": ("陕西", "陕西省"),
    "62": ("甘肃", "甘肃省"),
    "63": ("青海", "青海省"),
    "64": ("宁夏", "宁夏回族自治区", "宁夏自治区"),
    "65": ("新疆", "新疆维吾尔自治区", "新疆自治区"),
    "71": ("台湾", "台湾省", "台灣", "中国台湾"),
    "81": ("香港", "香港特别行政区", "中国香港", "香港特區"),
    "82": ("澳门", "澳门特别行政区", "澳門", "中国澳门"),
}
PROVINCE_ALIASES_EN = {"xizang": "54", "macau": "82", "innermongolia": "15", "neimenggu": "15"}
_EN_SUFFIXES = re.compile(
    r"(province|municipality|city|autonomousregion|specialadministrativeregion|sar|china)$"
)


def _english_key(value: str) -> str:
    key = re.sub(r"[^a-z]", "", value.lower())
    previous = None
    while previous != key:
        previous, key = key, _EN_SUFFIXES.sub("", key)
    return key


def _province_index() -> dict[str, str]:
    index = {}
    for code, names in PROVINCE_NAMES_ZH.items():
        for name in names:
            index[name] = code
    with translation.override("en"):
        for province in Province:
            index[_english_key(str(province.label))] = province.value
    index.update(PROVINCE_ALIASES_EN)
    return index


_PROVINCES: dict[str, str] | None = None


def province_code(value: str) -> str | None:
    """The two-digit code of a province given by Chinese or English name or code, or None."""
    global _PROVINCES
    if _PROVINCES is None:
        _PROVINCES = _province_index()
    value = unicodedata.normalize("NFKC", str(value)).strip()
    if not value:
        return None
    if value.isdigit():
        if len(value) == 6 and value.endswith("0000"):
            value = value[:2]  # the six-digit form, e.g. 440000
        return value if value in Province.values else None
    compact = re.sub(r"\s", "", value)
    if compact in _PROVINCES:
        return _PROVINCES[compact]
    return _PROVINCES.get(_english_key(value)) if value.isascii() else None


# -- looking the rows up ---------------------------------------------------------------------


def _enrolled_emails(course: CoursePage, emails) -> set[str]:
    """Of ``emails``, the sign-in addresses of people holding a seat in ``course``: people the
    base's roster already shows. Nothing is said of any other account."""
    emails = sorted({email for email in emails if email})
    found: set[str] = set()
    for start in range(0, len(emails), 500):
        found |= set(
            Enrolment.objects.filter(course=course)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .annotate(email_lower=Lower("user__email"))
            .filter(email_lower__in=emails[start : start + 500])
            .values_list("email_lower", flat=True)
        )
    return found


def _free_seats(course: CoursePage) -> int | None:
    if course.capacity is None:
        return None
    return max(0, course.capacity - seats_taken(course=course))


def _seats_message(free: int, needed: int) -> str:
    return _(
        "The course does not have enough seats: free seats: %(free)d; seats needed: "
        "%(needed)d. Raise the number of seats or remove rows, then upload the file again."
    ) % {"free": free, "needed": needed}


def _statuses(course: CoursePage, rows: list[RosterRow]) -> dict[str, str]:
    emails = [row.email for row in rows]
    enrolled = _enrolled_emails(course, emails)
    invited = invitations_standing(course=course, emails=emails)
    statuses = {}
    for email in emails:
        if email in enrolled:
            statuses[email] = RowStatus.ENROLLED
        elif email in invited:
            statuses[email] = RowStatus.INVITED
        else:
            statuses[email] = RowStatus.INVITE
    return statuses


def roster_preview(*, course: CoursePage, rows: list[RosterRow]) -> RosterPreview:
    """Say, for every row without problems, what confirming would do. Reads only.

    Whether an address has an account, or a deactivated one, is never looked up: every
    address not yet on the roster or invited gets the same "will be invited"."""
    preview = RosterPreview(rows=rows, errors=[])
    valid = [row for row in rows if not row.errors]
    statuses = _statuses(course, valid)
    for row in valid:
        row.status = statuses[row.email]
        if row.status == RowStatus.ENROLLED:
            preview.enrolled += 1
        elif row.status == RowStatus.INVITED:
            preview.invited += 1
        else:
            preview.invite += 1
    free = _free_seats(course)
    if free is not None and preview.seats_needed > free:
        preview.errors.append(_seats_message(free, preview.seats_needed))
    return preview


# -- applying it -----------------------------------------------------------------------------


def roster_import_apply(*, course: CoursePage, rows: list[RosterRow], by, accept_url):
    """Invite everyone not yet on the roster or invited, all or nothing.

    No account is created or enrolled here: each person accepts (or ignores) their
    invitation. ``accept_url`` turns an invitation's token into the absolute address of its
    page. The e-mails are recorded in the same transaction and go out once it commits; the
    same message goes to every address, with an account or without. Raises LearningError,
    and writes nothing, when the seats run short.
    """
    try:
        with transaction.atomic():
            course = CoursePage.objects.select_for_update().get(pk=course.pk)
            statuses = _statuses(course, rows)
            to_invite = [row for row in rows if statuses[row.email] == RowStatus.INVITE]
            free = _free_seats(course)
            if free is not None and len(to_invite) > free:
                raise LearningError(
                    _seats_message(free, len(to_invite)) + " " + _("Nothing was imported.")
                )
            base = course.training_base
            with translation.override(settings.LANGUAGE_CODE):
                for row in to_invite:
                    invitation = invitation_send(course=course, email=row.email, by=by)
                    _mail_invitation(
                        row=row, course=course, base=base, url=accept_url(invitation.token)
                    )
    except IntegrityError:
        # The same address was invited from another import at the same moment.
        raise LearningError(
            _("These records changed while the import ran. Nothing was imported; try again.")
        ) from None
    values = list(statuses.values())
    result = ImportResult(
        invited=len(to_invite),
        already_invited=values.count(RowStatus.INVITED),
        already=values.count(RowStatus.ENROLLED),
    )
    logger.info(
        "Roster import into course %s by user %s: %s invited, %s already invited, %s enrolled",
        course.pk,
        getattr(by, "pk", None),
        result.invited,
        result.already_invited,
        result.already,
    )
    return result


def _mail_invitation(*, row: RosterRow, course, base, url: str) -> None:
    values = {
        "name": row.name or row.email,
        "email": row.email,
        "course": course.title,
        "class_name": course.class_name,
        "base": base.title if base else _("Your training base"),
        "url": url,
        "days": INVITATION_DAYS,
    }
    mail_queue(
        to=row.email,
        subject=_("Invitation to the course %(course)s") % values,
        body_text=_(
            "Dear %(name)s,\n\n"
            "%(base)s invites you to the course “%(course)s” (%(class_name)s) on the "
            "Technology Transfer Talent Training Portal.\n\n"
            "To accept, open this page and sign in with this e-mail address (%(email)s). "
            "If you have no account yet, sign up with this address first, then open the "
            "page again:\n%(url)s\n\n"
            "You are enrolled only once you accept; the base sees your name and contact "
            "details only then. The invitation lapses after %(days)d days. If you do not "
            "want to join, decline it on that page or simply ignore this message."
        )
        % values,
    )


__all__ = [
    "ImportResult",
    "RosterPreview",
    "RosterRow",
    "RowStatus",
    "parse_roster_file",
    "province_code",
    "roster_import_apply",
    "roster_preview",
]
