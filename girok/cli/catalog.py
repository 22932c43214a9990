"""`girok catalog ...`: the catalog database itself (``register(app)``). Parse, call girok.app.catalog, render."""

from __future__ import annotations

import typer

from ..errors import GirokError
from ..i18n import _
from .kit import open_archive, plain, print_json, progress, say

catalog_app = typer.Typer(help=_("The catalog database: move an archive's SQLite catalog to a PostgreSQL server."),
                          no_args_is_help=True, rich_markup_mode=None)


@catalog_app.command("migrate")
def migrate(
    to: str = typer.Option(..., "--to", metavar="URL",
                           help=_("The empty PostgreSQL database: postgresql://ROLE@HOST[:PORT]/DATABASE. Leave "
                                  "the password out (shell history) and give it with PGPASSWORD or ~/.pgpass.")),
    write_config: bool = typer.Option(False, "--write-config",
                                      help=_("Afterwards write the URL, without its password, as `catalog` in "
                                             "girok.toml.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Copy the archive's SQLite catalog into an empty PostgreSQL database, verified, for several machines.

    Every table is copied in one transaction while the archive stands still (a running `girok watch`,
    `ingest` or `doctor --fix` makes it refuse with exit code 5 (LOCKED)); a database that is not empty
    is refused with exit code 2 (USAGE) and nothing changes. Before it commits, the copy must have the
    same rows in every table and an audit trail that verifies and ends in the source's head hash; one
    `catalog-migrate` event then ends both trails. A quick `girok doctor` checks the archive on the new
    catalog afterwards (exit code 1 (GENERAL) if it finds problems). The old catalog.sqlite stays as it
    was, and girok refuses to open it from then on. Passwords are never printed.

    Then, on every machine and service that opens the archive, set GIROK_CATALOG_URL (with the
    password), or use --write-config and give the password with PGPASSWORD or ~/.pgpass.
    """
    from ..app.catalog import migrate_catalog

    arch = open_archive()
    with progress(_("copying rows"), quiet=as_json) as tick:
        d = migrate_catalog(arch, to, write_config=write_config, progress=tick)
    if as_json:
        print_json(d)
    else:
        rows = sum(d["tables"].values())
        plain(_("Moved the catalog {source} -> {target}: {tables} tables, {rows:,} rows, audit trail of {events:,} "
                "event(s) ending in {head}...; counts and audit trail verified on the new catalog.").format(
                    source=d["from"], target=d["to"], tables=len(d["tables"]), rows=rows,
                    events=d["audit"]["events"], head=d["audit"]["head"][:16]))
        if d["nul_replaced"]:
            plain(_("{n} text(s) held the character U+0000, which PostgreSQL cannot store: kept as U+FFFD.").format(
                n=d["nul_replaced"]))
        for line in d["doctor"]["problems"]:
            plain(f"doctor: {line}")
        plain(_("doctor --quick on the new catalog: no problems.") if d["doctor"]["ok"] else
              _("doctor --quick on the new catalog: {n} problem(s).").format(n=len(d["doctor"]["problems"])))
        plain(_("The old catalog file stays as it was; girok no longer opens it."))
        if d["config_written"]:
            plain(_("girok.toml now says: catalog = \"{url}\". Give the password with PGPASSWORD or ~/.pgpass "
                    "(or GIROK_CATALOG_URL) on every machine.").format(url=d["url_for_girok_toml"]))
        else:
            say(_("Next: set GIROK_CATALOG_URL={target} (with the real password) for every girok command and "
                  "service on every machine, or write catalog = \"{url}\" under [archive] in girok.toml and give "
                  "the password with PGPASSWORD or ~/.pgpass.").format(target=d["to"],
                                                                       url=d["url_for_girok_toml"]))
    if not d["doctor"]["ok"]:
        raise GirokError(_("the catalog was moved and verified, but `girok doctor` found problems in the "
                           "archive (listed above); they were there before the move"),
                         hint=_("Run `girok doctor` (with GIROK_CATALOG_URL set) and follow what it says."))


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
