"""bosetting's memory under the soak's requests, in process, with tracemalloc (issue 14).

``python -m tests.soak.memory_profile [--scale 1.0] [--rounds-after 40]`` runs bosetting in this process on a
fresh PostgreSQL database with a real broker (its relay publishes as in the soak) and drives it with the soak's
bosetting requests: the synthetic year imported in chunks of 20 rows, interleaved with SP2 reads (the soak's
reader), then, with the data complete, further rounds of the same reads and re-imports of already stored rows.
Every few chunks it prints the process's RSS, the Python heap tracemalloc sees, and the number of cases; at the
end the largest differences between a snapshot just after the import and the last one (what is still held).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from shared.auth import ensure_dev_keypair, issue_token
from shared.broker import EmbeddedBroker, free_port
from tests.conftest import PgDatabases, running_app, service_settings
from tests.faults.harness import synth_rows

SP2 = "/api/v1/styringsparametere/SP2/verdi?periode=2017"


def rss_mib() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def profile(scale: float, rounds_after: int, frames: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="imdi-memprof-"))
    rows, corrections = synth_rows(tmp, scale=scale, seed=2017)
    ensure_dev_keypair(tmp / "keys")
    pg = PgDatabases()
    broker = EmbeddedBroker(free_port(), log_file=tmp / "broker.log").start()
    samples: list[dict] = []
    try:
        settings = service_settings("bosetting", db_url=await pg.create("memprof"), bootstrap=broker.bootstrap,
                                    keys=tmp / "keys", var_dir=tmp)
        token = issue_token((tmp / "keys" / "dev-signing-key.pem").read_bytes(), scopes=["imdi:bosetting.write"])
        headers = {"Authorization": f"Bearer {token}"}
        ndjson = {**headers, "Content-Type": "application/x-ndjson"}
        chunks = [rows[i:i + 20] for i in range(0, len(rows), 20)] + \
                 [corrections[i:i + 20] for i in range(0, len(corrections), 20)]
        async with running_app("bosetting", settings) as client:
            tracemalloc.start(frames)

            async def step(chunk: list[bytes], reads: int) -> None:
                r = await client.post("/api/v1/import/saker", content=b"".join(chunk), headers=ndjson)
                assert r.status_code == 200, r.text
                for _ in range(reads):
                    assert (await client.get(SP2, headers=headers)).status_code == 200

            def sample(phase: str, done: int) -> None:
                gc.collect()
                current, peak = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
                samples.append({"phase": phase, "chunks": done, "rss_mib": round(rss_mib(), 1),
                                "heap_mib": round(current / 1024**2, 1), "heap_peak_mib": round(peak / 1024**2, 1)})
                print(json.dumps(samples[-1]), flush=True)

            started = time.monotonic()
            for i, chunk in enumerate(chunks, 1):
                await step(chunk, reads=1)
                if i % 50 == 0:
                    sample("import", i)
            sample("import", len(chunks))
            after_import = tracemalloc.take_snapshot()
            for j in range(1, rounds_after + 1):  # the data no longer grows: same reads, re-imports of known rows
                for chunk in chunks[j * 7 % len(chunks)::max(1, len(chunks) // 50)][:50]:
                    await step(chunk, reads=1)
                sample("steady", j)
            last = tracemalloc.take_snapshot()
            top = [str(s) for s in last.compare_to(after_import, "traceback" if frames > 1 else "lineno")[:12]]
            tracemalloc.stop()
        return {"seconds": round(time.monotonic() - started), "rows": len(rows), "samples": samples, "top": top}
    finally:
        broker.stop()
        await pg.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds-after", type=int, default=40)
    parser.add_argument("--frames", type=int, default=1)
    args = parser.parse_args()
    result = asyncio.run(profile(args.scale, args.rounds_after, args.frames))
    print("\n".join(result["top"]))
    print(json.dumps({k: v for k, v in result.items() if k != "top"}))


if __name__ == "__main__":
    main()
