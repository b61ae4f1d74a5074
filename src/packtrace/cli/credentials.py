"""``apikey``, ``token`` and ``channel``: what machines use to call the Manufacturer V2 API. Keys and
tokens are printed once, when made; only their hashes are stored."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from packtrace.auth.service import SECRET_RULE, api_key_service, channel_service
from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.output import JsonOption, emit, print_json, print_message, print_record, print_secret
from packtrace.cli.tenancy import ask_secret
from packtrace.models import ApiKey, Channel
from packtrace.models.enums import ChannelSource

apikey_app = typer.Typer(help="API keys: ERP systems exchange key and secret for a token.", no_args_is_help=True)
token_app = typer.Typer(help="Static access tokens (one per API key, no expiry).", no_args_is_help=True)
channel_app = typer.Typer(help="Shopfloor channels: their key goes in x-channel-key.", no_args_is_help=True)

ApiKeyNameOption = Annotated[str, typer.Option("--name", "-n", help="The API key's name.")]
ApiKeyRefOption = Annotated[str, typer.Option("--api-key", "-k", help="The name of the API key.")]
ChannelNameOption = Annotated[str, typer.Option("--name", "-n", help="The channel's name.")]


def api_key_row(api_key: ApiKey) -> dict[str, Any]:
    return {
        "name": api_key.name,
        "key_hint": api_key.key_hint,
        "active": api_key.active,
        "static_token": api_key.static_token_hash is not None,
        "static_token_created_at": api_key.static_token_created_at,
        "created_at": api_key.created_at,
    }


def channel_row(channel: Channel) -> dict[str, Any]:
    return {
        "name": channel.name,
        "source": channel.source,
        "key_hint": channel.key_hint,
        "enabled": channel.enabled,
        "created_at": channel.created_at,
    }


def _emit_with_secret(row: dict[str, Any], field: str, value: str, label: str, title: str, as_json: bool) -> None:
    if as_json:
        print_json(row | {field: value})
    else:
        print_record(row, title)
    print_secret(label, value, as_json)


@apikey_app.command("create")
def apikey_create(
    tenant: TenantOption,
    name: ApiKeyNameOption,
    secret: Annotated[
        str | None,
        typer.Option(
            "--secret",
            help=f"The API secret; must be {SECRET_RULE}. Asked for (hidden, twice) when not given.",
            show_default=False,
        ),
    ] = None,
    secret_stdin: Annotated[
        bool, typer.Option("--secret-stdin", help="Read the API secret from the first line of standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an API key; the generated key is printed once."""
    secret = ask_secret("API secret", secret, secret_stdin)
    settings = load_settings()
    server_key = settings.signing_key()
    with unit_of_work(settings) as session:
        issued = api_key_service.create(session, server_key, tenant_named(session, tenant).id, name, secret)
        row = api_key_row(issued.api_key)
    _emit_with_secret(row, "key", issued.key, "API key", "API key created", as_json)


@apikey_app.command("list")
def apikey_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's API keys (hints only: keys are not stored)."""
    with unit_of_work(load_settings()) as session:
        rows = [api_key_row(k) for k in api_key_service.list_all(session, tenant_named(session, tenant).id)]
    emit(rows, as_json, "API keys", columns=["name", "key_hint", "active", "static_token", "created_at"])


def _set_api_key_active(tenant: str, name: str, active: bool) -> dict[str, Any]:
    with unit_of_work(load_settings()) as session:
        api_key = api_key_service.get(session, tenant_named(session, tenant).id, name)
        return api_key_row(api_key_service.set_active(session, api_key, active))


@apikey_app.command("disable")
def apikey_disable(tenant: TenantOption, name: ApiKeyNameOption, as_json: JsonOption = False) -> None:
    """Disable an API key: its tokens, dynamic and static, stop working at once."""
    emit(_set_api_key_active(tenant, name, False), as_json, "API key disabled")


@apikey_app.command("enable")
def apikey_enable(tenant: TenantOption, name: ApiKeyNameOption, as_json: JsonOption = False) -> None:
    """Enable a disabled API key again."""
    emit(_set_api_key_active(tenant, name, True), as_json, "API key enabled")


@token_app.command("generate")
def token_generate(tenant: TenantOption, api_key: ApiKeyRefOption, as_json: JsonOption = False) -> None:
    """Generate the API key's static token, printed once; a previous one stops working."""
    settings = load_settings()
    server_key = settings.signing_key()
    with unit_of_work(settings) as session:
        key_row = api_key_service.get(session, tenant_named(session, tenant).id, api_key)
        issued = api_key_service.generate_static_token(session, server_key, key_row)
        row = {"api_key": key_row.name, "created_at": key_row.static_token_created_at}
        active = key_row.active
    if as_json:
        print_json(row | {"token": issued.token})
    else:
        typer.echo(f"Static token generated for API key {row['api_key']!r}; any previous one no longer works.")
    if not active:
        typer.echo(f"warning: API key {row['api_key']!r} is disabled; the token works once it is enabled.", err=True)
    print_secret("static token", issued.token, as_json)


@token_app.command("revoke")
def token_revoke(tenant: TenantOption, api_key: ApiKeyRefOption, as_json: JsonOption = False) -> None:
    """Revoke the API key's static token; it stops working at once."""
    with unit_of_work(load_settings()) as session:
        key_row = api_key_service.get(session, tenant_named(session, tenant).id, api_key)
        api_key_service.revoke_static_token(session, key_row)
        name = key_row.name
    print_message(f"Static token of API key {name!r} revoked.", as_json, {"api_key": name, "static_token": False})


@channel_app.command("create")
def channel_create(tenant: TenantOption, name: ChannelNameOption, as_json: JsonOption = False) -> None:
    """Create a channel for the Manufacturer V2 API; its key is printed once."""
    settings = load_settings()
    server_key = settings.signing_key()
    with unit_of_work(settings) as session:
        issued = channel_service.create(
            session, server_key, tenant_named(session, tenant).id, name, ChannelSource.MANUFACTURER_V2_API
        )
        row = channel_row(issued.channel)
    _emit_with_secret(row, "key", issued.key, "channel key", "Channel created", as_json)


@channel_app.command("list")
def channel_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's channels (hints only: keys are not stored)."""
    with unit_of_work(load_settings()) as session:
        rows = [channel_row(c) for c in channel_service.list_all(session, tenant_named(session, tenant).id)]
    emit(rows, as_json, "Channels")


def _set_channel_enabled(tenant: str, name: str, enabled: bool) -> dict[str, Any]:
    with unit_of_work(load_settings()) as session:
        channel = channel_service.get(session, tenant_named(session, tenant).id, name)
        return channel_row(channel_service.set_enabled(session, channel, enabled))


@channel_app.command("disable")
def channel_disable(tenant: TenantOption, name: ChannelNameOption, as_json: JsonOption = False) -> None:
    """Disable a channel: requests with its key are refused."""
    emit(_set_channel_enabled(tenant, name, False), as_json, "Channel disabled")


@channel_app.command("enable")
def channel_enable(tenant: TenantOption, name: ChannelNameOption, as_json: JsonOption = False) -> None:
    """Enable a disabled channel again."""
    emit(_set_channel_enabled(tenant, name, True), as_json, "Channel enabled")
