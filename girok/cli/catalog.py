"""`girok catalog ...`: the catalog database itself (``register(app)``). Parse, call girok.app.catalog, render."""

from __future__ import annotations

import typer

from ..errors import GirokError
from .kit import open_archive, plain, print_json, progress, say

catalog_app = typer.Typer(help="The catalog database: move an archive's SQLite catalog to a PostgreSQL server.",
                          no_args_is_help=True, rich_markup_mode=None)


@catalog_app.command("migrate")
def migrate(
    to: str = typer.Option(..., "--to", metavar="URL",
                           help="The empty PostgreSQL database: postgresql://ROLE@HOST[:PORT]/DATABASE. Leave "
                                "the password out (shell history) and give it with PGPASSWORD or ~/.pgpass."),
    write_config: bool = typer.Option(False, "--write-config",
                                      help="Afterwards write the URL, without its password, as `catalog` in "
                                           "girok.toml."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
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
    with progress("copying rows", quiet=as_json) as tick:
        d = migrate_catalog(arch, to, write_config=write_config, progress=tick)
    if as_json:
        print_json(d)
    else:
        rows = sum(d["tables"].values())
        plain(f"Moved the catalog {d['source']} -> {d['target']}: {len(d['tables'])} tables, {rows:,} rows, "
              f"audit trail of {d['audit']['events']:,} event(s) ending in {d['audit']['head'][:16]}...; "
              "counts and audit trail verified on the new catalog.")
        if d["nul_replaced"]:
            plain(f"{d['nul_replaced']} text(s) held the character U+0000, which PostgreSQL cannot store: "
                  "kept as U+FFFD.")
        for line in d["doctor"]["problems"]:
            plain(f"doctor: {line}")
        plain("doctor --quick on the new catalog: " + ("no problems." if d["doctor"]["ok"] else
                                                        f"{len(d['doctor']['problems'])} problem(s)."))
        plain("The old catalog file stays as it was; girok no longer opens it.")
        if d["config_written"]:
            plain(f"girok.toml now says: catalog = \"{d['url_for_girok_toml']}\". Give the password with "
                  "PGPASSWORD or ~/.pgpass (or GIROK_CATALOG_URL) on every machine.")
        else:
            say(f"Next: set GIROK_CATALOG_URL={d['target']} (with the real password) for every girok command "
                f"and service on every machine, or write catalog = \"{d['url_for_girok_toml']}\" under "
                "[archive] in girok.toml and give the password with PGPASSWORD or ~/.pgpass.")
    if not d["doctor"]["ok"]:
        raise GirokError("the catalog was moved and verified, but `girok doctor` found problems in the "
                         "archive (listed above); they were there before the move",
                         hint="Run `girok doctor` (with GIROK_CATALOG_URL set) and follow what it says.")


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
