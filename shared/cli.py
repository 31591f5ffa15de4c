"""``imdi``: run the embedded system, issue development tokens."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from shared.auth import ensure_dev_keypair, issue_token
from shared.runner import DEFAULT_BROKER_PORT, DEFAULT_PORT_BASE

app = typer.Typer(help="imdi-styring: run the system, issue development tokens.", no_args_is_help=True)
console = Console(stderr=True)

ALL_SCOPES = [f"imdi:{s}.{m}" for s in ("bosetting", "kvalifisering", "tolkeregister", "tilskudd", "rapport")
              for m in ("read", "write")] + ["imdi:rapport.intern", "imdi:rapport.godkjenn", "imdi:revisjon.read"]


@app.command()
def run(var_dir: Annotated[Path, typer.Option(help="Where SQLite files, keys and logs go.")] = Path("var"),
        port_base: Annotated[int, typer.Option(envvar="IMDI_PORT_BASE",
                                               help="The services listen on base+1 … base+5.")] = DEFAULT_PORT_BASE,
        broker_port: Annotated[int, typer.Option(envvar="IMDI_BROKER_PORT",
                                                 help="The broker's port.")] = DEFAULT_BROKER_PORT,
        ) -> None:
    """Start the Tansu broker and the five services (SQLite). Ctrl-C stops everything."""
    from shared.runner import EmbeddedRun, PortBusy, ports_from_base

    embedded = EmbeddedRun(var_dir.resolve(), broker_port, ports=ports_from_base(port_base))
    try:
        embedded.check_ports()
    except PortBusy as busy:
        console.print(f"[red]Port {busy.port} ({busy.owner}) er allerede i bruk av en annen prosess.[/red] "
                      "Stopp den, eller velg andre porter: tjenestene med IMDI_PORT_BASE=9000 eller "
                      "--port-base 9000 (de får 9001–9005), megleren med IMDI_BROKER_PORT eller --broker-port.")
        raise typer.Exit(2) from None
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
def hendelser(
    topic: Annotated[str, typer.Argument(help="Topic (imdi.bosetting.v1) or producing service (bosetting).")],
    folg: Annotated[bool, typer.Option("--folg", help="After the existing events, wait for new ones.")] = False,
    event_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Only this type, full (no.imdi.bosetting.person-bosatt.v1) or short (person-bosatt). "
        "Repeat for several.")] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Broker. Default: IMDI_KAFKA_BOOTSTRAP.")] = None,
) -> None:
    """Print the CloudEvents on a topic as JSON lines (attributes and data), from the start."""
    import asyncio

    from shared.event_reader import UnknownTopic, topic_name
    from shared.settings import ServiceSettings

    name = topic_name(topic)
    server = bootstrap or ServiceSettings().kafka_bootstrap
    try:
        asyncio.run(_print_events(server, name, folg, event_type or []))
    except UnknownTopic:
        console.print(f"[red]Emnet {name} finnes ikke på megleren {server}.[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass


async def _print_events(bootstrap: str, topic: str, follow: bool, types: list[str]) -> None:
    from shared.event_reader import Unreadable, read_events

    async for item in read_events(bootstrap, topic, follow=follow, types=types):
        if isinstance(item, Unreadable):
            console.print(f"[yellow]Partisjon {item.partition}, posisjon {item.offset}: ikke en lesbar "
                          f"CloudEvent ({item.reason}).[/yellow]")
        else:
            typer.echo(item.to_json())
            sys.stdout.flush()


@app.command()
def token(scope: Annotated[list[str] | None, typer.Option(help="Scope; repeat. Default: all.")] = None,
          subject: str = "dev-user",
          kommune: Annotated[str | None, typer.Option(help="Limit to one kommunenummer.")] = None,
          var_dir: Path = Path("var"), ttl: int = 8 * 3600) -> None:
    """Print a development bearer token signed with the embedded run's key."""
    private, _ = ensure_dev_keypair(var_dir)
    typer.echo(issue_token(private.read_bytes(), scopes=scope or ALL_SCOPES, subject=subject,
                           kommunenummer=kommune, ttl_seconds=ttl))


@app.command("import")
def import_cases(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NDJSON (.ndjson/.jsonl) or CSV (.csv).")],
    url: Annotated[str, typer.Option(help="The service's base URL.")] = "http://127.0.0.1:8001",
    path: Annotated[str, typer.Option("--sti", help="The import endpoint (every service's import takes the "
                                      "same NDJSON/CSV and answers with the same report).")] = "/api/v1/import/saker",
    scope: Annotated[str, typer.Option(help="Scope of the development token.")] = "imdi:bosetting.write",
    token: Annotated[str | None, typer.Option(envvar="IMDI_TOKEN", help="Bearer token with the endpoint's "
                                              "write scope. Default: a development token.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="ndjson or csv. Default: from the file name.")] = None,
    var_dir: Path = Path("var"),
    show_errors: int = 20,
) -> None:
    """Import a case-handling system's export (default: settlement cases to bosetting), streamed, with a
    progress bar.

    Idempotent by ekstern_id: running the same file again changes nothing. Exits 1 if any row was rejected.
    """
    import httpx
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    fmt = fmt or ("csv" if file.suffix.lower() == ".csv" else "ndjson")
    content_type = {"csv": "text/csv", "ndjson": "application/x-ndjson"}[fmt]
    if token is None:
        private, _ = ensure_dev_keypair(var_dir)
        token = issue_token(private.read_bytes(), scopes=[scope], subject="imdi-import")
    size = file.stat().st_size
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task(f"Importerer {file.name}", total=size)

        def chunks():
            with file.open("rb") as fh:
                while block := fh.read(256 * 1024):
                    progress.advance(task, len(block))
                    yield block

        response = httpx.post(f"{url.rstrip('/')}{path}", content=chunks(),
                              headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
                              timeout=httpx.Timeout(30, read=3600))
        progress.update(task, description="Ferdig" if response.status_code == 200 else "Feilet")
    if response.status_code != 200:
        console.print(f"[red]Importen feilet ({response.status_code}):[/red] {response.text}")
        raise typer.Exit(2)
    report = response.json()
    console.print(f"Rader: {report['rader']}  opprettet: {report['opprettet']}  endret: {report['endret']}  "
                  f"uendret: {report['uendret']}  avvist: {report['avvist']}")
    for error in report["feil"][:show_errors]:
        reasons = "; ".join(f"{e['felt']}: {e['melding']}" for e in error["feil"])
        console.print(f"  linje {error['linje']} ({error['ekstern_id'] or '-'}): {reasons}")
    hidden = len(report["feil"]) - show_errors + report.get("feil_utelatt", 0)
    if hidden > 0:
        console.print(f"  … og {hidden} feil til")
    typer.echo(json.dumps({k: report[k] for k in ("rader", "opprettet", "endret", "uendret", "avvist")}))
    if report["avvist"]:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
