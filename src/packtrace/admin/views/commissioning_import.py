"""Commissioning tab, the CSV import: upload a file, see what was committed and each failed row, and
download the failed rows (the file's columns plus Reason) to correct and upload again.

The result page is rendered once, from the upload's answer; nothing of the file is kept on the server.
The failed rows travel in the page instead: the download button posts them back (CSRF-protected like
every form) and gets them as an attachment, after they are checked to be the CSV of failed rows. They
are split over several fields at line ends because the form parser takes at most 1 MiB a field.

This router has no guard of its own: ``commissioning`` includes it under the tab's guard."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from packtrace.admin.forms import Form, FormErrors
from packtrace.admin.rendering import render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer
from packtrace.admin.views.commissioning_page import TAB, file_limit, index_page
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.packs import csv_import
from packtrace.packs.csv_import import COLUMNS, REASON, ImportResult

router = APIRouter()

# Failed rows listed on the page; all of them are in the download.
FAILED_SHOWN = 100
# Characters of a value shown in the failed rows' table (a broken row can hold anything); the download
# has the values whole.
VALUE_SHOWN = 40
# Characters per field of the failed rows in the download form: at most 4 bytes each in UTF-8, well
# under the form parser's 1 MiB a field.
CHUNK_CHARACTERS = 200_000
DEFAULT_NAME = "commissioning"
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FailedRow:
    number: int
    values: list[str]  # one per column of the header: a short row is padded, a long one cut
    extra: int  # values beyond the header's columns
    reason: str


def _file_stem(filename: str) -> str:
    """The uploaded file's name, without folders and ``.csv``, in characters safe in a header."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if name.lower().endswith(".csv"):
        name = name[:-4]
    return _UNSAFE_IN_NAME.sub("_", name).strip("._")[:60] or DEFAULT_NAME


def field_chunks(text: str, size: int = CHUNK_CHARACTERS) -> list[str]:
    """``text`` in pieces of at most about ``size`` characters, cut after a CRLF where there is one: the
    browser turns a lone CR or LF at a field's end into CRLF, which would add a line."""
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = start + size
        if end < len(text):
            cut = text.rfind("\r\n", start, end)
            if cut >= start:
                end = cut + 2
            elif text[end - 1] == "\r" and end - 1 > start:
                end -= 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _shortened(value: str) -> str:
    return value if len(value) <= VALUE_SHOWN else value[: VALUE_SHOWN - 1] + "…"


def _failed_rows(result: ImportResult) -> list[FailedRow]:
    width = len(result.header)
    shown = sorted(result.failed, key=lambda failure: failure[0].number)[:FAILED_SHOWN]
    return [
        FailedRow(
            row.number,
            [_shortened(v) for v in [*row.values[:width], *[""] * (width - len(row.values))]],
            max(0, len(row.values) - width),
            reason,
        )
        for row, reason in shown
    ]


def _result_page(request: Request, viewer: Viewer, result: ImportResult, file_name: str) -> HTMLResponse:
    failed_csv = result.failed_rows_csv() if result.failed else ""
    downloadable = len(failed_csv.encode()) <= file_limit(request)
    return render(
        request,
        "commissioning/result.html",
        viewer=viewer,
        tab=TAB,
        result=result,
        file_name=file_name,
        file_stem=_file_stem(file_name),
        joined_pool=sum(g.joined_pool for g in result.groups),
        failed_rows=_failed_rows(result),
        failed_shown=FAILED_SHOWN,
        failed_chunks=field_chunks(failed_csv) if downloadable else [],
        downloadable=downloadable,
        reason_column=REASON,
    )


@router.post("/import")
def import_file(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """The file goes through the management API's import: the good rows are committed, per product,
    batch and dates; a row that breaks a rule fails alone; a file that cannot be read fails whole."""
    upload = form.get("file")
    errors = FormErrors()
    data, file_name = b"", ""
    if isinstance(upload, UploadFile) and upload.filename:
        limit = file_limit(request)
        data, file_name = upload.file.read(limit + 1), upload.filename
        if len(data) > limit:
            errors.add("file", f"the file is larger than the limit of {limit:,} bytes: split it into smaller files")
    else:
        errors.add("file", "choose a CSV file to upload")
    if errors:
        return index_page(request, viewer, session, section="import", errors=errors, status=400)
    try:
        result = csv_import.import_csv(session, viewer.principal.tenant_id, csv_import.decode(data), viewer.actor)
    except DomainError as error:
        session.rollback()
        errors = FormErrors.of(error, ("file",))
        return index_page(request, viewer, session, section="import", errors=errors, status=status_of(error))
    return _result_page(request, viewer, result, file_name)


def _checked_failed_rows(text: str) -> str:
    """``text`` written again as CSV, if it is the failed rows of an import: a header of the import's
    columns plus Reason, and rows. Anything else is refused: this answers only what the result page sent."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error:
        rows = []
    known = {name.lower() for name in COLUMNS}
    header = rows[0] if rows else []
    columns = [name.strip().lower() for name in header[:-1]]
    if len(header) < 2 or header[-1] != REASON or not all(c in known for c in columns):
        raise PageError(
            400,
            "Not the failed rows",
            "The download holds the failed rows of an import, sent by its result page. Upload the file again.",
        )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@router.post("/failed-rows")
def download_failed_rows(form: Form) -> Response:
    """The failed rows the result page holds, as a CSV attachment named after the uploaded file."""
    text = "".join(value for value in form.getlist("failed_csv") if isinstance(value, str))
    content = _checked_failed_rows(text)
    name = form.get("file_name")
    filename = f"{_file_stem(name if isinstance(name, str) else '')}-failed.csv"
    return Response(
        content.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
