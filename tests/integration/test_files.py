"""Issue 16 defect 8: the embedded run keeps var/ (SQLite files, logs, keys) readable by its owner only."""

from __future__ import annotations

import os
import stat

from shared.broker import free_port
from shared.runner import SERVICES, EmbeddedRun


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_run_creates_var_and_everything_in_it_owner_only(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)  # as an earlier version left it
    umask = os.umask(0o022)
    os.umask(umask)
    bosetting = [s for s in SERVICES if s.name == "bosetting"]
    run = EmbeddedRun(var, broker_port=free_port(), services=bosetting, ports={"bosetting": free_port()})
    try:
        run.start()
        files = [p for p in var.rglob("*") if p.is_file()]
        assert var / "bosetting.db" in files and var / "logs" / "bosetting.log" in files
        assert mode(var) == 0o700 and mode(var / "logs") == 0o700
        assert {p.name: oct(mode(p)) for p in files if mode(p) & 0o077} == {}
    finally:
        run.stop()
        os.umask(umask)
