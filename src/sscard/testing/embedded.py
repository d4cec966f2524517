"""The embedded default run for real: a SQLite file, the demo's processes (web server, supervised task
worker, audit sequencer, due sweeps) and HTTP clients, for the embedded-concurrency test.

``EmbeddedSite`` migrates and loads the demo data into a fresh ``SSCARD_VAR_DIR``, starts the processes as
``scripts/run_demo.sh`` does, and stops them (each by its own process id).  Nothing here touches the test
database: the site's database is its own file under the given directory.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Answer:
    status: int
    body: dict | list | None
    text: str = ""


@dataclass
class EmbeddedSite:
    var_dir: Path
    port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    demo_out: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SSCARD_REPLICA_URL")}
        env.update({"SSCARD_VAR_DIR": str(self.var_dir), "SSCARD_SIMULATE_PARTNERS": "1", "SSCARD_DEBUG": "1",
                    "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "sscard.config.settings",
                    "PYTHONUNBUFFERED": "1", "PY": sys.executable, **self.extra_env})
        return env

    def manage(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stderr[-3000:]}"
        return done.stdout

    def prepare(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--no-input", "-v", "0")
        self.demo_out = self.manage("load_demo_data")

    def start(self, name: str, *args: str, manage: bool = True) -> subprocess.Popen:
        log = open(self.var_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process in stop())
        cmd = [sys.executable, str(ROOT / "manage.py"), *args] if manage else list(args)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        proc.log = log
        self.procs[name] = proc
        return proc

    def sql(self, query: str, *, write: bool = False):
        """One statement on the site's database file (read-only unless ``write``)."""
        mode = "rw" if write else "ro"
        db = sqlite3.connect(f"file:{self.var_dir / 'sscard.sqlite3'}?mode={mode}", uri=True, timeout=30)
        try:
            return db.execute(query).fetchall()
        finally:
            db.close()

    def log(self, name: str) -> str:
        path = self.var_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # its own session: the process and its children only
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            proc.log.close()
        self.procs.clear()

    # ------------------------------------------------------------------ HTTP

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None,
             timeout: float = 60) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        text = raw.decode(errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return Answer(status, parsed, text[:2000])

    def wait_up(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                self.call("GET", "/openapi.json", timeout=5)
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"server did not answer: {self.log('server')[-2000:]}")

    def staff_token(self, username: str, password: str = "demo-pass-123") -> str:
        ans = self.call("POST", "/auth/staff-token", {"username": username, "password": password})
        assert ans.status == 200, ans.text
        return ans.body["token"]

    def demo_employer(self) -> tuple[str, str]:
        """The demo employer's credit code and its handler's ID number, from the loader's output."""
        found = re.search(r"统一社会信用代码 (\S+); handler 经办人: \S+ (\S+)", self.demo_out)
        assert found, self.demo_out[-2000:]
        return found.group(1), found.group(2)
