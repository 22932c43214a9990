"""`girok user add|passwd|disable|enable|role|list`: the people who log in to `girok serve`."""

from __future__ import annotations

import sys

import typer

from ..i18n import _, pgettext
from .kit import open_archive, out, plain, print_json, say

user_app = typer.Typer(
    help=_("Users of the web front end (girok serve) and their roles: clerk (status, search, view), officer (also "
           "downloads, holds, quarantine, retention), committee (retention review), admin (users). Every change is "
           "recorded in the audit trail."),
    no_args_is_help=True, rich_markup_mode=None)

STDIN_HELP = _("Read the password from the first line of standard input (for scripts) instead of asking for it.")
ROLE_HELP = _("clerk, officer, committee or admin.")
USER_HELP = _("The user.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat for confirmation"))


@user_app.command("add")
def add(
    name: str = typer.Argument(..., help=_("The log-in name: letters (Korean too), digits, '.', '_' or '-'.")),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
    as_json: bool = typer.Option(False, "--json", help=_("Print the new user as JSON.")),
) -> None:
    """Add a user with a role and a password (at least 10 characters)."""
    from ..app.users import add_user

    arch = open_archive()
    info = add_user(arch, name, role, _password(password_stdin))
    if as_json:
        print_json(info.as_dict())
    else:
        say(_("Added user {name} ({role}).").format(name=info.name, role=info.role))


@user_app.command("passwd")
def passwd(
    name: str = typer.Argument(..., help=USER_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Set a user's password (also ends a lock-out after failed log-ins)."""
    from ..app.users import set_password

    arch = open_archive()
    info = set_password(arch, name, _password(password_stdin))
    say(_("Password of {name} changed.").format(name=info.name))


@user_app.command("disable")
def disable(name: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Disable a user: no log-in, and an open session ends at its next request."""
    from ..app.users import set_disabled

    info = set_disabled(open_archive(), name, True)
    say(_("User {name} is disabled.").format(name=info.name))


@user_app.command("enable")
def enable(name: str = typer.Argument(..., help=USER_HELP)) -> None:
    """Enable a disabled user again."""
    from ..app.users import set_disabled

    info = set_disabled(open_archive(), name, False)
    say(_("User {name} is enabled.").format(name=info.name))


@user_app.command("role")
def role(name: str = typer.Argument(..., help=USER_HELP),
         new_role: str = typer.Argument(..., metavar="ROLE", help=ROLE_HELP)) -> None:
    """Give a user another role (takes effect at the user's next request)."""
    from ..app.users import set_role

    info = set_role(open_archive(), name, new_role)
    say(_("User {name} is now {role}.").format(name=info.name, role=info.role))


@user_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help=_("One JSON line per user."))) -> None:
    """The users, their roles and states (never their passwords)."""
    from rich.table import Table

    from ..app.users import list_users

    users = list_users(open_archive())
    if as_json:
        for u in users:
            print_json(u.as_dict())
        return
    if not users:
        plain(_("No users yet: add one with `girok user add NAME --role admin`."))
        return
    t = Table(pgettext("column", "name"), pgettext("column", "role"), pgettext("column", "state"),
              pgettext("column", "last log-in"), pgettext("column", "changed"))
    for u in users:
        state = _("disabled") if u.disabled else (
            _("locked until {until}").format(until=u.locked_until) if u.locked_until else _("active"))
        t.add_row(u.name, u.role, state, u.last_login_at or "-", u.changed_at)
    out.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
