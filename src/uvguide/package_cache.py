"""A local caching proxy in front of the package index, so the guide runs without the network
once warm and its transcripts stay exactly what a reader sees.

It is squid, a maintained caching proxy (Debian's `squid-openssl`), decrypting only PyPI's two
hosts with a certificate authority made for the cache; every other host is tunnelled untouched.
Pages keep the index URLs they name and uv prints the same lines: only where the bytes come from
changes. Entries never expire (resolution is frozen by `exclude-newer`), so a warm cache needs
no network at all.

    python -m uvguide.package_cache [--require] [--offline] -- pytest docs ...

starts it, runs the command with `UVGUIDE_INDEX_PROXY` and `UVGUIDE_INDEX_CA` set (the harness
reads them), and stops it. `--offline` cuts the cache from the index, to see what a warm run
does during an outage. Without squid the command runs with the direct network, and says so,
unless `--require` makes that an error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from .forwarding import run_forwarding_signals

PROXY_ENV = "UVGUIDE_INDEX_PROXY"
CA_ENV = "UVGUIDE_INDEX_CA"
CACHE_ENV = "UVGUIDE_PACKAGE_CACHE"
INTERCEPTED = ("pypi.org", "files.pythonhosted.org")
CERTGEN_DIRS = ("/usr/lib/squid", "/usr/libexec/squid", "/opt/homebrew/opt/squid/libexec")
START_S = 30.0

CONFIG = """\
http_port 127.0.0.1:{port} ssl-bump generate-host-certificates=on \
dynamic_cert_mem_cache_size=16MB tls-cert={ca_pem} tls-key={ca_key}
sslcrtd_program {certgen} -s {ssldb} -M 16MB
sslcrtd_children 8 startup=1 idle=1
# Bumped by the name the client asked to reach (CONNECT pypi.org:443), before any TLS: squid
# then needs no connection to the index to answer from its cache. Peeking at the client's TLS
# first made squid open one, so every request failed during an outage, cached or not.
acl index dstdomain {hosts}
ssl_bump bump index
ssl_bump splice all
tls_outgoing_options cafile={system_bundle}
cache_dir ufs {store} 20000 16 256
cache_mem 256 MB
maximum_object_size 2 GB
maximum_object_size_in_memory 8 MB
# Where an index gives no separate metadata file (PEP 658; this machine's mirror gives none), uv
# reads a wheel's metadata with a range request at the wheel's end, so the range's offset is
# about the wheel's size. squid keeps no partial objects: a range it passes through is fetched
# again on every run, and fails during an outage. Below 64 MB squid fetches the whole wheel once
# and answers ranges from the cache; above, ranges pass through, as whole torch and nvidia-*
# wheels would cost a cold cache gigabytes (200 s and timeouts for one compile, against 4 s).
range_offset_limit 64 MB
quick_abort_min -1 KB
collapsed_forwarding on
# Never expire: what the pages resolve is frozen by exclude-newer.
refresh_pattern -i ^https://(pypi\\.org|files\\.pythonhosted\\.org)/ 525600 100% 525600 \
override-expire override-lastmod ignore-reload ignore-no-store ignore-private
refresh_pattern . 0 20% 4320
acl local src 127.0.0.1/32
http_access allow local
http_access deny all
pid_filename {run}/squid.pid
access_log stdio:{run}/access.log squid
cache_log {run}/cache.log
shutdown_lifetime 1 seconds
{extra}
"""
# During a simulated outage everything must come from the cache: the only way out is a
# parent proxy on a closed port.
OFFLINE = """\
cache_peer 127.0.0.1 parent 9 0 no-query no-digest default
never_direct allow all
offline_mode on
"""


class PackageCacheError(Exception):
    """The cache cannot run here."""


@dataclass(frozen=True)
class IndexProxy:
    """What a page needs to reach the index through the cache."""

    url: str
    ca_bundle: Path  # the machine's trusted roots, plus the cache's own authority


def cache_root() -> Path:
    if configured := os.environ.get(CACHE_ENV):
        return Path(configured)
    if os.geteuid() == 0:
        # squid drops root for the `proxy` user, who cannot enter root's home (mode 700).
        return Path("/var/cache/uv-guide/package-cache")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "uv-guide" / "package-cache"


def system_bundle() -> Path:
    """The roots this machine trusts (a TLS-intercepting network's own included)."""
    for candidate in (os.environ.get("SSL_CERT_FILE"), ssl.get_default_verify_paths().cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PackageCacheError("no CA bundle found: set SSL_CERT_FILE")


def squid_unavailable() -> str | None:
    if shutil.which("squid") is None:
        return "squid is not installed (apt-get install squid-openssl)"
    if certgen() is None:
        return "squid's security_file_certgen helper is missing (squid-openssl has it)"
    return None


def certgen() -> Path | None:
    for directory in CERTGEN_DIRS:
        if (path := Path(directory) / "security_file_certgen").is_file():
            return path
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(root: Path) -> None:
    """Make the cache's authority and bundle once; squid's stores on first use."""
    root.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = root / "ca.key", root / "ca.pem"
    if not ca_pem.is_file():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
             "-subj", "/CN=uv guide package cache", "-keyout", str(ca_key), "-out", str(ca_pem)],
            check=True, capture_output=True,
        )  # fmt: skip
    (root / "bundle.pem").write_text(
        system_bundle().read_text(encoding="utf-8") + ca_pem.read_text(encoding="utf-8")
    )
    if not (root / "ssldb").is_dir():
        subprocess.run(
            [str(certgen()), "-c", "-s", str(root / "ssldb"), "-M", "16MB"],
            check=True, capture_output=True,
        )  # fmt: skip
    (root / "store").mkdir(exist_ok=True)
    (root / "run").mkdir(exist_ok=True)


@contextmanager
def running(root: Path, *, offline: bool = False) -> Iterator[IndexProxy]:
    """squid on a free port of 127.0.0.1 while the context lasts."""
    prepare(root)
    if (pid := _running_squid(root)) is not None:
        raise PackageCacheError(
            f"another run is using the package cache in {root} (squid, pid {pid}): wait for it "
            f"to end, or give this run a cache of its own with {CACHE_ENV}=DIR"
        )
    _start_new_logs(root / "run")
    port = free_port()
    config = root / "run" / "squid.conf"
    config.write_text(
        CONFIG.format(
            port=port, ca_pem=root / "ca.pem", ca_key=root / "ca.key", certgen=certgen(),
            ssldb=root / "ssldb", hosts=" ".join(INTERCEPTED), system_bundle=system_bundle(),
            store=root / "store", run=root / "run",
            extra=(OFFLINE if offline else "") + _user_directive(root),
        )
    )  # fmt: skip
    squid = shutil.which("squid") or "squid"
    if not (root / "store" / "00").is_dir():
        made = subprocess.run([squid, "-f", str(config), "-z", "-N"], capture_output=True)
        if made.returncode != 0:
            raise PackageCacheError(
                f"squid could not create its store in {root / 'store'} "
                f"(exit {made.returncode}):\n{_log_tail(made.stderr, root)}"
            )
    process = subprocess.Popen(
        [squid, "-f", str(config), "-N"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_until_listening(port, process, root)
        yield IndexProxy(f"http://127.0.0.1:{port}", root / "bundle.pem")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_new_logs(run: Path) -> None:
    """squid appends to its logs: a cache used every day would keep every request it ever
    served. Each run starts its own logs; the previous run's stay beside them as `*.1`."""
    for name in ("access.log", "cache.log"):
        log = run / name
        if log.exists():
            log.replace(run / f"{name}.1")


def _running_squid(root: Path) -> int | None:
    """The squid that serves this cache now, if one does (a pid file can outlive its squid)."""
    try:
        pid = int((root / "run" / "squid.pid").read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"squid" in command and str(root).encode() in command else None


def _user_directive(root: Path) -> str:
    """squid will not run as root: it drops to the `proxy` user, which must own the cache."""
    if os.geteuid() != 0:
        return ""
    user = "proxy"
    for parent in root.resolve().parents:
        if not parent.stat().st_mode & 0o001:
            raise PackageCacheError(
                f"squid runs as {user!r}, which cannot enter {parent} (mode "
                f"{parent.stat().st_mode & 0o777:o}): set {CACHE_ENV} to a directory outside it"
            )
    shutil.chown(root, user)
    for path in root.rglob("*"):
        shutil.chown(path, user)
    return f"cache_effective_user {user}\n"


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else b""
            raise PackageCacheError(
                f"squid exited with {process.returncode}:\n{_log_tail(stderr, root)}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise PackageCacheError(f"squid did not listen on 127.0.0.1:{port} within {START_S:g}s")


def _log_tail(stderr: bytes, root: Path) -> str:
    log = root / "run" / "cache.log"
    text = stderr.decode(errors="replace")
    if log.is_file():
        text += log.read_text(errors="replace")
    return text[-2000:].strip() or "(squid printed nothing)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--require", action="store_true", help="fail when squid is missing")
    parser.add_argument("--offline", action="store_true", help="serve from the cache only")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run: -- pytest docs")
    root = cache_root()
    if reason := squid_unavailable():
        if args.require:
            print(f"package cache required, but {reason}", file=sys.stderr)
            return 2
        print(f"package cache: none ({reason}); pages use the network directly")
        return run_forwarding_signals(command, dict(os.environ))
    with ExitStack() as stack:
        try:
            proxy = stack.enter_context(running(root, offline=args.offline))
        except (PackageCacheError, subprocess.CalledProcessError, OSError) as error:
            print(f"package cache: cannot start in {root}: {error}", file=sys.stderr)
            return 2
        print(f"package cache: {root} via {proxy.url}{' (offline)' if args.offline else ''}")
        env = {**os.environ, PROXY_ENV: proxy.url, CA_ENV: str(proxy.ca_bundle)}
        return run_forwarding_signals(command, env)


if __name__ == "__main__":
    raise SystemExit(main())
