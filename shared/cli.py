"""``imdi``: run the embedded system, issue development tokens."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared.auth import ensure_dev_keypair, issue_token

app = typer.Typer(help="imdi-styring: run the system, issue development tokens.", no_args_is_help=True)
console = Console(stderr=True)

ALL_SCOPES = [f"imdi:{s}.{m}" for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapport")
              for m in ("read", "write")]


@app.command()
def run(var_dir: Annotated[Path, typer.Option(help="Where SQLite files, keys and logs go.")] = Path("var"),
        broker_port: int = 9092) -> None:
    """Start the Tansu broker and the five services (SQLite). Ctrl-C stops everything."""
    from shared.runner import EmbeddedRun

    embedded = EmbeddedRun(var_dir.resolve(), broker_port)
    started = time.monotonic()
    stopping = False

    def _stop(*_):
        nonlocal stopping
        if not stopping:
            stopping = True
            console.print("[yellow]Stopper …[/yellow]")
            embedded.stop()
            raise typer.Exit(0)

    signal.signal(signal.SIGTERM, _stop)
    try:
        with console.status("Starter megler og tjenester …"):
            embedded.start()
        console.print(f"[green]Klar etter {time.monotonic() - started:.1f} s.[/green] "
                      f"Megler: {embedded.broker.bootstrap}")
        for spec in embedded.services:
            console.print(f"  {spec.name:<14} http://127.0.0.1:{embedded.ports[spec.name]}/docs")
        console.print("Utviklingsnøkkel: [bold]imdi token --scope imdi:bosetting.write[/bold]. Ctrl-C stopper.")
        while True:
            for name, proc in embedded.procs.items():
                if proc.poll() is not None:
                    console.print(f"[red]{name} stoppet ({proc.returncode}); se {var_dir}/logs/{name}.log[/red]")
                    embedded.stop()
                    raise typer.Exit(1)
            time.sleep(0.5)
    except KeyboardInterrupt:
        _stop()
    except Exception:
        embedded.stop()
        raise


@app.command()
def token(scope: Annotated[list[str] | None, typer.Option(help="Scope; repeat. Default: all.")] = None,
          subject: str = "dev-user",
          kommune: Annotated[str | None, typer.Option(help="Limit to one kommunenummer.")] = None,
          var_dir: Path = Path("var"), ttl: int = 8 * 3600) -> None:
    """Print a development bearer token signed with the embedded run's key."""
    private, _ = ensure_dev_keypair(var_dir)
    typer.echo(issue_token(private.read_bytes(), scopes=scope or ALL_SCOPES, subject=subject,
                           kommunenummer=kommune, ttl_seconds=ttl))
