"""Bodies of the authentication requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Credential = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class ApiAuthRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    api_key: Credential
    api_secret: Credential


class TokenRead(BaseModel):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime | None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: Annotated[str, StringConstraints(min_length=3, max_length=320)]
    password: Credential


class UserRead(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    created_at: datetime
