"""A V2 request reads its API key and its channel in one statement, and still every request: nothing
about a credential is kept between requests (tests/auth/test_revocation.py proves revocation is
immediate; test_v2_authentication.py that unknown, disabled, other tenants' and other sources'
channels are still refused)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from packtrace.demo import DemoCredentials
from tests.support import ORDERS, statements


def credential_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM api_keys" in s or "FROM channels" in s or "JOIN channels" in s]


def test_key_and_channel_are_one_statement_per_request(client: TestClient, demo: DemoCredentials) -> None:
    headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
    for _ in range(2):  # the second request reads them again: nothing is cached
        with statements() as seen:
            assert client.get(f"{ORDERS}/open", headers=headers).status_code == 200
        reads = credential_reads(seen)
        assert len(reads) == 1, reads
        assert "api_keys" in reads[0] and "channels" in reads[0]
