"""Reading a FHIR QuestionnaireResponse for a PHQ-9 or GAD-7 into item answers.

The response is parsed with fhir.resources' R4B models, then checked strictly: it must be
completed, dated, answer every item of the instrument exactly once with 0-3 (a LOINC answer
code or a whole number), and any total it carries must match the items. Nothing is
recorded here; the caller hands the answers to the measure service, which scores them and
raises the item-9 alert exactly as for a measure typed in.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse, QuestionnaireResponseItem
from pydantic import ValidationError

from trdplanner.clinical import Instrument, score
from trdplanner.core.errors import InputError
from trdplanner.export.fhir_codes import ANSWER_SCORE, LOINC, LOINC_FORMS, PRINT_CODE_SYSTEM, LoincForm

MAX_BYTES = 1024 * 1024
IMPORTABLE = (Instrument.PHQ9, Instrument.GAD7)


@dataclass(frozen=True)
class ImportedMeasure:
    instrument: Instrument
    items: list[int]
    taken_on: dt.date
    # The print code the response names as its subject, if it names one in our identifier system.
    subject_code: str | None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid"))


def _parse(text: str) -> QuestionnaireResponse:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError("file", "is larger than 1 MB; a questionnaire response is far smaller")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("file", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        kind = data.get("resourceType") if isinstance(data, dict) else None
        raise InputError("resourceType", f"must be QuestionnaireResponse, got {kind!r}")
    try:
        return QuestionnaireResponse.model_validate(data)
    except ValidationError as exc:
        raise InputError("file", f"not a valid FHIR QuestionnaireResponse ({_first_error(exc)})") from exc


def _link(link_id: str) -> str:
    # LOINC's form builder writes "/44250-9"; other tools write "44250-9".
    return link_id.strip().lstrip("/")


def _flatten(items: list[QuestionnaireResponseItem] | None) -> list[QuestionnaireResponseItem]:
    out: list[QuestionnaireResponseItem] = []
    for item in items or []:
        out.append(item)
        out.extend(_flatten(item.item))
        for answer in item.answer or []:
            out.extend(_flatten(answer.item))
    return out


def _instrument(qr: QuestionnaireResponse, links: set[str]) -> tuple[Instrument, LoincForm]:
    canonical = (qr.questionnaire or "").split("|")[0].rstrip("/")
    for instrument in IMPORTABLE:
        form = LOINC_FORMS[instrument]
        if canonical.endswith(f"/{form.panel}") or canonical == form.panel:
            return instrument, form
    for instrument in IMPORTABLE:
        form = LOINC_FORMS[instrument]
        if set(form.items) <= links:
            return instrument, form
    raise InputError("questionnaire", "is not a PHQ-9 (LOINC 44249-1) or GAD-7 (LOINC 69737-5) response")


def _answer_value(item: QuestionnaireResponseItem, where: str) -> int:
    answers = item.answer or []
    if len(answers) != 1:
        raise InputError(where, f"needs exactly one answer, has {len(answers)}")
    answer = answers[0]
    coding = answer.valueCoding
    if coding is not None:
        if coding.system not in (None, LOINC) or coding.code not in ANSWER_SCORE:
            raise InputError(where, f"answer code {coding.code!r} is not one of the PHQ answer codes (LA6568-5 ...)")
        return ANSWER_SCORE[coding.code]
    value: Any = answer.valueInteger if answer.valueInteger is not None else answer.valueDecimal
    if value is None or isinstance(value, bool) or value != int(value) or not 0 <= value <= 3:
        raise InputError(where, "answer must be a LOINC answer code or a whole number from 0 to 3")
    return int(value)


def _total_value(item: QuestionnaireResponseItem, where: str) -> int | None:
    answers = item.answer or []
    if not answers:
        return None
    a = answers[0]
    value: Any = a.valueInteger if a.valueInteger is not None else a.valueDecimal
    if value is None and a.valueQuantity is not None:
        value = a.valueQuantity.value
    if value is None or value != int(value):
        raise InputError(where, "the total must be a whole number")
    return int(value)


def _taken_on(qr: QuestionnaireResponse) -> dt.date:
    authored: Any = qr.authored
    if authored is None:
        raise InputError("authored", "is required: the date the questionnaire was completed")
    if isinstance(authored, dt.datetime):
        return authored.date()
    if isinstance(authored, dt.date):
        return authored
    try:  # a partial date such as "2026-01" cannot say which day the measure was taken
        return dt.date.fromisoformat(str(authored)[:10])
    except ValueError as exc:
        raise InputError("authored", f"needs a full date, got {authored!r}") from exc


def _subject_code(qr: QuestionnaireResponse) -> str | None:
    ident = qr.subject.identifier if qr.subject is not None else None
    if ident is not None and ident.system == PRINT_CODE_SYSTEM and ident.value:
        return str(ident.value)
    return None


def read_questionnaire_response(text: str) -> ImportedMeasure:
    """The PHQ-9 or GAD-7 answers in ``text``, or InputError naming what is wrong."""
    qr = _parse(text)
    if qr.status not in ("completed", "amended"):
        raise InputError("status", f"must be completed (or amended), got {qr.status!r}")
    flat = _flatten(qr.item)
    by_link: dict[str, list[QuestionnaireResponseItem]] = {}
    for item in flat:
        by_link.setdefault(_link(item.linkId or ""), []).append(item)
    instrument, form = _instrument(qr, set(by_link))
    items: list[int] = []
    for n, code in enumerate(form.items, start=1):
        found = by_link.get(code, [])
        where = f"item {code} ({instrument.display_name} item {n})"
        if not found:
            raise InputError(where, "is missing")
        if len(found) > 1:
            raise InputError(where, "is answered more than once")
        items.append(_answer_value(found[0], where))
    total_items = by_link.get(form.total, [])
    if total_items:
        stated = _total_value(total_items[0], f"item {form.total} (total)")
        computed = score(instrument, items=items).total
        if stated is not None and stated != computed:
            raise InputError(f"item {form.total} (total)", f"says {stated} but the items add up to {computed}")
    return ImportedMeasure(instrument, items, _taken_on(qr), _subject_code(qr))
