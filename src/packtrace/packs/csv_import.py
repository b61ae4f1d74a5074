"""Commissioning from a CSV file: ``SerialNumber,GTIN,Batch,ExpirationDate[,ManufacturingDate]``.

The header is required (column names as above, in any order, case ignored; ManufacturingDate may be left
out or left empty); one file may hold several products. Unlike ``serials/commission``, the import goes
row by row: a row that breaks a rule fails with its reason, and the good rows are committed, grouped per
product, batch, expiry and manufacturing date, each group set-based like ``serials/commission`` (no
packaging order: a managed serial must be Assigned, to any order or none). The failed rows come back as
CSV: the file's own columns, as they were, plus ``Reason``.

A row fails for: a field count other than the header's, a GTIN that is not valid (check digit) or not
registered, a serial that is not AI 21-valid, a batch that cannot be printed, a bad date, a serial listed
more than once in the file, and every rule of commissioning (not Assigned, produced already with other
data, decommissioned). A file that cannot be read at all (not UTF-8, no header, a missing column) is
refused whole: a ValidationError on ``file``."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import normalize_gtin
from packtrace.gs1.serials import is_valid_serial
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import DomainError, ValidationError
from packtrace.models import Product
from packtrace.packs.rules import SERIAL_RULE, batch_problem, date_problem, dates_details, expired_problem
from packtrace.packs.service import Lot, pack_service
from packtrace.products.service import product_service

SERIAL, GTIN, BATCH, EXPIRY, MANUFACTURING = "SerialNumber", "GTIN", "Batch", "ExpirationDate", "ManufacturingDate"
REQUIRED = (SERIAL, GTIN, BATCH, EXPIRY)
COLUMNS = (*REQUIRED, MANUFACTURING)
REASON = "Reason"


@dataclass
class Row:
    number: int  # the row's place among the file's records; the header is 1
    values: list[str]  # as read, for the failed-rows CSV
    fields: dict[str, str]


@dataclass(frozen=True)
class GroupResult:
    product_code: str
    batch: str
    expiry_date: str
    manufacturing_date: str | None
    commissioned: int
    already_active: int
    joined_pool: int


@dataclass
class ImportResult:
    header: list[str]
    rows: int
    groups: list[GroupResult] = field(default_factory=list)
    failed: list[tuple[Row, str]] = field(default_factory=list)

    @property
    def committed(self) -> int:
        return sum(g.commissioned for g in self.groups)

    @property
    def already_active(self) -> int:
        return sum(g.already_active for g in self.groups)

    def failed_csv(self) -> str | None:
        """The failed rows in file order, with the file's columns plus Reason; None when none failed."""
        return self.failed_rows_csv() if self.failed else None

    def failed_rows_csv(self) -> str:
        """The failed rows as CSV, the header alone when none failed."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([*self.header, REASON])
        width = len(self.header)
        for row, reason in sorted(self.failed, key=lambda failure: failure[0].number):
            # A short row is padded, so that its Reason stays in the Reason column.
            writer.writerow([*row.values, *[""] * (width - len(row.values)), reason])
        return buffer.getvalue()


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without the byte order mark spreadsheets write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError.on_field("file", f"not UTF-8 text (byte {exc.start + 1} of the file)") from None


def import_csv(session: Session, tenant_id: int, text: str, actor: str) -> ImportResult:
    header, rows = _read(text)
    result = ImportResult(header=header, rows=len(rows))
    groups: dict[tuple[int, str, str, str | None], list[Row]] = defaultdict(list)
    products: dict[int, Product] = {}
    by_serial: dict[tuple[int, str], list[Row]] = defaultdict(list)
    known_codes: dict[str, Product | None] = {}
    for row in rows:
        product, reasons = _check(session, tenant_id, row, len(header), known_codes)
        if reasons or product is None:
            result.failed.append((row, "; ".join(reasons)))
            continue
        products[product.id] = product
        by_serial[(product.id, row.fields[SERIAL])].append(row)
    for (product_id, _), same in by_serial.items():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            result.failed += [(r, f"serial listed more than once in the file (rows {numbers})") for r in same]
            continue
        row = same[0]
        manufacturing = row.fields.get(MANUFACTURING) or None
        groups[(product_id, row.fields[BATCH], row.fields[EXPIRY], manufacturing)].append(row)
    for (product_id, batch, expiry, manufacturing), members in groups.items():
        lot = Lot(products[product_id], batch, expiry, manufacturing, None)
        by_serial_of_group = {r.fields[SERIAL]: r for r in members}
        plan = pack_service.plan(session, lot, list(by_serial_of_group))
        result.failed += [(by_serial_of_group[s], problem.reason) for s, problem in plan.problems.items()]
        done = pack_service.apply(session, plan, actor)
        if done.commissioned or done.already_active:
            result.groups.append(
                GroupResult(
                    lot.product.code,
                    batch,
                    expiry,
                    manufacturing,
                    done.commissioned,
                    len(done.already_active),
                    done.joined_pool,
                )
            )
    return result


def _read(text: str) -> tuple[list[str], list[Row]]:
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationError.on_field("file", f"not readable as CSV: {exc}") from None
    # Blank lines are skipped, but still counted: a row's number is its place in the file.
    numbered = [(number, r) for number, r in enumerate(records, start=1) if any(value.strip() for value in r)]
    if not numbered:
        raise ValidationError.on_field("file", f"empty: a header ({','.join(COLUMNS)}) and rows are needed")
    header = numbered[0][1]
    columns = _columns(header)
    # A file of failed rows, corrected, comes back with its Reason column: that column is not data.
    reason_at = columns.index(REASON) if REASON in columns else None
    if reason_at is not None:
        header, columns = _without(header, reason_at), _without(columns, reason_at)
    rows = []
    for number, values in numbered[1:]:
        if reason_at is not None:
            values = _without(values, reason_at)
        fields = dict(zip(columns, values, strict=True)) if len(values) == len(columns) else {}
        rows.append(Row(number, values, fields))
    return header, rows


def _without(values: list[str], index: int) -> list[str]:
    return values[:index] + values[index + 1 :]


def _columns(header: list[str]) -> list[str]:
    """The canonical column name of each header field; a header that cannot be used refuses the file."""
    canonical = {name.lower(): name for name in (*COLUMNS, REASON)}
    columns = [canonical.get(name.strip().lower(), "") for name in header]
    unknown = [name for name, column in zip(header, columns, strict=True) if not column]
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    missing = [name for name in REQUIRED if name not in columns]
    problems = []
    if unknown:
        problems.append(f"unknown columns {', '.join(map(repr, unknown))}")
    if repeated:
        problems.append(f"columns given twice: {', '.join(repeated)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if problems:
        raise ValidationError.on_field(
            "file",
            f"the header must be {','.join(COLUMNS)} (the last is optional, and a Reason column is ignored):"
            f" {'; '.join(problems)}",
        )
    return columns


def _check(
    session: Session, tenant_id: int, row: Row, width: int, known_codes: dict[str, Product | None]
) -> tuple[Product | None, list[str]]:
    """The row's product and what is wrong with the row on its own (no database rule but the GTIN's)."""
    if not row.fields:
        return None, [f"has {len(row.values)} fields, the header has {width}"]
    reasons = []
    product = None
    code = row.fields[GTIN]
    try:
        gtin = normalize_gtin(code)
    except GS1Error as exc:
        reasons.append(str(exc))
    else:
        if gtin not in known_codes:
            known_codes[gtin] = _registered(session, tenant_id, gtin)
        product = known_codes[gtin]
        if product is None:
            reasons.append(f"GTIN {code} is not a product code registered by you")
    if not is_valid_serial(row.fields[SERIAL]):
        reasons.append(f"SerialNumber: {SERIAL_RULE}")
    if problem := batch_problem(row.fields[BATCH]):
        reasons.append(f"Batch {problem}")
    if problem := date_problem(row.fields[EXPIRY], "expiry"):
        reasons.append(problem)
    elif problem := expired_problem(row.fields[EXPIRY], transaction_time(session).date()):
        reasons.append(f"ExpirationDate {problem}")
    manufacturing = row.fields.get(MANUFACTURING)
    if manufacturing and (problem := date_problem(manufacturing, "manufacturing")):
        reasons.append(problem)
    reasons += [d.message for d in dates_details(row.fields[EXPIRY], manufacturing or None)]
    return product, reasons


def _registered(session: Session, tenant_id: int, gtin: str) -> Product | None:
    try:
        return product_service.registered(session, tenant_id, gtin)
    except DomainError:
        return None
