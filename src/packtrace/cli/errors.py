"""How the CLI reports failure: one line on stderr, ``error: <message>``, never a traceback.

Exit 1 for what the user can fix (a domain error, a bad option, an unmigrated database), exit 2 for the
unexpected. The command group catches everything in one place, so commands just raise."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from sqlalchemy.exc import DBAPIError
from typer.core import TyperGroup

from packtrace.kit.errors import DomainError

USER_ERROR = 1
UNEXPECTED_ERROR = 2


class CliError(Exception):
    """A failure the user can fix that is not a domain error (settings, schema version)."""


def one_line(text: str) -> str:
    return " ".join(text.split())


def describe_domain_error(error: DomainError) -> str:
    """``field: message`` for each detail (the field tells which input is wrong), else the message."""
    if error.details:
        return "; ".join(f"{d.field}: {d.message}" for d in error.details)
    return error.message


def describe_unexpected(error: BaseException) -> str:
    # A driver error's own text is the useful part; SQLAlchemy's wrapper adds the SQL and a link.
    cause: BaseException = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    message = str(cause)
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__


def fail(message: str, exit_code: int) -> NoReturn:
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {one_line(message)}", err=True)
    raise typer.Exit(exit_code)


def _is_help_request(error: Exception) -> bool:
    # Typer shows the help for a group called without a command; not an error. (Matched by name, as
    # Typer itself does: the class is not public.)
    return type(error).__name__ == "NoArgsIsHelpError"


def describe_usage_error(error: typer.TyperException) -> str:
    """Typer's message for a bad command line, with where to get help, on one line."""
    message = error.format_message()
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message = f"{message.rstrip('.')}. (see: {ctx.command_path} --help)"
    return message


class CliGroup(TyperGroup):
    """The root command group: turns every exception a command raises, and every bad command line, into
    one line on stderr. Typer calls it with its own (vendored Click) context, hence ``Any`` below."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except typer.TyperException as error:
            if _is_help_request(error):
                raise
            fail(describe_usage_error(error), USER_ERROR)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except typer.TyperException as error:
            if _is_help_request(error):
                raise
            fail(describe_usage_error(error), USER_ERROR)
        except DomainError as error:
            fail(describe_domain_error(error), USER_ERROR)
        except CliError as error:
            fail(str(error), USER_ERROR)
        except Exception as error:
            fail(describe_unexpected(error), UNEXPECTED_ERROR)
