"""The package cache's store for files.pythonhosted.org: nginx, keeping files in 1 MB slices.

Where an index gives no separate metadata file (PEP 658; this machine's mirror gives none), uv
reads a wheel's metadata with range requests at the wheel's end. squid keeps no partial
objects, so it must either fetch the whole wheel for a range (gigabytes of torch, TensorFlow and
`nvidia-*` wheels on a cold cache) or pass the range through on every run (the network each
time, and a failure during an outage). nginx's slice module keeps just the slices a range
touches: the metadata of a 1 GB wheel costs a few MB once, then nothing. squid still bumps TLS,
keeps the index pages and the whole files that come back to it, and sends every request for
files it cannot answer to this nginx, over TLS with a certificate from the cache's own
authority.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .cache_daemons import free_port, stop, wait_until_listening

HOST = "files.pythonhosted.org"
CERT, KEY = "slices.pem", "slices.key"  # in the cache's root
UPSTREAM = f"https://{HOST}"
# During a simulated outage nginx answers from its slices or fails: its upstream is a closed port.
OFFLINE_UPSTREAM = "http://127.0.0.1:9"

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
  proxy_cache_path {slices} levels=1:2 keys_zone=slices:32m max_size=20g inactive=3650d
                   use_temp_path=off;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{
      slice 1m;
      proxy_cache slices;
      proxy_cache_key $uri$slice_range;
      proxy_set_header Range $slice_range;
      # Files on the index never change (their paths hold their hashes): keep every slice.
      proxy_cache_valid 200 206 3650d;
      proxy_ignore_headers Cache-Control Expires Set-Cookie Vary X-Accel-Expires;
      # Pages resolving the same torch at once wait for one fetch of each slice.
      proxy_cache_lock on;
      proxy_cache_lock_timeout 120s;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host {host};
      proxy_pass {upstream};
      proxy_ssl_server_name on;
      proxy_ssl_name {host};
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate {system_bundle};
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
            ["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={HOST}",
             "-keyout", str(key)],
            check=True, capture_output=True,
        )  # fmt: skip
        extensions = root / "run" / "slices.ext"
        extensions.write_text(f"subjectAltName=DNS:{HOST}\n")
        subprocess.run(
            ["openssl", "x509", "-req", "-CA", str(root / "ca.pem"), "-CAkey", str(root / "ca.key"),
             "-set_serial", "1", "-days", "3650", "-extfile", str(extensions), "-out", str(cert)],
            input=request.stdout, check=True, capture_output=True,
        )  # fmt: skip
    (root / "slices").mkdir(exist_ok=True)
    (root / "run" / "nginx-tmp").mkdir(exist_ok=True)


@contextmanager
def running(
    root: Path, *, system_bundle: Path, user: str | None, offline: bool = False
) -> Iterator[int]:
    """nginx on a free port of 127.0.0.1 while the context lasts (after `prepare`); yields the
    port."""
    run = root / "run"
    port = free_port()
    config = run / "nginx.conf"
    config.write_text(
        CONFIG.format(
            user=f"user {user};\n" if user else "", run=run, slices=root / "slices", port=port,
            cert=root / CERT, key=root / KEY, host=HOST, system_bundle=system_bundle,
            upstream=OFFLINE_UPSTREAM if offline else UPSTREAM,
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
