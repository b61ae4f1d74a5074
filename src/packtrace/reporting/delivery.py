"""Handing a report to its destination: an HTTP POST or a file in a drop folder. No database here: the
worker calls these between the transaction that claims a report and the one that records the answer."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx2

from packtrace.models.enums import ReportState

# What is kept of a receiver's answer or an error: enough to read, never a whole echoed document.
ANSWER_LIMIT = 4000
# 4xx answers that mean "not now" rather than "never": retried like a 5xx.
_TRANSIENT_4XX = {408, 425, 429}
_EXTENSIONS = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}


@dataclass(frozen=True)
class Parcel:
    """What a delivery needs of a report."""

    report_id: int
    kind: str
    subject: str
    media_type: str
    document: bytes
    idempotency_key: str


@dataclass(frozen=True)
class Outcome:
    """A delivery's result: the report's new state (None: try again later), the HTTP status if any, and
    the receiver's answer or the error."""

    state: ReportState | None
    http_status: int | None
    answer: str


def post(parcel: Parcel, url: str, auth_header: str | None, timeout: float) -> Outcome:
    headers = {"Content-Type": parcel.media_type, "Idempotency-Key": parcel.idempotency_key}
    if auth_header is not None:
        name, _, value = auth_header.partition(":")
        headers[name.strip()] = value.strip()
    try:
        with httpx2.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, content=parcel.document, headers=headers)
    except httpx2.TimeoutException:
        return Outcome(None, None, f"no answer within {timeout:g} s")
    except httpx2.HTTPError as error:
        return Outcome(None, None, f"could not reach the receiver: {error}"[:ANSWER_LIMIT])
    answer = response.text[:ANSWER_LIMIT]
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(ReportState.ACKNOWLEDGED, status, answer)
    if 400 <= status < 500 and status not in _TRANSIENT_4XX:
        return Outcome(ReportState.REJECTED, status, answer or f"HTTP {status}")
    return Outcome(None, status, f"HTTP {status}: {answer}"[:ANSWER_LIMIT])


def file_name(parcel: Parcel) -> str:
    """``<kind>-<subject slug>-<id>.<ext>``: readable, unique per report, the same on every attempt (a
    second write after a crash replaces the first, never adds a copy)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", parcel.subject).strip("-")[:80] or "report"
    kind = re.sub(r"[^A-Za-z0-9]+", "-", parcel.kind).strip("-")
    extension = _EXTENSIONS.get(parcel.media_type.split(";")[0].strip().lower(), "bin")
    return f"{kind}-{slug}-{parcel.report_id}.{extension}"


def write_file(parcel: Parcel, folder: Path) -> Outcome:
    """Writes the document atomically into ``folder`` (a temporary file, flushed to disk, renamed into
    place): whoever picks files up never sees a half-written one."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / file_name(parcel)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".partial-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(parcel.document)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _fsync_folder(folder)
    except OSError as error:
        return Outcome(None, None, f"could not write to the drop folder: {error.strerror or error}")
    return Outcome(ReportState.ACKNOWLEDGED, None, f"written to {target.name}")


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk too.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
