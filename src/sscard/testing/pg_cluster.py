"""A private PostgreSQL cluster for tests that stop and start the database (never the shared server).

``private_cluster()`` runs ``initdb`` into a fresh temporary folder and starts the cluster on a free port of
127.0.0.1 with trust authentication; ``stop()`` / ``start()`` restart it while clients are connected; the
folder is removed at the end.  PostgreSQL refuses to run as root, so as root the binaries run as the
``postgres`` OS user (``runuser``), in a folder that user owns.  Binaries: ``SSCARD_PG_BIN`` or the newest
``/usr/lib/postgresql/<version>/bin``.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from sscard.testing.object_store import free_port


def pg_bin() -> Path | None:
    if os.environ.get("SSCARD_PG_BIN"):
        return Path(os.environ["SSCARD_PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


class PrivateCluster:
    def __init__(self, folder: Path, port: int, bin_dir: Path, run_as: str | None):
        self.folder, self.port, self.bin_dir, self.run_as = folder, port, bin_dir, run_as
        self.data = folder / "data"

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, tool: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / tool), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr or result.stdout}")
        return result

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=40 -c shared_buffers=32MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate``: as a crash (every session cut, recovery on the next start); ``fast``: clean."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def private_cluster():
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) under /usr/lib/postgresql; set SSCARD_PG_BIN")
    run_as = None
    folder = Path(tempfile.mkdtemp(prefix="sscard-pg-"))
    if os.geteuid() == 0:  # initdb and postgres refuse root: run them as the postgres OS user
        run_as = "postgres"
        user = pwd.getpwnam(run_as)
        os.chown(folder, user.pw_uid, user.pw_gid)
    folder.chmod(0o700)
    cluster = PrivateCluster(folder, free_port(), bin_dir, run_as)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop("immediate")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # not running
        shutil.rmtree(folder, ignore_errors=True)
