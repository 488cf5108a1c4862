"""The package cache's second tier, behind squid: nginx, keeping what squid cannot keep.

- **Slices of files.** Where an index gives no separate metadata file (PEP 658; this machine's
  mirror gives none), uv reads a wheel's metadata with range requests at the wheel's end. squid
  keeps no partial objects, so it must either fetch the whole wheel for a range (gigabytes of
  torch, TensorFlow and `nvidia-*` wheels on a cold cache) or pass the range through on every
  run (the network each time, and a failure during an outage). nginx's slice module keeps just
  the 1 MB slices a range touches: the metadata of a 1 GB wheel costs a few MB once.
- **The index's "not found" answers.** squid keeps a 404 in memory only, and only with a
  negative TTL that would keep the index's passing 5xx errors too. nginx keeps the 404s the
  index gives (a page asking for a project that does not exist) and no other error, so such a
  page gives the same error during an outage.

squid still bumps TLS and keeps the index pages and the whole files; what it cannot answer it
asks this nginx for, over TLS (squid sends an https request to a peer over TLS only) with a
certificate from the cache's own authority.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .cache_daemons import CLOSED_PORT, free_port, stop, wait_until_listening

FILES_HOST, INDEX_HOST = "files.pythonhosted.org", "pypi.org"
# In the cache's root. An EC key: squid sends `Connection: close` with every bumped request it
# forwards, so each of them (about 2,000 a warm run) is a TLS handshake, and nginx's part of an
# ECDSA one costs less than of an RSA one.
CERT, KEY = "nginx.pem", "nginx.key"

CONFIG = """\
daemon off;
{user}worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {run}/nginx-access.log;
  client_body_temp_path {run}/nginx-tmp/body;
  proxy_temp_path {run}/nginx-tmp/proxy;
  fastcgi_temp_path {run}/nginx-tmp/fastcgi;
  uwsgi_temp_path {run}/nginx-tmp/uwsgi;
  scgi_temp_path {run}/nginx-tmp/scgi;
  proxy_cache_path {root}/slices levels=1:2 keys_zone=slices:32m max_size=20g inactive=3650d
                   use_temp_path=off;
  proxy_cache_path {root}/not-found levels=1:2 keys_zone=not_found:4m inactive=3650d
                   use_temp_path=off;
  ssl_certificate {cert};
  ssl_certificate_key {key};
  # What the index says about how long to keep an answer does not count: see each server.
  proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Expires;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_ssl_server_name on;
  proxy_ssl_verify on;
  proxy_ssl_trusted_certificate {system_bundle};
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name {files_host};
    location / {{
      slice 1m;
      proxy_cache slices;
      proxy_cache_key $uri$slice_range;
      proxy_set_header Range $slice_range;
      # Files on the index never change (their paths hold their hashes): keep every slice.
      proxy_cache_valid 200 206 3650d;
      # Pages resolving the same torch at once wait for one fetch of each slice.
      proxy_cache_lock on;
      proxy_cache_lock_timeout 120s;
      proxy_set_header Host {files_host};
      proxy_ssl_name {files_host};
      proxy_pass {files_upstream};
    }}
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name {index_host};
    location / {{
      # Only "not found": squid keeps the pages, and an error of the index's own is not kept.
      proxy_cache not_found;
      proxy_cache_key $uri;
      proxy_cache_valid 404 3650d;
      proxy_set_header Host {index_host};
      proxy_ssl_name {index_host};
      proxy_pass {index_upstream};
    }}
  }}
}}
"""


def nginx_unavailable() -> str | None:
    if shutil.which("nginx") is None:
        return "nginx is not installed (apt-get install nginx)"
    return None


def prepare(root: Path) -> None:
    """The certificate nginx shows squid, from the cache's authority (made once), and nginx's
    directories: before the cache is handed to squid's user, who must own them too."""
    cert, key = root / CERT, root / KEY
    if not cert.is_file():
        request = subprocess.run(
            ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-subj", "/CN=uv guide package cache, second tier", "-keyout", str(key)],
            check=True, capture_output=True,
        )  # fmt: skip
        extensions = root / "run" / "nginx.ext"
        extensions.write_text(f"subjectAltName=DNS:{FILES_HOST},DNS:{INDEX_HOST}\n")
        subprocess.run(
            ["openssl", "x509", "-req", "-CA", str(root / "ca.pem"), "-CAkey", str(root / "ca.key"),
             "-set_serial", "2", "-days", "3650", "-extfile", str(extensions), "-out", str(cert)],
            input=request.stdout, check=True, capture_output=True,
        )  # fmt: skip
    for directory in (root / "slices", root / "not-found", root / "run" / "nginx-tmp"):
        directory.mkdir(exist_ok=True)


@contextmanager
def running(
    root: Path, *, system_bundle: Path, user: str | None, offline: bool = False
) -> Iterator[int]:
    """nginx on a free port of 127.0.0.1 while the context lasts (after `prepare`); yields the
    port, where it answers for both hosts."""
    run = root / "run"
    port = free_port()
    config = run / "nginx.conf"
    config.write_text(
        CONFIG.format(
            user=f"user {user};\n" if user else "", run=run, root=root, port=port,
            cert=root / CERT, key=root / KEY, system_bundle=system_bundle,
            files_host=FILES_HOST, index_host=INDEX_HOST,
            # During a simulated outage nginx answers from what it keeps, or fails.
            files_upstream=CLOSED_PORT if offline else f"https://{FILES_HOST}",
            index_upstream=CLOSED_PORT if offline else f"https://{INDEX_HOST}",
        )
    )  # fmt: skip
    nginx = shutil.which("nginx") or "nginx"
    # -e: nginx opens its compiled-in error log before reading the config, which only root may.
    process = subprocess.Popen(
        [nginx, "-p", str(run), "-c", str(config), "-e", str(run / "nginx-error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_until_listening("nginx", port, process, run / "nginx-error.log")
        yield port
    finally:
        stop(process)
