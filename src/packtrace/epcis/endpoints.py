"""The EPCIS 2.0 REST query interface under /epcis/ (the subset issue 11 names), answered as the standard's
OpenAPI says: EPCISQueryDocument bodies, ``Link: <...>; rel="next"`` paging, the GS1-EPCIS-Version and
GS1-CBV-Version headers, and the standard's RFC 7807 exceptions for what the query gets wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from packtrace.auth.principal import ApiCaller, manufacturer_api_principal, user_principal
from packtrace.epcis import capture as capture_module
from packtrace.epcis import query, xml_out
from packtrace.epcis.events import CBV_VERSION, SCHEMA_VERSION, format_time
from packtrace.epcis.identifiers import canonical_identifier
from packtrace.epcis.service import epcis_service
from packtrace.kit.deps import Context, DbSession
from packtrace.models.base import utcnow
from packtrace.models.enums import Role
from packtrace.orders.service import order_service

router = APIRouter(prefix="/epcis", tags=["EPCIS 2.0"])

VERSION_HEADERS = {"GS1-EPCIS-Version": SCHEMA_VERSION, "GS1-CBV-Version": CBV_VERSION}
_access_token = APIKeyHeader(name="x-access-token", auto_error=False, description="V2 API access token")
_bearer = HTTPBearer(auto_error=False, description="V2 access token or management API user token")
_channel_key = APIKeyHeader(name="x-channel-key", auto_error=False, description="Shopfloor channel key (V2)")


@dataclass(frozen=True)
class EpcisCaller:
    tenant_id: int
    actor: str
    may_capture: bool


def epcis_caller(
    request: Request,
    session: DbSession,
    context: Context,
    access_token: Annotated[str | None, Security(_access_token)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    channel_key: Annotated[str | None, Security(_channel_key)] = None,
) -> EpcisCaller:
    """V2 credentials (API key and channel key) or a management API user token. V2 callers and
    Administrator or Support users may capture; the User role reads only."""
    if channel_key or access_token:
        api = manufacturer_api_principal(request, session, context, access_token, bearer, channel_key)
        return EpcisCaller(api.tenant_id, api.actor, may_capture=True)
    user = user_principal(request, session, context, bearer)
    return EpcisCaller(user.tenant_id, user.actor, may_capture=user.role in (Role.ADMINISTRATOR, Role.SUPPORT))


Caller = Annotated[EpcisCaller, Depends(epcis_caller)]


def problem(status: int, exception: str, title: str) -> JSONResponse:
    """The standard's exception: RFC 7807 ``{type: epcisException:..., title, status}``."""
    body = {"type": f"epcisException:{exception}", "title": title, "status": status}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=VERSION_HEADERS)


def _xml(events: Any, headers: dict[str, str], *, query: bool) -> StreamingResponse:
    """The events as EPCIS 2.0 XML, written while sent."""
    stream = xml_out.stream_document(events, utcnow(), query=query)
    return StreamingResponse(stream, headers=headers, media_type="application/xml")


def _answer(request: Request, caller: EpcisCaller, session: Any, params: dict[str, str]) -> Response:
    try:
        found = query.parse(params)
        per_page = query.per_page(params.get("perPage"))
        after = query.decode_token(params.get("nextPageToken"))
    except query.QueryParameterError as error:
        return problem(400, "QueryParameterException", str(error))
    except query.NotImplementedQuery as error:
        return problem(501, "ImplementationException", str(error))
    page = epcis_service.query(session, caller.tenant_id, found, after, per_page)
    headers = dict(VERSION_HEADERS)
    if page.next_after is not None:
        following = {k: v for k, v in request.query_params.items() if k != "nextPageToken"}
        following["nextPageToken"] = query.encode_token(page.next_after)
        headers["Link"] = f'<{request.url.path}?{urlencode(following)}>; rel="next"'
    if xml_out.wants_xml(request.headers.get("accept")):
        return _xml(page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"], headers, query=True)
    return JSONResponse(page.document, headers=headers, media_type="application/ld+json")


@router.get("/events", summary="Query events (SimpleEventQuery subset)")
def events(request: Request, caller: Caller, session: DbSession) -> Response:
    """Events of your tenant, in the order stored: `eventType`, `GE_eventTime`, `LT_eventTime`,
    `GE_recordTime`, `EQ_action`, `EQ_bizStep`, `EQ_disposition`, `MATCH_epc`, `MATCH_parentID`,
    `MATCH_anyEPC`, `EQ_bizLocation` (values separated by `|`), paged with `perPage` (default 30, at
    most 1,000) and `nextPageToken`. JSON-LD, or EPCIS 2.0 XML with `Accept: application/xml`."""
    return _answer(request, caller, session, dict(request.query_params))


@router.get("/events/{event_id:path}", summary="One event by its eventID")
def event(event_id: str, request: Request, caller: Caller, session: DbSession) -> Response:
    """The event whose eventID (URL-encoded, `ni:///sha-256;...?ver=CBV2.0`) is given; with `Accept:
    application/xml`, an EPCIS 2.0 XML EPCISQueryDocument holding it."""
    found = epcis_service.query(session, caller.tenant_id, query.Filter(event_ids=[event_id]), 0, 1)
    events = found.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    if not events:
        return problem(404, "NoSuchResourceException", f"no event {event_id}")
    if xml_out.wants_xml(request.headers.get("accept")):
        return _xml(events[:1], dict(VERSION_HEADERS), query=True)
    return JSONResponse(events[0], headers=VERSION_HEADERS, media_type="application/ld+json")


# Every role an EPC may have in an event: in its epcList or childEPCs, or as its parentID.
_MATCH_ANY_ROLES = "ecp"


@router.get("/epcs/{epc:path}/events", summary="The events of one pack or SSCC")
def epc_events(epc: str, request: Request, caller: Caller, session: DbSession) -> Response:
    """Events naming the EPC (Digital Link URI or EPC URN, URL-encoded) in any role, with the query
    parameters of `/events`."""
    params = dict(request.query_params)
    if "MATCH_anyEPC" in params:
        return problem(400, "QueryParameterException", "MATCH_anyEPC: the EPC is the path's")
    params["MATCH_anyEPC"] = canonical_identifier(epc)
    # An EPC no event of the tenant names is no resource of the tenant's: 404, as for an unknown event.
    named = query.Filter(epc_matches=[(_MATCH_ANY_ROLES, [params["MATCH_anyEPC"]])])
    if not epcis_service.query(session, caller.tenant_id, named, 0, 1).document["epcisBody"]["queryResults"][
        "resultsBody"
    ]["eventList"]:
        return problem(404, "NoSuchResourceException", f"no event names {epc}")
    return _answer(request, caller, session, params)


# Capture's own limits, announced on every capture answer: a 100,000-EPC commissioning document is about
# 6 MB of JSON-LD.
CAPTURE_MAX_BYTES = 64 * 1024 * 1024
CAPTURE_MAX_EVENTS = 10_000
CAPTURE_PATH = "/epcis/capture"
CAPTURE_HEADERS = {
    **VERSION_HEADERS,
    "GS1-EPCIS-Capture-Limit": str(CAPTURE_MAX_EVENTS),
    "GS1-EPCIS-Capture-File-Size-Limit": str(CAPTURE_MAX_BYTES),
}


def _capture_problem(status: int, exception: str, title: str) -> JSONResponse:
    response = problem(status, exception, title)
    response.headers.update(CAPTURE_HEADERS)
    return response


async def _limited_body(request: Request) -> bytes | None:
    """The body, or None past the capture limit (read no further than the limit)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > CAPTURE_MAX_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > CAPTURE_MAX_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


# The body is read raw (JSON-LD or XML, under capture's own size limit): documented here, not parsed by FastAPI.
_CAPTURE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/ld+json": {"schema": {"type": "object", "description": "EPCISDocument (JSON-LD)"}},
            "application/json": {"schema": {"type": "object", "description": "EPCISDocument (JSON-LD)"}},
            **{
                t: {"schema": {"type": "string", "description": "EPCISDocument (EPCIS 2.0 XML)"}}
                for t in xml_out.XML_TYPES
            },
        },
    }
}


@router.post("/capture", summary="Capture an EPCISDocument", status_code=202, openapi_extra=_CAPTURE_BODY)
async def capture(request: Request, caller: Caller, session: DbSession) -> JSONResponse:
    """Apply and store the events of an EPCISDocument: JSON-LD, or EPCIS 2.0 XML (`Content-Type:
    application/xml` or `text/xml`; a document that is not is refused naming its line and rule).
    `GS1-Capture-Error-Behaviour`: `rollback` (default: all or nothing) or `proceed` (refused events are
    left out). Answers 202 with `Location: /epcis/capture/{captureID}`, the job listing each refused event's reason."""
    if not caller.may_capture:
        return _capture_problem(
            403, "ClientUnauthorizedException", "capturing needs V2 credentials or an Administrator or Support user"
        )
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", "rollback").lower()
    if behaviour not in capture_module.BEHAVIOURS:
        return _capture_problem(
            400, "ValidationException", f"GS1-Capture-Error-Behaviour: rollback or proceed, got {behaviour!r}"
        )
    media = request.headers.get("content-type", "")
    try:
        capture_module.readable_media(media)
    except capture_module.Unreadable as error:
        return _capture_problem(error.status, error.exception, error.title)
    body = await _limited_body(request)
    if body is None:
        return _capture_problem(
            413, "CaptureLimitExceededException", f"a capture is at most {CAPTURE_MAX_BYTES:,} bytes"
        )
    try:
        doc = await run_in_threadpool(capture_module.read_document, body, media)
    except capture_module.Unreadable as error:
        return _capture_problem(error.status, error.exception, error.title)
    events = doc["epcisBody"]["eventList"]
    if len(events) > CAPTURE_MAX_EVENTS:
        return _capture_problem(
            413, "CaptureLimitExceededException", f"a capture is at most {CAPTURE_MAX_EVENTS:,} events"
        )
    outcome = await run_in_threadpool(
        capture_module.capture_service.capture, session, caller.tenant_id, doc, behaviour, caller.actor
    )
    headers = {**CAPTURE_HEADERS, "Location": f"{CAPTURE_PATH}/{outcome.capture_id}"}
    return JSONResponse({"captureID": outcome.capture_id}, status_code=202, headers=headers)


@router.get("/capture/{capture_id}", summary="A capture job")
def capture_job(capture_id: str, caller: Caller, session: DbSession) -> JSONResponse:
    """`running` (always false: capture is applied before the 202), `success`, and `errors`: one problem
    per refused event, with its `eventIndex` in the document."""
    job = capture_module.capture_service.job(session, caller.tenant_id, capture_id)
    if job is None:
        return _capture_problem(404, "NoSuchResourceException", f"no capture job {capture_id}")
    body = {
        "captureID": job.capture_id,
        "createdAt": format_time(job.created_at, "+00:00").replace("+00:00", "Z"),
        "finishedAt": format_time(job.finished_at, "+00:00").replace("+00:00", "Z"),
        "running": False,
        "success": job.success,
        "captureErrorBehaviour": job.error_behaviour,
        "errors": json.loads(job.errors),
    }
    return JSONResponse(body, headers=CAPTURE_HEADERS)


v2_router = APIRouter(tags=["EPCIS 2.0"])


@v2_router.get("/packaging_order/epcis", summary="An order's whole story as one EPCISDocument")
def order_events(
    order_id: Annotated[str, Query(min_length=1, max_length=255)],
    request: Request,
    caller: ApiCaller,
    session: DbSession,
) -> Response:
    """Every EPCIS event of the order: the commissioning, decommissioning and aggregation of its packs,
    and the commissioning and packing of the cases and pallets they went into, in the order stored.
    JSON-LD, or EPCIS 2.0 XML (streamed) with `Accept: application/xml`."""
    order = order_service.get(session, caller.tenant_id, order_id)
    if xml_out.wants_xml(request.headers.get("accept")):
        # Read before the answer starts: the stream no longer touches the session.
        return _xml(epcis_service.order_events(session, caller.tenant_id, order.id), dict(VERSION_HEADERS), query=False)
    doc = epcis_service.order_document(session, caller.tenant_id, order.id)
    return JSONResponse(doc, headers=VERSION_HEADERS, media_type="application/ld+json")
