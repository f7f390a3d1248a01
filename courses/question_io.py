"""A base's question bank to and from XLSX: export, parse with a row-by-row report, import.

The file has one header row in Chinese, a hidden second row with stable English keys, then one
question per row. The importer finds columns by either header, so what ``questions_to_xlsx``
writes is exactly what ``parse_questions_xlsx`` reads. Nothing here knows about requests.
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from cms.taxonomy import Level, ModuleCategory
from portal.accounts.spreadsheets import SpreadsheetRefused, xlsx_open

from .models import Question, QuestionType
from .models.exams import TRUE_FALSE_OPTIONS, Difficulty, validate_question_content

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_SHEET_ROWS = 100_000  # blank rows count here: reading past this would only waste time
MAX_COLUMNS = 64  # headers further right are not looked for
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a 5 MB file that unpacks past this is a zip bomb
MAX_TAG_LENGTH = 100  # taggit's Tag.name
MAX_POINTS = Decimal("9999.9")  # Question.points: five digits, one after the point
SHEET_TITLE = "题库"

OPTION_KEYS = "ABCDEF"

# (key, header): the column order of an exported file. The keys never change; the headers are
# the file format's Chinese names, the same in every interface language.
COLUMNS = [
    ("type", "题型"),
    ("stem", "题干"),
    *[(f"option_{key.lower()}", f"选项{key}") for key in OPTION_KEYS],
    ("correct", "正确答案"),
    ("reference_answer", "参考答案"),
    ("explanation", "解析"),
    ("category", "模块"),
    ("level", "等级"),
    ("difficulty", "难度"),
    ("points", "分值"),
    ("tags", "标签"),
    ("status", "状态"),
]
HEADERS = dict(COLUMNS)
REQUIRED_COLUMNS = ("type", "stem", "category", "level")
OPTION_COLUMNS = [f"option_{key.lower()}" for key in OPTION_KEYS]

# The Chinese names written on export and always accepted on import, whatever the catalogue says.
# Levels are data: their Chinese names (and English names and codes) come from ``Level`` rows.
TYPE_NAMES = {
    QuestionType.SINGLE: "单选题",
    QuestionType.MULTIPLE: "多选题",
    QuestionType.TRUE_FALSE: "判断题",
    QuestionType.SHORT: "简答题",
    QuestionType.CASE: "案例分析题",
}
CATEGORY_NAMES = {
    ModuleCategory.GENERAL: "公共知识",
    ModuleCategory.POLICY: "政策法规",
    ModuleCategory.PRACTICE: "实务技能",
    ModuleCategory.ENHANCEMENT: "能力提升",
}
STATUS_NAMES = {
    Question.Status.DRAFT: "草稿",
    Question.Status.ACTIVE: "启用",
    Question.Status.RETIRED: "停用",
}
# Short forms people type.
TYPE_ALIASES = {
    "单选": "single",
    "多选": "multiple",
    "判断": "true_false",
    "简答": "short",
    "案例分析": "case",
    "案例题": "case",
}

TRUE_WORDS = {"t", "true", "对", "正确", "是", "√", "✓", "✔"}
FALSE_WORDS = {"f", "false", "错", "错误", "否", "×", "✗", "✘"}
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)
SEPARATORS = re.compile(r"[\s,;、；]+")  # after NFKC, "，" is "," and "；" is ";"


class QuestionFileError(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the row number as the spreadsheet shows it, the column's header
    ("" when the problem concerns the whole row) and a message for people."""

    row: int
    column: str
    message: str


@dataclass
class ParsedQuestion:
    """One valid row: the unsaved question and the tag names to give it."""

    row: int
    question: Question
    tags: list[str] = field(default_factory=list)


# -- export ----------------------------------------------------------------------------------


def questions_to_xlsx(queryset) -> bytes:
    """An XLSX workbook with one row per question of ``queryset``, in the queryset's order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([header for _key, header in COLUMNS])
    sheet.append([key for key, _header in COLUMNS])
    sheet.row_dimensions[2].hidden = True
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C3"
    widths = {"stem": 60, "reference_answer": 40, "explanation": 40, "tags": 24}
    for number, (key, _header) in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=number).column_letter
        sheet.column_dimensions[letter].width = widths.get(key, 14)

    level_names = _level_names()
    for row, question in enumerate(
        queryset.prefetch_related("tags").iterator(chunk_size=500), start=3
    ):
        values = _question_cells(question, level_names)
        for number, (key, _header) in enumerate(COLUMNS, start=1):
            _write(sheet, row, number, values.get(key))
            if key in ("stem", "reference_answer", "explanation"):
                sheet.cell(row=row, column=number).alignment = Alignment(wrap_text=True)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _level_names() -> dict[str, str]:
    """Each level's Chinese name by its code."""
    return dict(Level.objects.values_list("code", "name"))


def _question_cells(question: Question, level_names: dict[str, str]) -> dict:
    values = {
        "type": TYPE_NAMES.get(question.type, question.type),
        "stem": question.stem,
        "reference_answer": question.reference_answer,
        "explanation": question.explanation,
        "category": CATEGORY_NAMES.get(question.category, question.category),
        "level": level_names.get(question.level_id, question.level_id),
        "difficulty": question.difficulty,
        "points": question.points,
        "tags": ", ".join(sorted(tag.name for tag in question.tags.all())),
        "status": STATUS_NAMES.get(question.status, question.status),
    }
    if question.type in CHOICE_TYPES:
        # Options go into columns A..F in their order; answers follow them to their new keys.
        renamed = {}
        for option, key in zip(question.options or [], OPTION_KEYS, strict=False):
            values[f"option_{key.lower()}"] = option.get("text", "")
            renamed[option.get("key")] = key
        values["correct"] = ",".join(renamed.get(k, str(k)) for k in question.correct or [])
    elif question.type == QuestionType.TRUE_FALSE:
        values["correct"] = ",".join(str(k) for k in question.correct or [])
    return values


def _write(sheet, row: int, column: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text


# -- parse -----------------------------------------------------------------------------------


def parse_questions_xlsx(file, base=None) -> tuple[list[ParsedQuestion], list[RowError]]:
    """Read and check every row of an uploaded XLSX file.

    ``file`` is an uploaded file, a binary file object or bytes. Returns the valid rows as
    unsaved questions of ``base`` and the problems found; import only when there are none.
    Raises QuestionFileError when the file itself is refused (not XLSX, unreadable, too big,
    too many rows, empty, columns missing).
    """
    try:
        workbook = xlsx_open(file, max_bytes=MAX_FILE_BYTES, max_unpacked_bytes=MAX_UNPACKED_BYTES)
    except SpreadsheetRefused as refused:
        raise QuestionFileError(str(refused)) from refused
    try:
        rows = _sheet_rows(workbook.worksheets[0])
    except QuestionFileError:
        raise
    except Exception as error:
        raise QuestionFileError(_("The file could not be read as an XLSX workbook.")) from error
    finally:
        workbook.close()

    lookups = _choice_lookups()
    parsed, errors = [], []
    for number, values in rows:
        question, tags, row_errors = _parse_row(number, values, lookups)
        if row_errors:
            errors += row_errors
        else:
            question.base = base
            parsed.append(ParsedQuestion(row=number, question=question, tags=tags))
    return parsed, errors


def _sheet_rows(sheet) -> list[tuple[int, dict]]:
    """The data rows as (row number, {column key: cell value}), headers checked and skipped."""
    columns = None  # position -> key
    rows = []
    keys_seen = False  # whether the row after the headers has been looked at
    for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        if number > MAX_SHEET_ROWS:
            raise QuestionFileError(
                _("The sheet goes on past row %(row)s; delete the rows below your questions.")
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
            continue  # the row of English keys under the Chinese headers
        if all(_blank(value) for value in values.values()):
            continue  # something only in columns that are not ours
        if len(rows) >= MAX_ROWS:
            raise QuestionFileError(
                _("The file has more than %(count)s questions; split it into smaller files.")
                % {"count": MAX_ROWS}
            )
        rows.append((number, values))
    if not rows:
        raise QuestionFileError(_("The file has no questions in it."))
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
            raise QuestionFileError(
                _("The column “%(column)s” appears twice.") % {"column": HEADERS[key]}
            )
        seen.add(key)
        columns[position] = key
    missing = [HEADERS[key] for key in REQUIRED_COLUMNS if key not in seen]
    if missing:
        raise QuestionFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    return columns


def _choice_lookups() -> dict[str, dict[str, str]]:
    """For each coded column: every accepted spelling (normalised) -> code."""

    def lookup(choices, names, aliases=None):
        table = {}
        for code, label in choices.choices:
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    table[_norm(str(label))] = code
            table[_norm(str(code))] = code
        for code, name in names.items():
            table[_norm(name)] = str(code)
        for alias, code in (aliases or {}).items():
            table[_norm(alias)] = code
        return table

    difficulty = {}
    for value, label in Difficulty.choices:
        for language in ("en", "zh-hans"):
            with translation.override(language):
                difficulty[_norm(str(label))] = value
    return {
        "type": lookup(QuestionType, TYPE_NAMES, TYPE_ALIASES),
        "category": lookup(ModuleCategory, CATEGORY_NAMES),
        "level": _level_lookup(),
        "status": lookup(Question.Status, STATUS_NAMES),
        "difficulty": difficulty,
    }


def _level_lookup() -> dict[str, str]:
    """Every accepted spelling of a level (code, Chinese or English name) -> its code."""
    table = {}
    for code, name, name_en in Level.objects.values_list("code", "name", "name_en"):
        for spelling in (code, name, name_en):
            if spelling:
                table[_norm(spelling)] = code
    return table


def _parse_row(number: int, values: dict, lookups) -> tuple[Question, list[str], list[RowError]]:
    problems: dict[str, str] = {}  # column key -> message

    def coded(key, required=True, default=None):
        raw = _text(values.get(key))
        if not raw:
            if required:
                problems[key] = _("This column must be filled in.")
            return default
        code = lookups[key].get(_norm(raw))
        if code is None:
            problems[key] = _("“%(value)s” is not one of: %(choices)s.") % {
                "value": raw,
                "choices": _listing(key),
            }
        return code

    kind = coded("type")
    category = coded("category")
    level = coded("level")
    status = coded("status", required=False, default=Question.Status.DRAFT)
    stem = _text(values.get("stem"))
    if not stem:
        problems["stem"] = _("This column must be filled in.")
    difficulty = _difficulty(values.get("difficulty"), lookups["difficulty"], problems)
    points = _points(values.get("points"), problems)
    tags = _tags(values.get("tags"), problems)

    options, correct = [], []
    if kind in CHOICE_TYPES:
        options = _options(values, problems)
        correct = _choice_answer(values.get("correct"))
    elif kind == QuestionType.TRUE_FALSE:
        options = list(TRUE_FALSE_OPTIONS)
        correct = _true_false_answer(values.get("correct"))
    reference_answer = _text(values.get("reference_answer"))

    if kind and not ({"options", "option_a"} & problems.keys()):
        try:
            validate_question_content(
                type=kind, options=options, correct=correct, reference_answer=reference_answer
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = "option_a" if name == "options" else name
                problems.setdefault(key, " ".join(str(m) for m in messages))

    question = Question(
        type=kind or "",
        stem=stem,
        options=options,
        correct=correct,
        reference_answer=reference_answer,
        explanation=_text(values.get("explanation")),
        category=category or "",
        level_id=level or None,
        difficulty=difficulty or Difficulty.MEDIUM,
        points=points or Decimal("1.0"),
        status=status or Question.Status.DRAFT,
    )
    order = [key for key, _header in COLUMNS]
    errors = [
        RowError(row=number, column=HEADERS.get(key, ""), message=message)
        for key, message in sorted(problems.items(), key=lambda kv: order.index(kv[0]))
    ]
    return question, tags, errors


def options_from_texts(texts: list[str]) -> tuple[list[dict], str | None]:
    """The options written as A, B, C... in order (empty ones at the end dropped), and the key
    of the first empty one before the last filled, if any."""
    texts = list(texts)
    while texts and not texts[-1]:
        texts.pop()
    gap = OPTION_KEYS[texts.index("")] if "" in texts else None
    return [{"key": key, "text": text} for key, text in zip(OPTION_KEYS, texts, strict=False)], gap


def _options(values: dict, problems: dict) -> list[dict]:
    options, gap = options_from_texts([_text(values.get(key)) for key in OPTION_COLUMNS])
    if gap:
        problems["option_a"] = _(
            "Fill in the options from A on without gaps (%(key)s is empty)."
        ) % {"key": gap}
    return options


def _choice_answer(value) -> list[str]:
    raw = unicodedata.normalize("NFKC", _text(value)).upper()
    keys = [k for k in SEPARATORS.split(raw) if k]
    if len(keys) == 1 and len(keys[0]) > 1 and keys[0].isalpha():
        keys = list(keys[0])  # "AC"
    return list(dict.fromkeys(keys))


def _true_false_answer(value) -> list[str]:
    if isinstance(value, bool):
        return ["T" if value else "F"]
    raw = _norm(_text(value))
    if raw in TRUE_WORDS:
        return ["T"]
    if raw in FALSE_WORDS:
        return ["F"]
    return [raw.upper()] if raw else []


def _difficulty(value, labels: dict, problems: dict) -> int | None:
    if _blank(value):
        return Difficulty.MEDIUM
    raw = _text(value)
    number = labels.get(_norm(raw))
    if number is None:
        try:
            exact = Decimal(unicodedata.normalize("NFKC", raw))
        except InvalidOperation:
            exact = None
        if exact is not None and not exact.is_finite():
            exact = None  # NaN, sNaN, Infinity
        # Compare before converting: int() of a number like 1E999999999 would take forever.
        number = next((v for v in Difficulty.values if exact is not None and exact == v), None)
    if number not in Difficulty.values:
        problems["difficulty"] = _("Difficulty is 1 (easy), 2 (medium) or 3 (hard).")
        return None
    return number


def _points(value, problems: dict) -> Decimal | None:
    if _blank(value):
        return Decimal("1.0")
    try:
        points = Decimal(unicodedata.normalize("NFKC", _text(value)))
    except InvalidOperation:
        points = None
    if (
        points is None
        or not points.is_finite()
        or points < Decimal("0.5")
        or points > MAX_POINTS
        or points != points.quantize(Decimal("0.1"))
    ):
        problems["points"] = _("Points are a number from 0.5 to 9999.9 with at most one decimal.")
        return None
    return points.quantize(Decimal("0.1"))


def _tags(value, problems: dict) -> list[str]:
    names = [name.strip() for name in re.split(r"[,，、;；\n]+", _text(value))]
    names = list(dict.fromkeys(name for name in names if name))
    if any(len(name) > MAX_TAG_LENGTH for name in names):
        problems["tags"] = _("A tag is at most %(count)s characters long.") % {
            "count": MAX_TAG_LENGTH
        }
    return names


def _listing(key: str) -> str:
    names = {"type": TYPE_NAMES, "category": CATEGORY_NAMES, "level": _level_names()}
    names["status"] = STATUS_NAMES
    return "、".join(f"{name}（{code}）" for code, name in names[key].items())


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    """A cell's value as stripped text; whole numbers lose the ".0" Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


# -- import ----------------------------------------------------------------------------------


@transaction.atomic
def questions_import(*, base, rows: list[ParsedQuestion]) -> list[Question]:
    """Create every parsed question in ``base`` with its tags, all or nothing."""
    questions = []
    for parsed in rows:
        question = parsed.question
        question.pk = None
        question.base = base
        questions.append(question)
    created = Question.objects.bulk_create(questions, batch_size=500)
    if any(question.pk is None for question in created):  # a database without RETURNING
        raise RuntimeError("bulk_create did not set primary keys")
    _tags_attach(created, [parsed.tags for parsed in rows])
    return created


def _tags_attach(questions: list[Question], tag_lists: list[list[str]]) -> None:
    through = Question._meta.get_field("tags").through
    tag_model = through.tag_model()
    names = list(dict.fromkeys(name for names in tag_lists for name in names))
    if not names:
        return
    tags = {tag.name: tag for tag in tag_model.objects.filter(name__in=names)}
    for name in names:
        if name not in tags:
            tags[name] = tag_model.objects.get_or_create(name=name)[0]
    through.objects.bulk_create(
        [
            through(content_object=question, tag=tags[name])
            for question, names in zip(questions, tag_lists, strict=True)
            for name in names
        ],
        batch_size=500,
    )
