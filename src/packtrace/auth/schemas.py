"""Bodies of the authentication requests and of the management API for users and credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.audit.schemas import Reason
from packtrace.kit.validation import NoNul

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

    email: Annotated[str, StringConstraints(min_length=3, max_length=320), NoNul]
    password: Credential


class UserRead(BaseModel):
    id: int
    email: str
    name: str
    role: str
    active: bool
    created_at: datetime


# -- management API ------------------------------------------------------------------------------------

Name255 = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
PersonName = Annotated[str, StringConstraints(max_length=255), NoNul]
RoleName = Literal["Administrator", "Support", "User"]


class TenantRead(BaseModel):
    id: int
    name: str
    automatic_release: bool = Field(
        description="an order that has its serial numbers and a packaging line is released to the line at once"
    )
    created_at: datetime


class TenantUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    automatic_release: bool = Field(
        description="release an order to its packaging line as soon as it has its serial numbers"
    )
    reason: Reason = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: Annotated[str, StringConstraints(min_length=3, max_length=320), NoNul]
    password: Credential = Field(description="at least 8 characters: upper and lower case, a digit, a symbol")
    role: RoleName
    name: PersonName = ""
    reason: Reason = None


class UserUpdate(BaseModel):
    """Fields left out (or null) stay as they are. An administrator cannot demote or disable themselves."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: RoleName | None = None
    active: bool | None = None
    name: PersonName | None = None
    password: Credential | None = None
    reason: Reason = None


class ApiKeyRead(BaseModel):
    name: str
    key_hint: str = Field(description="the last 4 characters of the key, to tell keys apart")
    active: bool
    has_static_token: bool
    static_token_created_at: datetime | None
    created_at: datetime


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name255
    secret: Credential = Field(description="at least 8 characters: upper and lower case, a digit, a symbol")
    reason: Reason = None


class ApiKeyCreated(ApiKeyRead):
    api_key: str = Field(description="the key itself: shown only in this response, only its hash is stored")


class ApiKeyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    active: bool
    reason: Reason = None


class ChannelRead(BaseModel):
    name: str
    source: str
    key_hint: str = Field(description="the last 4 characters of the key, to tell channels apart")
    enabled: bool
    created_at: datetime


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name255
    reason: Reason = None


class ChannelCreated(ChannelRead):
    channel_key: str = Field(description="the key itself: shown only in this response, only its hash is stored")


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool
    reason: Reason = None
