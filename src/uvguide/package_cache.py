"""A local caching proxy in front of the package index, so the guide runs without the network
once warm and its transcripts stay exactly what a reader sees.

It is squid, a maintained caching proxy (Debian's `squid-openssl`), decrypting only PyPI's two
hosts and the npm registry with a certificate authority made for the cache; every other host is
tunnelled untouched. squid keeps the index pages, whole files and npm's answers, and asks nginx
(`nginx_cache`) for what it does not have from PyPI: nginx keeps the slices that uv's range
requests into wheels touch, and the index's "not found" answers. Pages keep the URLs they name
and print the same lines: only where the bytes come from changes. Entries never expire
(resolution is frozen by `exclude-newer`), so a warm cache needs no network at all.

    python -m uvguide.package_cache [--require] [--offline] -- pytest docs ...

starts both, runs the command with `UVGUIDE_INDEX_PROXY` and `UVGUIDE_INDEX_CA` set (the
harness reads them), and stops them. `--offline` cuts the cache from the index, to see what a
warm run does during an outage; it also sets `UVGUIDE_INDEX_OUTAGE`, which cuts the pages that
keep the real network. Without squid or nginx the command runs with the direct network, and
says so, unless `--require` makes that an error.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import nginx_cache
from .cache_daemons import (
    CLOSED_PORT,
    PackageCacheError,
    free_port,
    log_tail,
    stop,
    wait_until_listening,
)
from .forwarding import run_forwarding_signals

PROXY_ENV = "UVGUIDE_INDEX_PROXY"
CA_ENV = "UVGUIDE_INDEX_CA"
CACHE_ENV = "UVGUIDE_PACKAGE_CACHE"
OUTAGE_ENV = "UVGUIDE_INDEX_OUTAGE"
# projen's page runs `npx`: npm's registry is kept too, so that page also passes during an outage.
INTERCEPTED = (nginx_cache.INDEX_HOST, nginx_cache.FILES_HOST, "registry.npmjs.org")
LOGS = ("access.log", "cache.log", "nginx-access.log", "nginx-error.log")
CERTGEN_DIRS = ("/usr/lib/squid", "/usr/libexec/squid", "/opt/homebrew/opt/squid/libexec")
# squid's store in 8 x 16 directories. Its default, 16 x 256, made 4,096 directories in every new
# cache: 2 to 5 CPU-s of the kernel's (ext4) each time, for a whole run of the guide that keeps
# about 1,200 files.
STORE_LEVELS = "8 16"

CONFIG = """\
http_port 127.0.0.1:{port} ssl-bump generate-host-certificates=on \
dynamic_cert_mem_cache_size=16MB tls-cert={ca_pem} tls-key={ca_key}
sslcrtd_program {certgen} -s {ssldb} -M 16MB
sslcrtd_children 8 startup=1 idle=1
# Bumped by the name the client asked to reach (CONNECT pypi.org:443), before any TLS: squid
# then needs no connection to the index to answer from its cache. Peeking at the client's TLS
# first made squid open one, so every request failed during an outage, cached or not.
acl bumped dstdomain {hosts}
ssl_bump bump bumped
ssl_bump splice all
tls_outgoing_options cafile={system_bundle}
cache_dir ufs {store} 20000 {levels}
cache_mem 256 MB
maximum_object_size 2 GB
maximum_object_size_in_memory 8 MB
# What squid does not have from PyPI comes through nginx (see nginx_cache), which keeps the
# ranges uv reads in slices, and the index's "not found" answers; squid keeps the whole files it
# passes on, and forwards ranges it cannot answer as they are.
acl files dstdomain {files_host}
acl index dstdomain {index_host}
acl pypi dstdomain {files_host} {index_host}
cache_peer 127.0.0.1 parent {nginx_port} 0 no-query no-digest originserver name=files \
tls tls-cafile={ca_pem} tls-domain={files_host}
cache_peer 127.0.0.1 parent {nginx_port} 0 no-query no-digest originserver name=index \
tls tls-cafile={ca_pem} tls-domain={index_host}
cache_peer_access files allow files
cache_peer_access files deny all
cache_peer_access index allow index
cache_peer_access index deny all
never_direct allow pypi
collapsed_forwarding on
# PyPI lets a client keep an index page for ten minutes and a file for good, and uv does, so a
# reader's later commands do not fetch them again. This machine's mirror sends no cache headers,
# and a kept answer carries the Date squid fetched it on, which a client reads as its age: either
# way, every uv command of a page fetched and parsed every index page again, and a transcript
# showed a wheel uv already had being downloaded again. So PyPI's answers leave here with PyPI's
# cache headers and no age.
reply_header_access Cache-Control deny pypi
reply_header_access Expires deny pypi
reply_header_access Date deny pypi
reply_header_access Age deny pypi
reply_header_add Cache-Control "max-age=600, public" index
reply_header_add Cache-Control "max-age=365000000, immutable, public" files
# Never expire: what the pages resolve is frozen by exclude-newer (npm's answers by the cache).
refresh_pattern -i ^https://({kept})/ 525600 100% 525600 \
override-expire override-lastmod ignore-reload ignore-no-store ignore-private
refresh_pattern . 0 20% 4320
acl local src 127.0.0.1/32
http_access allow local
http_access deny all
pid_filename {run}/squid.pid
access_log stdio:{run}/access.log squid
cache_log {run}/cache.log
# Each run's command has ended before squid is stopped: no client is left to wait for.
shutdown_lifetime 0 seconds
{user}{extra}
"""
# During a simulated outage everything must come from the cache: squid's only way out is a
# parent proxy on a closed port (PyPI's hosts go to nginx, whose upstream is then a closed port
# too).
CLOSED = urlsplit(CLOSED_PORT)
OFFLINE = f"""\
cache_peer {CLOSED.hostname} parent {CLOSED.port} 0 no-query no-digest default name=outage
cache_peer_access outage deny pypi
never_direct allow all
offline_mode on
"""


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


def unavailable() -> str | None:
    if shutil.which("squid") is None:
        return "squid is not installed (apt-get install squid-openssl)"
    if certgen() is None:
        return "squid's security_file_certgen helper is missing (squid-openssl has it)"
    return nginx_cache.nginx_unavailable()


def certgen() -> Path | None:
    for directory in CERTGEN_DIRS:
        if (path := Path(directory) / "security_file_certgen").is_file():
            return path
    return None


def prepare(root: Path) -> None:
    """Make the cache's authority and bundle once; squid's stores on first use.

    The authority's key is an EC one: squid signs every certificate it makes with it and shows
    it in every handshake it bumps (about 900 a run), and an RSA key cost 0.2 to 0.5 s to make,
    once for every new cache (each package-cache test makes one)."""
    root.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = root / "ca.key", root / "ca.pem"
    if not ca_pem.is_file():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "3650", "-subj", "/CN=uv guide package cache",
             "-keyout", str(ca_key), "-out", str(ca_pem)],
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
    store = root / "store"
    if (store / "00" / "FF").is_dir():
        # A store in squid's default directories, which squid cannot read with these levels.
        shutil.rmtree(store)
    store.mkdir(exist_ok=True)
    (root / "run").mkdir(exist_ok=True)


@contextmanager
def running(root: Path, *, offline: bool = False) -> Iterator[IndexProxy]:
    """squid on a free port of 127.0.0.1, and nginx behind it, while the context lasts."""
    prepare(root)
    if (pid := _running_squid(root)) is not None:
        raise PackageCacheError(
            f"another run is using the package cache in {root} (squid, pid {pid}): wait for it "
            f"to end, or give this run a cache of its own with {CACHE_ENV}=DIR"
        )
    run = root / "run"
    _start_new_logs(run)
    nginx_cache.prepare(root)
    user = _daemon_user(root)
    with nginx_cache.running(
        root, system_bundle=system_bundle(), user=user, offline=offline
    ) as nginx_port:
        port = free_port()
        config = run / "squid.conf"
        config.write_text(
            CONFIG.format(
                port=port, ca_pem=root / "ca.pem", ca_key=root / "ca.key", certgen=certgen(),
                ssldb=root / "ssldb", hosts=" ".join(INTERCEPTED), system_bundle=system_bundle(),
                store=root / "store", levels=STORE_LEVELS, run=run, nginx_port=nginx_port,
                files_host=nginx_cache.FILES_HOST, index_host=nginx_cache.INDEX_HOST,
                kept="|".join(re.escape(host) for host in INTERCEPTED),
                user=f"cache_effective_user {user}\n" if user else "",
                extra=OFFLINE if offline else "",
            )
        )  # fmt: skip
        # squid names its shared memory (/dev/shm/<service>-cf__metadata.shm and others) after
        # its service name, "squid" unless told: two squids starting at once (the tests' and
        # the pages') raced for the same names, and the later one died with "File exists".
        service = squid_service(port)
        squid = [shutil.which("squid") or "squid", "-n", service, "-f", str(config)]
        if not (root / "store" / "00").is_dir():
            made = subprocess.run([*squid, "-z", "-N"], capture_output=True)
            if made.returncode != 0:
                raise PackageCacheError(
                    f"squid could not create its store in {root / 'store'} "
                    f"(exit {made.returncode}):\n{log_tail(made.stderr, run / 'cache.log')}"
                )
        process = subprocess.Popen(
            [*squid, "-N"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_until_listening("squid", port, process, run / "cache.log")
            yield IndexProxy(f"http://127.0.0.1:{port}", root / "bundle.pem")
        finally:
            stop(process)
            _remove_shared_memory(service)


def _start_new_logs(run: Path) -> None:
    """squid and nginx append to their logs: a cache used every day would keep every request
    it ever served. Each run starts its own logs; the previous run's stay beside them as `*.1`."""
    for name in LOGS:
        log = run / name
        if log.exists():
            log.replace(run / f"{name}.1")


def squid_service(port: int) -> str:
    """The service name of the squid on this port: the prefix of its shared memory's names."""
    return f"uvguide{port}"


def _remove_shared_memory(service: str) -> None:
    """A squid that ended by a kill leaves its segments in memory (a tmpfs), and with a name of
    its own no later squid would reuse them."""
    for segment in Path("/dev/shm").glob(f"{service}-*"):
        segment.unlink(missing_ok=True)


def _running_squid(root: Path) -> int | None:
    """The squid that serves this cache now, if one does (a pid file can outlive its squid)."""
    try:
        pid = int((root / "run" / "squid.pid").read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"squid" in command and str(root).encode() in command else None


def _daemon_user(root: Path) -> str | None:
    """squid will not run as root: it drops to the `proxy` user, which must own the cache.
    nginx's workers, which write the slices, run as the same user."""
    if os.geteuid() != 0:
        return None
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
    return user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--require", action="store_true", help="fail when squid or nginx is missing"
    )
    parser.add_argument("--offline", action="store_true", help="serve from the cache only")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run: -- pytest docs")
    root = cache_root()
    if reason := unavailable():
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
        if args.offline:
            env[OUTAGE_ENV] = "1"
        return run_forwarding_signals(command, env)


if __name__ == "__main__":
    raise SystemExit(main())
