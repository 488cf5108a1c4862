"""Whether a host a block needs answers from here: probed once per host and process.

Blocks annotated `needs=download.pytorch.org` run where the host answers (GitHub-hosted CI)
and are argument-checked elsewhere; the probe decides which, and its answer is the reason the
report gives. Any HTTP answer counts as reachable: only the connection matters.
"""

from __future__ import annotations

import os
import ssl
import urllib.error
import urllib.request
from functools import cache

PROBE_TIMEOUT_S = 5.0


@cache
def unreachable(host: str) -> str | None:
    """Why host cannot be reached over HTTPS from here, or None when it answers."""
    cafile = os.environ.get("SSL_CERT_FILE")
    context = ssl.create_default_context(
        cafile=cafile if cafile and os.path.isfile(cafile) else None
    )
    request = urllib.request.Request(f"https://{host}/", method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S, context=context):
            return None
    except urllib.error.HTTPError:
        return None  # it answered
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return f"{host} does not answer from this machine ({reason})"
