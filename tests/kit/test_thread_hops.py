"""A V2 request hops to a worker thread only for what may block: the unit of work (entered and left),
authentication and the endpoint, plus FastAPI's validation of a sync endpoint's response model, which it
runs on a thread too. Each hop wakes the event loop twice; a dependency that only reads the request
(``kit.deps.Context``) runs on the loop itself (it was a sixth hop)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from tests.support import ORDERS

# unit of work in + out, the caller's credentials, the endpoint, the response model's validation
V2_HOPS = 5


def test_a_v2_request_makes_only_the_hops_its_blocking_work_needs(
    client: TestClient, api_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hops: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(getattr(function, "func", function), "__qualname__", "?"))
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    response = client.get(f"{ORDERS}/open", headers=api_headers)
    assert response.status_code == 200, response.text
    assert len(hops) == V2_HOPS, hops
