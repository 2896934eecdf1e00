"""A throwaway PostgreSQL + PostGIS server for tests: own data directory, 127.0.0.1, free port.

Use the `pg_server` / `pg_url` fixtures (tests/conftest.py) or `with PostgresServer() as pg:`.
Postgres refuses to run as root, so when the tests run as root (here and in CI) every server
binary runs as the `postgres` system user (or `nobody`); otherwise as the current user.
Importing this module needs only the standard library; psycopg is imported when a server starts.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "conflict_map"
TEMPLATE = "cm_template"
BINARIES = ("initdb", "pg_ctl", "postgres")
# Durability is pointless for a server that is deleted after the run; these make it fast.
SPEED_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}
START_ATTEMPTS = 3  # a new free port each time: another process may take ours before postgres binds


class PostgresStartError(RuntimeError):
    """The server could not be set up; the message ends with the tail of the server log."""


def _pg_config(arg: str, bindir: Path | None = None) -> Path | None:
    """`pg_config <arg>` (from `bindir` if it has one, else from PATH), or None."""
    exe = bindir / "pg_config" if bindir and (bindir / "pg_config").is_file() else None
    exe = exe or shutil.which("pg_config")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, arg], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip()) if out.stdout.strip() else None


def _version_key(path: str) -> tuple[int, ...]:
    """(15,) for /usr/lib/postgresql/15/bin, so 15 sorts above 9.6."""
    match = re.search(r"/postgresql/([\d.]+)/", path)
    return tuple(int(n) for n in match.group(1).split(".") if n) if match else ()


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None.

    Looks at `pg_config --bindir`, then PATH, then /usr/lib/postgresql/*/bin (highest version).
    """

    def complete(d: Path | None) -> bool:
        return d is not None and all(os.access(d / b, os.X_OK) for b in BINARIES)

    bindir = _pg_config("--bindir")
    if complete(bindir):
        return bindir
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a symlink; its real directory has the rest of the set.
        for d in (Path(on_path).parent, Path(on_path).resolve().parent):
            if complete(d):
                return d
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if complete(Path(d)):
            return Path(d)
    return None


def find_postgis(bindir: Path | None) -> Path | None:
    """postgis.control for the server in `bindir` (its `pg_config --sharedir`), or None."""
    sharedir = _pg_config("--sharedir", bindir)
    candidates = [sharedir / "extension"] if sharedir else []
    candidates += sorted(
        (Path(p) for p in glob.glob("/usr/share/postgresql/*/extension")),
        key=lambda p: _version_key(str(p)),
        reverse=True,
    )
    for d in candidates:
        if (d / "postgis.control").is_file():
            return d / "postgis.control"
    return None


def available() -> str | None:
    """None when a PostgreSQL server with PostGIS can be started here, else the reason why not."""
    bindir = find_bindir()
    if bindir is None:
        missing = [b for b in BINARIES if not shutil.which(b)]
        return f"{missing[0] if missing else 'initdb'} not found (install postgresql-15)"
    if find_postgis(bindir) is None:
        return "PostGIS extension not installed (install postgresql-15-postgis-3)"
    if os.geteuid() == 0 and not (shutil.which("runuser") or shutil.which("setpriv")):
        return "running as root and neither runuser nor setpriv is available to drop privileges"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg not installed"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresStartError("running as root, but neither a 'postgres' nor a 'nobody' user exists")


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory; stopped and deleted by `stop()`.

    `settings` are extra postgresql.conf lines (name -> value), applied after the speed ones.
    """

    def __init__(self, settings: dict[str, str] | None = None) -> None:
        self.settings = {**SPEED_SETTINGS, **(settings or {})}
        self.bindir: Path | None = None
        self.dir: Path | None = None
        self.port: int | None = None
        self.user = pwd.getpwuid(os.geteuid()).pw_name  # the account the server runs as
        self._ids = (os.geteuid(), os.getegid())
        self._names = itertools.count(1)
        self._owner_pid = os.getpid()
        self._running = False

    # -- paths ---------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._dir() / "data"

    @property
    def log_path(self) -> Path:
        return self._dir() / "server.log"

    @property
    def url(self) -> str:
        """The URL of the `postgres` maintenance database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{quote(name, safe='')}"

    def _dir(self) -> Path:
        if self.dir is None:
            raise RuntimeError("the server is not started")
        return self.dir

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> PostgresServer:
        """initdb, start on a free port, create the PostGIS template; raises PostgresStartError."""
        if self.dir is not None:
            raise RuntimeError("the server is already started")
        reason = available()
        if reason:
            raise PostgresStartError(reason)
        self.bindir = find_bindir()
        # Registered first, so that a failure anywhere below still removes the directory.
        atexit.register(self._at_exit)
        self.dir = Path(tempfile.mkdtemp(prefix="cm-pg-"))
        try:
            self._make_cluster()
            self._start_server()
            self._make_template()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server at once (no shutdown checkpoint) and delete its directory. Idempotent."""
        atexit.unregister(self._at_exit)
        if self.dir is None:
            return
        if self._running:
            self._running = False
            self._pg_ctl_stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def _at_exit(self) -> None:
        if os.getpid() == self._owner_pid:  # not in a forked child: the server is the parent's
            self.stop()

    def new_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database as a copy of `template` (default: an empty one with PostGIS);
        returns its URL. Nobody may be connected to the template meanwhile."""
        import psycopg
        from psycopg import sql

        name = name or f"cm_test_{next(self._names)}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template or TEMPLATE)
                )
            )
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop `name`, disconnecting whoever is still connected to it."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except (OSError, RuntimeError):
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"

    # -- steps ---------------------------------------------------------------------------------

    def _make_cluster(self) -> None:
        base = self._dir()
        if os.geteuid() == 0:
            account = _unprivileged_user()
            self.user = account.pw_name
            self._ids = (account.pw_uid, account.pw_gid)
            os.chown(base, *self._ids)
            # mkdtemp is under $TMPDIR; if a parent is closed to that user, say so plainly
            # rather than through initdb's "could not create directory".
            if self._run("test", "-w", base).returncode != 0:
                raise PostgresStartError(
                    f"user {self.user!r} cannot write to {base}: a parent directory is closed"
                    " to it; point TMPDIR at a world-traversable directory such as /tmp"
                )
        done = self._run(
            self._bin("initdb"), "-D", self.data_dir, "-A", "trust", "-U", SUPERUSER,
            "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        if done.returncode != 0:
            raise PostgresStartError(f"initdb failed:\n{done.stdout}{done.stderr}")
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "'" + str(base).replace("'", "''") + "'",
            **self.settings,
        }
        with (self.data_dir / "postgresql.conf").open("a") as f:
            f.write("\n# tests/pgserver.py\n")
            f.writelines(f"{key} = {value}\n" for key, value in conf.items())

    def _start_server(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            done = self._run(
                self._bin("pg_ctl"), "start", "-w", "-t", "60", "-D", self.data_dir,
                "-l", self.log_path, "-o", f"-p {self.port}",
            )  # fmt: skip
            if done.returncode == 0:
                self._running = True
                return
            # pg_ctl may give up while the postmaster is still coming up: don't leave it behind.
            self._pg_ctl_stop()
            if attempt < START_ATTEMPTS and "already in use" in self.log_tail():
                continue
            raise PostgresStartError(
                f"pg_ctl start failed (port {self.port}):\n{done.stdout}{done.stderr}\n"
                f"--- tail of {self.log_path} ---\n{self.log_tail()}"
            )

    def _make_template(self) -> None:
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
            with psycopg.connect(
                self.database_url(TEMPLATE), autocommit=True, connect_timeout=10
            ) as conn:
                conn.execute("CREATE EXTENSION postgis")
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
                    .format(sql.Identifier(TEMPLATE))
                )  # fmt: skip
        except psycopg.Error as err:
            raise PostgresStartError(
                f"could not create the PostGIS template database: {err}\n"
                f"--- tail of {self.log_path} ---\n{self.log_tail()}"
            ) from err

    # -- helpers -------------------------------------------------------------------------------

    def _bin(self, name: str) -> Path:
        assert self.bindir is not None
        return self.bindir / name

    def _run(self, *argv: object) -> subprocess.CompletedProcess[str]:
        """Run a command as the server's user; English messages, cwd that user can enter."""
        cmd = [str(a) for a in argv]
        if os.geteuid() == 0:
            if shutil.which("runuser"):
                cmd = ["runuser", "-u", self.user, "--", *cmd]
            else:
                uid, gid = self._ids
                cmd = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        try:
            return subprocess.run(
                cmd, cwd=self.dir, env=env, capture_output=True, text=True, timeout=120
            )
        except subprocess.TimeoutExpired as err:
            raise PostgresStartError(f"{cmd[0]} timed out: {' '.join(cmd)}") from err

    def _pg_ctl_stop(self) -> None:
        """`pg_ctl stop -m immediate`: no shutdown checkpoint, the directory is deleted anyway."""
        pg_ctl = self._bin("pg_ctl")
        if self._run(pg_ctl, "stop", "-D", self.data_dir, "-m", "immediate", "-w").returncode:
            self._kill_postmaster()  # also 1 when no server runs: then there is nothing to kill

    def _kill_postmaster(self) -> None:
        """Last resort when `pg_ctl stop` failed: SIGKILL the pid in postmaster.pid, if alive."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            return  # no pid file or no such process: nothing left running
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.1)
