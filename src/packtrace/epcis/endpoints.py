"""The EPCIS 2.0 REST query interface under /epcis/ (the subset issue 11 names), answered as the standard's
OpenAPI says: EPCISQueryDocument bodies, ``Link: <...>; rel="next"`` paging, the GS1-EPCIS-Version and
GS1-CBV-Version headers, and the standard's RFC 7807 exceptions for what the query gets wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from packtrace.auth.principal import manufacturer_api_principal, user_principal
from packtrace.epcis import query
from packtrace.epcis.events import CBV_VERSION, SCHEMA_VERSION
from packtrace.epcis.identifiers import canonical_identifier
from packtrace.epcis.service import epcis_service
from packtrace.kit.deps import Context, DbSession
from packtrace.models.enums import Role

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


def _answer(request: Request, caller: EpcisCaller, session: Any, params: dict[str, str]) -> JSONResponse:
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
    return JSONResponse(page.document, headers=headers, media_type="application/ld+json")


@router.get("/events", summary="Query events (SimpleEventQuery subset)")
def events(request: Request, caller: Caller, session: DbSession) -> JSONResponse:
    """Events of your tenant, in the order stored: `eventType`, `GE_eventTime`, `LT_eventTime`,
    `GE_recordTime`, `EQ_action`, `EQ_bizStep`, `EQ_disposition`, `MATCH_epc`, `MATCH_parentID`,
    `MATCH_anyEPC`, `EQ_bizLocation` (values separated by `|`), paged with `perPage` (default 30, at
    most 1,000) and `nextPageToken`."""
    return _answer(request, caller, session, dict(request.query_params))


@router.get("/events/{event_id:path}", summary="One event by its eventID")
def event(event_id: str, request: Request, caller: Caller, session: DbSession) -> JSONResponse:
    """The event whose eventID (URL-encoded, `ni:///sha-256;...?ver=CBV2.0`) is given."""
    found = epcis_service.query(session, caller.tenant_id, query.Filter(event_ids=[event_id]), 0, 1)
    events = found.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    if not events:
        return problem(404, "NoSuchResourceException", f"no event {event_id}")
    return JSONResponse(events[0], headers=VERSION_HEADERS, media_type="application/ld+json")


@router.get("/epcs/{epc:path}/events", summary="The events of one pack or SSCC")
def epc_events(epc: str, request: Request, caller: Caller, session: DbSession) -> JSONResponse:
    """Events naming the EPC (Digital Link URI or EPC URN, URL-encoded) in any role, with the query
    parameters of `/events`."""
    params = dict(request.query_params)
    if "MATCH_anyEPC" in params:
        return problem(400, "QueryParameterException", "MATCH_anyEPC: the EPC is the path's")
    params["MATCH_anyEPC"] = canonical_identifier(epc)
    return _answer(request, caller, session, params)
