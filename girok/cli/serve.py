"""`girok serve`: start the web front end (girok.web) on this archive."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Optional

import typer

from ..i18n import _
from .kit import say, state


def serve(
    host: str = typer.Option("127.0.0.1", "--host",
                             help=_("Address to listen on. Keep 127.0.0.1 and put a reverse proxy with https in "
                                    "front (see README, 'Web front end').")),
    port: int = typer.Option(8470, "--port", min=1, max=65535, help=_("Port to listen on.")),
    behind_https: bool = typer.Option(False, "--behind-https",
                                      help=_("Users reach girok through https (a reverse proxy): session cookies "
                                             "are marked Secure.")),
    tls_cert: Optional[Path] = typer.Option(None, "--tls-cert",
                                            help=_("Serve https directly with this certificate (PEM); needs "
                                                   "--tls-key.")),
    tls_key: Optional[Path] = typer.Option(None, "--tls-key", help=_("The certificate's private key (PEM).")),
    workers: int = typer.Option(1, "--workers", min=1, max=32,
                                help=_("Worker processes serving pages (one per core for many users at once; each "
                                       "loads the search index and the Korean analyser, ~300 MB).")),
) -> None:
    """Serve the Korean web front end for clerks and records officers until Ctrl-C.

    Users log in with the accounts of `girok user add`; what each may see and do depends on the role.
    """
    from ..web.server import serve as run

    if (tls_cert is None) != (tls_key is None):
        from ..errors import UsageError

        raise UsageError(_("give --tls-cert and --tls-key together"))
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "localhost"
    if not local and tls_cert is None and not behind_https:
        say(_("girok: warning: listening on {host} without https: passwords and documents cross the network in "
              "clear. Use a reverse proxy with https (and --behind-https), or --tls-cert/--tls-key.").format(host=host))
    run(state.archive_path, host=host, port=port, behind_https=behind_https, certfile=tls_cert, keyfile=tls_key,
        workers=workers, on_ready=lambda url: say(_("girok serve: {url} (Ctrl-C stops)").format(url=url)))


def register(app: typer.Typer) -> None:
    app.command()(serve)
