"""The package cache: what it keeps, what it answers during an outage, and a sentence, never a
traceback, when it cannot run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from uvguide import package_cache
from uvguide.uv_binary import pinned_uv_path

needs_the_cache = pytest.mark.skipif(
    package_cache.unavailable() is not None, reason="needs squid-openssl and nginx"
)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the cache to squid's proxy user")
@needs_the_cache
def test_a_cache_inside_a_closed_directory_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    monkeypatch.setenv(package_cache.CACHE_ENV, str(closed / "cache"))
    assert package_cache.main(["--", "true"]) == 2
    error = capsys.readouterr().err
    assert f"cannot enter {closed} (mode 700)" in error
    assert package_cache.CACHE_ENV in error


def test_root_defaults_outside_its_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(package_cache.CACHE_ENV, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert package_cache.cache_root() == Path("/var/cache/uv-guide/package-cache")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("XDG_CACHE_HOME", "/home/reader/.cache")
    assert package_cache.cache_root() == Path("/home/reader/.cache/uv-guide/package-cache")


def test_a_missing_squid_is_an_error_only_when_required(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(package_cache, "unavailable", lambda: "squid is not installed")
    assert package_cache.main(["--require", "--", "true"]) == 2
    assert "required, but squid is not installed" in capsys.readouterr().err
    assert package_cache.main(["--", "true"]) == 0
    assert "pages use the network directly" in capsys.readouterr().out


@needs_the_cache
def test_a_cache_in_use_by_another_run_is_refused_with_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cache"
    (root / "run").mkdir(parents=True)
    # Stands in for the squid of another run: its command line names squid and this cache.
    other = subprocess.Popen(["bash", "-c", f'exec -a "squid -f {root}/run/squid.conf" sleep 60'])
    try:
        (root / "run" / "squid.pid").write_text(f"{other.pid}\n")
        monkeypatch.setenv(package_cache.CACHE_ENV, str(root))
        assert package_cache.main(["--", "true"]) == 2
        error = capsys.readouterr().err
        assert f"another run is using the package cache in {root} (squid, pid {other.pid})" in error
        assert package_cache.CACHE_ENV in error
    finally:
        other.kill()
        other.wait()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    """A cache squid's proxy user can enter (pytest's own temporary directories are closed)."""
    if os.geteuid() != 0:
        yield tmp_path / "cache"
        return
    base = Path(tempfile.mkdtemp(prefix="uvguide-cache-test-", dir="/var/tmp"))
    base.chmod(0o755)
    yield base / "cache"
    shutil.rmtree(base)


def answer(
    proxy: package_cache.IndexProxy, url: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, Message]:
    context = ssl.create_default_context(cafile=str(proxy.ca_bundle))
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": proxy.url}),
        urllib.request.HTTPSHandler(context=context),
    )
    try:
        with opener.open(
            urllib.request.Request(url, headers=headers or {}), timeout=60
        ) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, b"", error.headers


def fetch(
    proxy: package_cache.IndexProxy, url: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    status, body, _ = answer(proxy, url, headers)
    return status, body


@needs_the_cache
@pytest.mark.parametrize(
    ("page", "name"),
    [
        ("https://pypi.org/simple/iniconfig/", b"iniconfig"),
        # projen's page runs `npx`, which asks npm's registry.
        ("https://registry.npmjs.org/is-number", b'"is-number"'),
    ],
)
def test_a_warm_cache_answers_while_the_index_is_unreachable(
    cache_dir: Path, page: str, name: bytes
) -> None:
    with package_cache.running(cache_dir) as proxy:
        status, body = fetch(proxy, page)
    assert status == 200 and name in body
    with package_cache.running(cache_dir, offline=True) as proxy:
        assert fetch(proxy, page) == (200, body)
        # What the cache never saw fails, as it would if the index itself were failing.
        assert fetch(proxy, "https://pypi.org/simple/six/")[0] == 502


@needs_the_cache
def test_not_found_is_kept_for_an_outage_and_an_outage_is_not_kept(cache_dir: Path) -> None:
    missing = "https://pypi.org/simple/uv-guide-no-such-project/"
    with package_cache.running(cache_dir) as proxy:
        assert fetch(proxy, missing)[0] == 404
    with package_cache.running(cache_dir, offline=True) as proxy:
        # The index's answer, not the outage's: uv's "not found" message stays the same.
        assert fetch(proxy, missing)[0] == 404
        assert fetch(proxy, "https://pypi.org/simple/six/")[0] == 502
    with package_cache.running(cache_dir) as proxy:
        # The outage's failure was not kept: the page is there once the index is back.
        status, body = fetch(proxy, "https://pypi.org/simple/six/")
    assert status == 200 and b"six" in body


@needs_the_cache
def test_each_run_starts_its_own_logs_and_keeps_the_last_ones(cache_dir: Path) -> None:
    with package_cache.running(cache_dir) as proxy:
        assert fetch(proxy, "https://pypi.org/simple/iniconfig/")[0] == 200
    with package_cache.running(cache_dir):
        pass
    run = cache_dir / "run"
    assert "/simple/iniconfig/" not in (run / "access.log").read_text()
    assert "/simple/iniconfig/" in (run / "access.log.1").read_text()


@needs_the_cache
def test_a_store_in_squids_default_directories_is_replaced_by_a_smaller_one(
    cache_dir: Path,
) -> None:
    # The first and last of the 16 x 256 directories squid made by default, and its index.
    old = [cache_dir / "store" / "00" / "FF", cache_dir / "store" / "0F" / "FF"]
    for directory in old:
        directory.mkdir(parents=True)
    (cache_dir / "store" / "swap.state").write_bytes(b"\0" * 64)
    with package_cache.running(cache_dir) as proxy:
        assert fetch(proxy, "https://pypi.org/simple/iniconfig/")[0] == 200
    assert not any(directory.exists() for directory in old)
    levels = sorted(p.relative_to(cache_dir / "store").as_posix()
                    for p in (cache_dir / "store").glob("*/*") if p.is_dir())  # fmt: skip
    assert levels == [f"{a:02X}/{b:02X}" for a in range(8) for b in range(16)]


@needs_the_cache
def test_caches_running_at_once_keep_their_shared_memory_apart_and_leave_none(
    cache_dir: Path,
) -> None:
    """squid names its shared memory after its service name: two squids of one name starting at
    once raced for the same segments, and the later one died with "File exists"."""
    shm = Path("/dev/shm")

    def segments(proxy: package_cache.IndexProxy) -> set[str]:
        service = package_cache.squid_service(int(proxy.url.rsplit(":", 1)[1]))
        return {path.name for path in shm.glob(f"{service}-*")}

    second = cache_dir.parent / "second"
    with package_cache.running(cache_dir) as one, package_cache.running(second) as two:
        assert segments(one) and segments(two)
        # The second squid ends by a kill, with no chance to remove its segments itself.
        os.kill(int((second / "run" / "squid.pid").read_text()), signal.SIGKILL)
    assert not segments(one) and not segments(two)


INICONFIG_WHEEL = (
    "https://files.pythonhosted.org/packages/56/43/"
    "4ca9e49d27a1fcf6bece6f6aec0ea46bb9112489b93d4b688fb415457bdb/"
    "iniconfig-2.3.1-py3-none-any.whl"
)


@needs_the_cache
def test_answers_carry_pypis_cache_headers_and_no_age(cache_dir: Path) -> None:
    """What this machine's mirror drops and what squid keeps must not make uv fetch again what
    PyPI lets it keep: pages for ten minutes, files for good, counted from when uv got them."""
    with package_cache.running(cache_dir) as proxy:
        for url, kept_for in [
            ("https://pypi.org/simple/iniconfig/", "max-age=600, public"),
            (INICONFIG_WHEEL, "max-age=365000000, immutable, public"),
        ]:
            for served in "fetched", "from the cache":
                status, _, headers = answer(proxy, url)
                assert status == 200, served
                assert headers.get_all("Cache-Control") == [kept_for], served
                assert headers["Date"] is None and headers["Age"] is None, served


@needs_the_cache
def test_uv_resolving_again_asks_the_index_nothing(cache_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("iniconfig\n")
    compile_ = [str(pinned_uv_path()), "pip", "compile", "--quiet", "--python", sys.executable,
                "requirements.in"]  # fmt: skip
    log = cache_dir / "run" / "access.log"
    with package_cache.running(cache_dir) as proxy:
        env = {**os.environ, "HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(proxy.ca_bundle),
               "UV_CACHE_DIR": str(tmp_path / "uv-cache")}  # fmt: skip
        asked = []
        for _ in "first", "again":
            subprocess.run(compile_, cwd=tmp_path, env=env, check=True, capture_output=True)
            asked.append(requests_logged(log))
    assert asked[0] > 0 and asked[1] == asked[0]


def requests_logged(log: Path) -> int:
    """Requests, not tunnels (squid logs a tunnel when it closes), once the count stays put: squid
    writes a line as it ends a request, which can be just after its client has ended."""
    count = -1
    while count != (count := len(re.findall(r" (?:GET|HEAD) https://", log.read_text()))):
        time.sleep(0.2)
    return count


# A 138 MB wheel: uv reads the metadata of such wheels with ranges near their end.
BIG_WHEEL = (
    "https://files.pythonhosted.org/packages/2d/a5/"
    "fa947e2bbb072933f8c0ad5e02bd11126bcfc2b624fe234ac29a7b63600c/"
    "torch-2.15.0-cp311-cp311-macosx_14_0_arm64.whl"
)


def size_mb(directory: Path) -> float:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 1e6


@needs_the_cache
def test_a_range_of_a_big_wheel_is_kept_alone_and_answered_during_an_outage(
    cache_dir: Path,
) -> None:
    tail = {"Range": "bytes=138000000-138016383"}
    with package_cache.running(cache_dir) as proxy:
        status, body = fetch(proxy, BIG_WHEEL, tail)
    assert (status, len(body)) == (206, 16384)
    # The slice around the range, not the wheel: neither squid nor nginx fetched all of it.
    assert size_mb(cache_dir / "slices") < 4 and size_mb(cache_dir / "store") < 4
    with package_cache.running(cache_dir, offline=True) as proxy:
        assert fetch(proxy, BIG_WHEEL, tail) == (206, body)
        # A part of the wheel the cache never saw fails, as the index itself would.
        assert fetch(proxy, BIG_WHEEL, {"Range": "bytes=0-99"})[0] == 502
