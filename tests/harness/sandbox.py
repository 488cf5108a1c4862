"""A disposable sandbox per page: its own HOME, caches and tool dirs, one shell session.

Each command runs in a fresh `bash` process (so a hang can be killed with its whole process group)
that first restores what the previous command left behind: exported variables, shell variables,
functions (such as `deactivate`) and the working directory. To the page this feels like one
terminal session, as a reader following it would have.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .settings import Settings

# Variables a reader's machine has that the sandbox keeps: TLS roots and proxies. Everything else
# comes from the sandbox itself, so a page cannot depend on the developer's shell.
PASSTHROUGH = (
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "PIP_CERT",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
)  # fmt: skip

PRELUDE = r"""
__uvdoc_state={state}
__uvdoc_save() {{
  local __uvdoc_status=$? __uvdoc_var
  trap - EXIT
  unset -f __uvdoc_save
  declare -f > "$__uvdoc_state/funcs"
  for __uvdoc_var in $(compgen -v); do
    case " {baseline} " in *" $__uvdoc_var "*) ;; *) declare -p "$__uvdoc_var" ;; esac
  done > "$__uvdoc_state/vars" 2>/dev/null
  env -0 > "$__uvdoc_state/env"
  printf '%s' "$PWD" > "$__uvdoc_state/cwd"
  exit "$__uvdoc_status"
}}
trap __uvdoc_save EXIT
[ -f "$__uvdoc_state/funcs" ] && . "$__uvdoc_state/funcs"
[ -f "$__uvdoc_state/vars" ] && . "$__uvdoc_state/vars" 2>/dev/null
{strict}
"""


@dataclass(frozen=True)
class Result:
    status: int
    output: str  # stdout and stderr interleaved, as a terminal shows them
    duration_s: float
    timed_out: bool


class Sandbox:
    # Sandboxes not yet removed, so an interrupted run can still clean up after itself.
    live: ClassVar[set[Path]] = set()

    def __init__(self, uv: Path, settings: Settings, *, offline: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="uvdoc-", dir=sandbox_base())).resolve()
        Sandbox.live.add(self.root)
        self.home = self.root / "home"
        self.state = self.root / "state"
        for path in (self.home, self.state, self.root / "bin", self.root / "tmp"):
            path.mkdir(parents=True)
        self.cwd = self.home / "work"
        self.cwd.mkdir()
        for tool in ("uv", "uvx"):
            (self.root / "bin" / tool).symlink_to(uv.with_name(tool))
        self.settings = settings
        self.env = self._base_env(offline)
        self._baseline = self._shell_variables()

    def _base_env(self, offline: bool) -> dict[str, str]:
        home = self.home
        python_bin = Path(sys.base_prefix) / "bin"
        env = {key: os.environ[key] for key in PASSTHROUGH if key in os.environ}
        env.update(
            HOME=str(home),
            USER="reader",
            PATH=os.pathsep.join(
                [str(self.root / "bin"), str(home / ".local/bin"), str(python_bin),
                 "/usr/local/bin", "/usr/bin", "/bin"]
            ),
            TMPDIR=str(self.root / "tmp"),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(home / ".cache"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_STATE_HOME=str(home / ".local/state"),
            XDG_BIN_HOME=str(home / ".local/bin"),
            UV_CACHE_DIR=str(home / ".cache/uv"),
            UV_TOOL_DIR=str(home / ".local/share/uv/tools"),
            UV_TOOL_BIN_DIR=str(home / ".local/bin"),
            UV_PYTHON_INSTALL_DIR=str(home / ".local/share/uv/python"),
            UV_EXCLUDE_NEWER=self.settings.exclude_newer,
            # A page must not be able to pip-install into the machine's own Python.
            PIP_REQUIRE_VIRTUALENV="1",
            PIP_CONFIG_FILE=os.devnull,
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            NO_COLOR="1",
            TERM="dumb",
            LANG="C.UTF-8",
            LC_ALL="C.UTF-8",
            TZ="UTC",
            COLUMNS="100",
            GIT_CONFIG_NOSYSTEM="1",
        )  # fmt: skip
        if offline:
            env.update(UV_OFFLINE="1", UV_PYTHON_DOWNLOADS="never")
        return env

    def _shell_variables(self) -> str:
        out = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", "compgen -v"],
            env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return " ".join(out.stdout.split())

    def run(self, script: str, *, timeout: float, strict: bool = False) -> Result:
        """Run `script` in the page's shell session and keep the state it leaves behind."""
        prelude = PRELUDE.format(
            state=self.state,
            baseline=self._baseline,
            strict="set -e -o pipefail" if strict else "",
        )
        path = self.state / "command.sh"
        path.write_text(prelude + script + "\n", encoding="utf-8")
        result = run_process(
            ["bash", "--noprofile", "--norc", str(path)], env=self.env, cwd=self.cwd,
            timeout=timeout,
        )  # fmt: skip
        self._load_state()
        return result

    def _load_state(self) -> None:
        env_file, cwd_file = self.state / "env", self.state / "cwd"
        if env_file.exists():
            pairs = (item.partition("=") for item in env_file.read_bytes().decode().split("\0"))
            env = {key: value for key, _, value in pairs if key and key not in ("_", "SHLVL")}
            if env:
                self.env = env
            env_file.unlink()
        if cwd_file.exists():
            cwd = Path(cwd_file.read_text(encoding="utf-8"))
            if cwd.is_dir():
                self.cwd = cwd
            cwd_file.unlink()

    def redact(self, text: str) -> str:
        """Show sandbox paths as a reader would see theirs: HOME as `~`."""
        for root in {str(self.home), os.path.realpath(self.home)}:
            text = text.replace(root, "~")
        for root in {str(self.root), os.path.realpath(self.root)}:
            text = text.replace(root, "[SANDBOX]")
        return text

    def scratch_env(self) -> tuple[dict[str, str], Path]:
        """An offline copy of the session's environment over an empty HOME, for argument checks."""
        scratch = Path(tempfile.mkdtemp(prefix="check-", dir=self.root / "tmp"))
        env = dict(self.env)
        env.update(
            HOME=str(scratch),
            UV_CACHE_DIR=str(scratch / "cache"),
            UV_TOOL_DIR=str(scratch / "tools"),
            UV_TOOL_BIN_DIR=str(scratch / "bin"),
            UV_PYTHON_INSTALL_DIR=str(scratch / "python"),
            UV_OFFLINE="1",
            UV_PYTHON_DOWNLOADS="never",
            # Nothing reaches the network: a closed port on localhost answers every request.
            HTTP_PROXY="http://127.0.0.1:9",
            HTTPS_PROXY="http://127.0.0.1:9",
            ALL_PROXY="http://127.0.0.1:9",
        )
        env.pop("VIRTUAL_ENV", None)
        return env, scratch

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        Sandbox.live.discard(self.root)

    @classmethod
    def remove_all(cls) -> None:
        for root in list(cls.live):
            shutil.rmtree(root, ignore_errors=True)
        cls.live.clear()


# uv discovers environments and configuration by walking up from the working directory, so a
# sandbox below a project (nox points TMPDIR into .nox/) would see that project's venv and config.
PROJECT_MARKERS = ("pyproject.toml", "uv.toml", ".venv", "pyvenv.cfg", ".python-version")


def sandbox_base() -> Path:
    candidates = [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp")]
    for base in candidates:
        base = base.resolve()
        if base.is_dir() and not any(
            (parent / marker).exists() for parent in (base, *base.parents)
            for marker in PROJECT_MARKERS
        ):  # fmt: skip
            return base
    raise RuntimeError(f"no temporary directory outside a Python project among {candidates}")


def run_process(argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float) -> Result:
    """Run argv in its own process group; on timeout, or when it leaves children, kill the group."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    timed_out = False
    try:
        raw, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process.pid)
        raw, _ = process.communicate()
    finally:
        # Background jobs a block started must not outlive it.
        _kill_group(process.pid)
    return Result(
        status=process.returncode,
        output=raw.decode("utf-8", errors="replace"),
        duration_s=time.perf_counter() - started,
        timed_out=timed_out,
    )


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
