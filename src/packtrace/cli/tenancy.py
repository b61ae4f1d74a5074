"""``tenant`` and ``user``: the operator (whoever has host access) manages every tenant."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from packtrace.auth.service import SECRET_RULE, tenant_service, user_service
from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import CliError
from packtrace.cli.output import JsonOption, emit, print_message
from packtrace.models import Tenant, User
from packtrace.models.enums import Role

tenant_app = typer.Typer(help="Tenants: the companies this installation serves.", no_args_is_help=True)
user_app = typer.Typer(help="People who sign in to a tenant (admin UI and management API).", no_args_is_help=True)

EmailOption = Annotated[str, typer.Option("--email", "-e", help="The user's e-mail address (their sign-in).")]
RoleOption = Annotated[Role, typer.Option("--role", "-r", case_sensitive=False, help="What the user may do.")]
PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        help=f"Must be {SECRET_RULE}. Asked for (hidden, twice) when not given, which keeps it out of the "
        "shell history.",
        show_default=False,
    ),
]


PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input, for scripts "
        "(e.g. printf '%s\\n' \"$PASSWORD\" | packtrace ...).",
    ),
]


def ask_secret(label: str, given: str | None = None, from_stdin: bool = False) -> str:
    """The secret given as an option, else the first line of stdin (``from_stdin``), else asked for."""
    if given is not None:
        if from_stdin:
            raise CliError(f"give the {label.lower()} either as an option or on standard input, not both")
        return given
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError(f"no {label.lower()} on standard input")
        return line
    # On stderr, so that stdout holds only the command's output (e.g. its JSON).
    value: str = typer.prompt(label, hide_input=True, confirmation_prompt=True, err=True)
    return value


def tenant_row(tenant: Tenant) -> dict[str, Any]:
    return {
        "name": tenant.name,
        "id": tenant.id,
        "automatic_release": tenant.automatic_release,
        "created_at": tenant.created_at,
    }


def user_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "created_at": user.created_at,
    }


@tenant_app.command("create")
def tenant_create(name: Annotated[str, typer.Argument(help="The tenant's name.")], as_json: JsonOption = False) -> None:
    """Create a tenant."""
    with unit_of_work(load_settings()) as session:
        row = tenant_row(tenant_service.create(session, name))
    emit(row, as_json, "Tenant created")


@tenant_app.command("list")
def tenant_list(as_json: JsonOption = False) -> None:
    """List every tenant."""
    with unit_of_work(load_settings()) as session:
        rows = [tenant_row(t) for t in tenant_service.list_all(session)]
    emit(rows, as_json, "Tenants")


@tenant_app.command("set")
def tenant_set(
    name: Annotated[str, typer.Argument(help="The tenant's name.")],
    automatic_release: Annotated[
        bool | None,
        typer.Option(
            "--automatic-release/--no-automatic-release",
            help="Release an order to its packaging line as soon as it has its serial numbers (orders that get "
            "them from now on).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a tenant's settings; what is not given stays as it is."""
    if automatic_release is None:
        raise CliError("nothing to change: give --automatic-release or --no-automatic-release")
    with unit_of_work(load_settings()) as session:
        tenant = tenant_service.get_by_name(session, name)
        row = tenant_row(tenant_service.set_automatic_release(session, tenant, automatic_release))
    emit(row, as_json, "Tenant updated")


@user_app.command("create")
def user_create(
    tenant: TenantOption,
    email: EmailOption,
    role: RoleOption,
    name: Annotated[str, typer.Option("--name", "-n", help="Full name.")] = "",
    password: PasswordOption = None,
    password_stdin: PasswordStdinOption = False,
    as_json: JsonOption = False,
) -> None:
    """Create a user. The password is asked for (hidden, twice) unless --password or --password-stdin
    gives it."""
    password = ask_secret("Password", password, password_stdin)
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        row = user_row(user_service.create(session, tenant_id, email, password, role, name))
    emit(row, as_json, "User created")


@user_app.command("list")
def user_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's users."""
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        rows = [user_row(u) for u in user_service.list_all(session, tenant_id)]
    emit(rows, as_json, "Users", columns=["email", "name", "role", "active", "created_at"])


def _update_user(tenant: str, email: str, **changes: Any) -> dict[str, Any]:
    with unit_of_work(load_settings()) as session:
        user = user_service.get_by_email(session, tenant_named(session, tenant).id, email)
        return user_row(user_service.update(session, user, **changes))


@user_app.command("set-role")
def user_set_role(tenant: TenantOption, email: EmailOption, role: RoleOption, as_json: JsonOption = False) -> None:
    """Change what a user may do."""
    emit(_update_user(tenant, email, role=role), as_json, "User")


@user_app.command("disable")
def user_disable(tenant: TenantOption, email: EmailOption, as_json: JsonOption = False) -> None:
    """Stop a user from signing in (their sign-in tokens stop working too)."""
    emit(_update_user(tenant, email, active=False), as_json, "User disabled")


@user_app.command("enable")
def user_enable(tenant: TenantOption, email: EmailOption, as_json: JsonOption = False) -> None:
    """Let a disabled user sign in again."""
    emit(_update_user(tenant, email, active=True), as_json, "User enabled")


@user_app.command("set-password")
def user_set_password(
    tenant: TenantOption,
    email: EmailOption,
    password: PasswordOption = None,
    password_stdin: PasswordStdinOption = False,
    as_json: JsonOption = False,
) -> None:
    """Set a user's password (asked for unless --password or --password-stdin gives it)."""
    password = ask_secret("New password", password, password_stdin)
    row = _update_user(tenant, email, password=password)
    print_message(f"Password of {row['email']} changed.", as_json, row)
