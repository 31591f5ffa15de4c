"""``imdi-synth``: generate a synthetic IMDi year and load it through the services' public APIs."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

from shared.auth import ensure_dev_keypair, issue_token
from synth import MODULES
from synth import generate as generate_year
from synth.core import MANIFEST
from synth.load import LoadError, load

app = typer.Typer(help="Syntetisk IMDi-år: generer importfiler og last dem inn via tjenestenes API.",
                  no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def generate(out: Annotated[Path, typer.Option(help="Folder for the files and manifest.json.")] = Path("var/synth"),
             scale: Annotated[float, typer.Option(help="1 ≈ Norway 2017; 10 and 100 for load.")] = 1.0,
             seed: Annotated[int, typer.Option(help="Same seed and scale: byte-identical files.")] = 2017) -> None:
    """Write the year's import files and manifest.json (with the SP1–SP3 the files should give)."""
    started = time.perf_counter()
    manifest = generate_year(scale, seed, out)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    b, t = manifest["bosetting"], manifest["tilskudd"]["rows"]
    console.print(f"{b['rows']} saker ({b['persons']['bosatt']} bosatt), {b['corrections']} korreksjoner, "
                  f"{t['tilsagn']} tilsagn, {t['utbetalinger']} utbetalinger, "
                  f"{seconds:.1f} s, maks minne {peak_mib:.0f} MiB → {out}")
    typer.echo(json.dumps({"rows": b["rows"], "seconds": round(seconds, 2), "peak_rss_mib": round(peak_mib),
                           "expected": {k: v["andel"] for k, v in b["expected"].items()}}))


def outdated(out: Path) -> bool:
    """Whether the demo must generate its year: no files yet, or files from before a service had a module (an
    older demo's folder would otherwise load without that service's part)."""
    path = out / MANIFEST
    return not path.exists() or not set(MODULES) <= set(json.loads(path.read_text(encoding="utf-8")))


def _progress() -> Progress:
    return Progress("[progress.description]{task.description}", BarColumn(), TaskProgressColumn(),
                    TimeElapsedColumn(), console=console)


async def _load(out: Path, urls: dict[str, str], token: str) -> dict:
    clients = {name: httpx.AsyncClient(base_url=url.rstrip("/"), timeout=30) for name, url in urls.items()}
    try:
        return await load(out, clients, token, _progress())
    finally:
        for client in clients.values():
            await client.aclose()


def rejected_rows(result: dict) -> int:
    """Rows the services' imports rejected, over every service's answer."""
    return sum(r["avvist"] for section in result.values() for r in section.values() if isinstance(r, dict))


Url = Annotated[str | None, typer.Option(help="The service's base URL; a service without one is not loaded.")]


@app.command("load")
def load_year(
    out: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A folder `generate` wrote.")],
    bosetting_url: Annotated[str | None, typer.Option(help="bosetting's base URL (the default when no service's "
                                                      "URL is given: http://127.0.0.1:8001).")] = None,
    kvalifisering_url: Url = None,
    tolkeregister_url: Url = None,
    tilskudd_url: Url = None,
    token: Annotated[str | None, typer.Option(envvar="IMDI_TOKEN", help="Bearer token with the services' write "
                                              "scopes. Default: a development token signed with var/'s key.")] = None,
    var_dir: Path = Path("var"),
) -> None:
    """Load the year through the public APIs of the services given; exits 1 if any row was rejected."""
    urls = {name: url for name, url in (("bosetting", bosetting_url), ("kvalifisering", kvalifisering_url),
                                        ("tolkeregister", tolkeregister_url), ("tilskudd", tilskudd_url)) if url}
    urls = urls or {"bosetting": "http://127.0.0.1:8001"}
    if token is None:
        private, _ = ensure_dev_keypair(var_dir)
        token = issue_token(private.read_bytes(), scopes=[f"imdi:{name}.write" for name in urls],
                            subject="imdi-synth")
    try:
        result = asyncio.run(_load(out, urls, token))
    except (LoadError, httpx.HTTPError) as exc:
        console.print(f"[red]Innlastingen stoppet:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(json.dumps(result, ensure_ascii=False))
    if rejected := rejected_rows(result):
        console.print(f"[red]{rejected} rader ble avvist.[/red]")
        raise typer.Exit(1)


@app.command()
def demo(
    var_dir: Annotated[Path, typer.Option(help="Where the demo's databases, keys, logs and files go.")] = Path(
        "var/demo"),
    scale: Annotated[float, typer.Option(help="1 ≈ Norway 2017.")] = 1.0,
    seed: int = 2017,
    port_base: Annotated[int, typer.Option(envvar="IMDI_PORT_BASE", help="Services on base+1 … base+5.")] = 8000,
    broker_port: Annotated[int, typer.Option(envvar="IMDI_BROKER_PORT")] = 9092,
) -> None:
    """Start the embedded system, load a synthetic year through the public import endpoints (with progress
    bars), and keep it running, populated, until Ctrl-C."""
    import signal

    from shared.runner import SERVICES, EmbeddedRun, PortBusy, ports_from_base

    var_dir = var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    embedded = EmbeddedRun(var_dir, broker_port, ports=ports_from_base(port_base))
    try:
        embedded.check_ports()
    except PortBusy as busy:
        console.print(f"[red]Port {busy.port} ({busy.owner}) er i bruk.[/red] Velg andre porter med "
                      "IMDI_PORT_BASE og IMDI_BROKER_PORT.")
        raise typer.Exit(2) from None
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        with console.status("Starter megler og tjenester …"):
            embedded.start(timeout=120)
        out = var_dir / "synth"
        if outdated(out):
            with console.status(f"Genererer et syntetisk år (skala {scale}) …"):
                generate_year(scale, seed, out)
        private, _ = ensure_dev_keypair(var_dir)
        token = issue_token(private.read_bytes(), subject="imdi-demo",
                            scopes=[f"imdi:{s.name}.write" for s in SERVICES if s.name != "rapportering"])
        urls = {s.name: f"http://127.0.0.1:{embedded.ports[s.name]}" for s in SERVICES}

        result = asyncio.run(_load(out, urls, token))
        console.print(f"[green]Lastet inn[/green] ({rejected_rows(result)} rader avvist; "
                      + ", ".join(f"{name} {r['sekunder']} s" for name, r in result.items()) + "). Tjenestene:")
        for name, url in urls.items():
            console.print(f"  {name:<14} {url}/docs")
        console.print(f"Dashbord: {urls['rapportering']}/dashboard  ·  utviklingsnøkkel: imdi token --var-dir "
                      f"{var_dir}  ·  Ctrl-C stopper.")
        while all(proc.poll() is None for proc in embedded.procs.values()):
            time.sleep(1)
        console.print(f"[red]En tjeneste stoppet; se {var_dir}/logs/.[/red]")
        raise typer.Exit(1)
    except KeyboardInterrupt:
        console.print("[yellow]Stopper …[/yellow]")
    except (LoadError, httpx.HTTPError) as exc:
        console.print(f"[red]Innlastingen stoppet:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        embedded.stop()


if __name__ == "__main__":
    sys.exit(app())
