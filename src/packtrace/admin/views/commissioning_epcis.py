"""Commissioning tab, the EPCIS upload: an EPCISDocument file goes through the same capture as
``POST /epcis/capture`` (its bytes and its media type, so every format capture reads is read here), and
the page shows the outcome and each refused event's reason.

Capturing is for Administrators and Support users whatever the tab's settings give the User role, as on
``/epcis/capture``. This router has no guard of its own: ``commissioning`` includes it under the tab's."""

from __future__ import annotations

from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from packtrace.admin.forms import Form, FormErrors, text
from packtrace.admin.rendering import render
from packtrace.admin.session import PageError, SignedIn
from packtrace.admin.views.commissioning_page import CAPTURING_ROLES, TAB, file_limit, index_page
from packtrace.epcis.capture import BEHAVIOURS, Unreadable, capture_service, read_document
from packtrace.epcis.endpoints import CAPTURE_MAX_EVENTS
from packtrace.kit.deps import DbSession

router = APIRouter()

# Not "file": the CSV form on the same page has that one, and an error shows next to its field.
FILE_FIELD = "epcis_file"
# A browser names a file's type from its extension, and knows none for .jsonld: the extension decides
# where the browser sends no type of the kind capture reads.
_BY_EXTENSION = {".json": "application/json", ".jsonld": "application/ld+json", ".xml": "application/xml"}
_VAGUE_TYPES = frozenset({"", "application/octet-stream", "text/plain"})


def media_type(upload: UploadFile) -> str:
    """The uploaded file's media type as capture reads it: the browser's, unless vague."""
    sent = (upload.content_type or "").split(";")[0].strip().lower()
    if sent not in _VAGUE_TYPES:
        return sent
    suffix = PurePosixPath((upload.filename or "").replace("\\", "/")).suffix.lower()
    return _BY_EXTENSION.get(suffix, sent)


@router.post("/epcis")
def capture_file(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """Apply the events of an EPCIS document: ``rollback`` (all or nothing) or ``proceed`` (the refused
    events are left out)."""
    if viewer.role not in CAPTURING_ROLES:
        raise PageError(403, "Not allowed", "Only Administrators and Support users capture EPCIS events.")
    errors = FormErrors()
    behaviour = text(form, "behaviour") or BEHAVIOURS[0]
    if behaviour not in BEHAVIOURS:
        errors.add("behaviour", f"choose one of {', '.join(BEHAVIOURS)}")
    upload = form.get(FILE_FIELD)
    data, file_name, media = b"", "", ""
    if isinstance(upload, UploadFile) and upload.filename:
        limit = file_limit(request)
        data, file_name, media = upload.file.read(limit + 1), upload.filename, media_type(upload)
        if len(data) > limit:
            errors.add(FILE_FIELD, f"the file is larger than the limit of {limit:,} bytes: split it into smaller files")
    else:
        errors.add(FILE_FIELD, "choose an EPCIS document (JSON-LD or XML) to upload")
    if not errors:
        try:
            doc = read_document(data, media)
        except Unreadable as error:
            errors.add(FILE_FIELD, error.title)
        else:
            if len(doc["epcisBody"]["eventList"]) > CAPTURE_MAX_EVENTS:
                errors.add(FILE_FIELD, f"a capture is at most {CAPTURE_MAX_EVENTS:,} events: split the document")
    if errors:
        values = {"behaviour": behaviour if behaviour in BEHAVIOURS else BEHAVIOURS[0]}
        return index_page(request, viewer, session, section="epcis", values=values, errors=errors, status=400)
    outcome = capture_service.capture(session, viewer.principal.tenant_id, doc, behaviour, viewer.actor)
    return render(
        request,
        "commissioning/epcis_result.html",
        viewer=viewer,
        tab=TAB,
        outcome=outcome,
        file_name=file_name,
        events=len(doc["epcisBody"]["eventList"]),
    )
