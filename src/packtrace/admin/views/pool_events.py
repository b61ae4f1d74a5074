"""SN / SSCC pool tab, an EPCIS event as JSON: what the pack and SSCC histories link each fact to. It is
``GET /epcis/events/{eventID}`` for the signed-in user (that endpoint takes API credentials, which a
browser does not send): the same event, the same headers, the same 404."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from packtrace.admin.session import SignedIn
from packtrace.epcis.endpoints import VERSION_HEADERS, problem
from packtrace.epcis.query import Filter
from packtrace.epcis.service import epcis_service
from packtrace.kit.deps import DbSession

router = APIRouter()


@router.get("/events/{event_id:path}")
def epcis_event(event_id: str, viewer: SignedIn, session: DbSession) -> JSONResponse:
    """The event whose eventID (URL-encoded) is given, of the viewer's tenant only."""
    found = epcis_service.query(session, viewer.principal.tenant_id, Filter(event_ids=[event_id]), 0, 1)
    events = found.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    if not events:
        return problem(404, "NoSuchResourceException", f"no event {event_id}")
    return JSONResponse(events[0], headers=VERSION_HEADERS, media_type="application/ld+json")
