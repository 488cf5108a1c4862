"""A disposable sandbox per page: its own HOME, caches and tool dirs, one shell session, and (with
namespaces) its own view of the machine. `isolation.py` says what the page can reach;
`sandbox_agent.py` runs the page's commands inside.

Each command runs in a fresh `bash` process (so a hang can be stopped with everything it
started) that first restores what the previous command left behind: exported variables, shell
variables, functions (such as `deactivate`) and the working directory. To the page this feels
like one terminal session, as a reader following it would have.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import sandbox_agent
from .cache_daemons import CLOSED_PORT
from .isolation import Isolation, Limits, bwrap_argv, interpreter
from .memory_limit import MemoryLimit, memory_limit
from .package_cache import IndexProxy

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
BASH = ["bash", "--noprofile", "--norc"]
TOOLS = ("uv", "uvx")
STOP_S = 1.0  # how long the agent may take to leave at the end of a page, at each step


class SandboxError(Exception):
    """The page's session could not start, or died under it."""


@dataclass(frozen=True)
class Result:
    status: int  # negative: killed by that signal
    output: str  # stdout and stderr interleaved, as a terminal shows them
    duration_s: float
    timed_out: bool
    cpu_s: float = 0.0  # user and system CPU of the processes the command waited for
    dropped_bytes: int = 0  # output past the limit, not kept
    stopped: tuple[str, ...] = ()  # background processes still running when the command ended
    out_of_memory: bool = False  # the kernel killed a process of the page for its memory
    files: dict[str, str | None] = field(default_factory=dict)  # collected state files


class Sandbox:
    """A page's directories and environment, and the shell session its commands run in."""

    def __init__(
        self,
        uv: Path,
        *,
        exclude_newer: str,
        isolation: Isolation,
        limits: Limits,
        index_proxy: IndexProxy | None = None,
    ) -> None:
        self.isolation = isolation
        self.limits = limits
        self.index_proxy = index_proxy
        self.root = Path(tempfile.mkdtemp(prefix="uvdoc-", dir=sandbox_base())).resolve()
        self.home = self.root / "home"
        self.state = self.root / "state"
        self.cwd = self.home / "work"
        self.memory: MemoryLimit | None = None
        self._agent: subprocess.Popen[bytes] | None = None
        # What the agent says on stderr: read only if it dies. Closed in remove().
        self._agent_log = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._start_agent(uv)
            self.env = self._base_env(exclude_newer)
            self._baseline = " ".join(
                self.run_argv([*BASH, "-c", "compgen -v"], env=self.env, timeout=30).output.split()
            )
        except BaseException:
            self.remove()
            raise

    # -- the agent ---------------------------------------------------------------------------

    def _start_agent(self, uv: Path) -> None:
        python = interpreter()
        config = {
            "root": str(self.root),
            "own_pid_namespace": self.namespaces,
            "directories": [
                str(p) for p in (self.cwd, self.state, self.root / "bin", self.root / "tmp")
            ],
            "links": {str(self.root / "bin" / tool): str(uv.with_name(tool)) for tool in TOOLS},
        }
        # -S: the agent needs the standard library only, and a machine's site-packages may run
        # code at every start (.pth files): 57 -> 40 ms of CPU per page here.
        command = [
            str(python), "-I", "-S", "-c", inspect.getsource(sandbox_agent), json.dumps(config)
        ]  # fmt: skip
        if self.namespaces:
            visible = [uv.parent, python.parent, Path(sys.base_prefix)]
            if self.index_proxy:
                visible.append(self.index_proxy.ca_bundle.parent)
            command = bwrap_argv(self.root, self.limits, visible) + command
        self.memory = memory_limit(self.limits.memory_bytes)
        self._agent = subprocess.Popen(
            self.memory.wrap(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._agent_log, cwd=self.root,
        )  # fmt: skip
        self._request()  # the agent says it is ready

    @property
    def namespaces(self) -> bool:
        return self.isolation is Isolation.NAMESPACES

    def _request(self, **request: Any) -> dict[str, Any]:
        agent = self._agent
        if agent is None or agent.poll() is not None:
            raise SandboxError(self._death())
        assert agent.stdin is not None and agent.stdout is not None
        try:
            if request:
                agent.stdin.write(json.dumps(request).encode() + b"\n")
                agent.stdin.flush()
            line = agent.stdout.readline()
        except (BrokenPipeError, OSError):
            line = b""
        if not line:
            agent.wait()
            raise SandboxError(self._death())
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise SandboxError(reply["error"])
        return reply

    def _death(self) -> str:
        agent = self._agent
        status = agent.returncode if agent else None
        self._agent_log.seek(0)
        log = self._agent_log.read().decode("utf-8", errors="replace").strip()[-2000:]
        cause = f"killed by signal {-status}" if status and status < 0 else f"exit {status}"
        return f"the page's session ended ({cause}){': ' + log if log else ''}"

    # -- commands ----------------------------------------------------------------------------

    def _base_env(self, exclude_newer: str) -> dict[str, str]:
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
            UV_EXCLUDE_NEWER=exclude_newer,
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
        if proxy := self.index_proxy:
            # Through the local package cache: same URLs, same output, bytes from the cache.
            bundle = str(proxy.ca_bundle)
            env.update(
                HTTPS_PROXY=proxy.url,
                https_proxy=proxy.url,
                NO_PROXY="127.0.0.1,localhost,::1",
                no_proxy="127.0.0.1,localhost,::1",
                SSL_CERT_FILE=bundle,
                REQUESTS_CA_BUNDLE=bundle,
                PIP_CERT=bundle,
                NODE_EXTRA_CA_CERTS=bundle,
                # A machine-wide npmrc may name a CA file of its own, which would win over Node's.
                NPM_CONFIG_CAFILE=bundle,
            )
        return env

    def run(
        self, script: str, *, timeout: float, strict: bool = False, keep: bool = False
    ) -> Result:
        """Run `script` in the page's shell session and keep the state it leaves behind. With
        `keep`, what it leaves running stays up until the page ends (a server the page uses)."""
        prelude = PRELUDE.format(
            state=self.state,
            baseline=self._baseline,
            # A pipeline fails when any stage does: `uv ... | grep` cannot hide uv's failure.
            strict="set -e -o pipefail" if strict else "set -o pipefail",
        )
        path = self.state / "command.sh"
        self.write(path, prelude + script + "\n")
        env_file, cwd_file = self.state / "env", self.state / "cwd"
        result = self.run_argv(
            [*BASH, str(path)], timeout=timeout, keep=keep, collect=[env_file, cwd_file]
        )
        if raw_env := result.files.get(str(env_file)):
            pairs = (item.partition("=") for item in raw_env.split("\0"))
            env = {key: value for key, _, value in pairs if key and key not in ("_", "SHLVL")}
            if env:
                self.env = env
        if raw_cwd := result.files.get(str(cwd_file)):
            self.cwd = Path(raw_cwd)
        return result

    def run_argv(
        self,
        argv: list[str],
        *,
        timeout: float,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        keep: bool = False,
        collect: list[Path] | None = None,
    ) -> Result:
        oom_before = self.memory.out_of_memory_kills() if self.memory else 0
        reply = self._request(
            op="run", argv=argv, env=env if env is not None else self.env,
            cwd=str(cwd or self.cwd), timeout=timeout, output_limit=self.limits.output_bytes,
            keep=keep, collect=[str(path) for path in collect or []],
        )  # fmt: skip
        oom_after = self.memory.out_of_memory_kills() if self.memory else 0
        return Result(
            status=reply["status"],
            output=reply["output"],
            duration_s=reply["duration_s"],
            timed_out=reply["timed_out"],
            cpu_s=reply["cpu_s"],
            dropped_bytes=reply["dropped_bytes"],
            stopped=tuple(reply["stopped"]),
            out_of_memory=oom_after > oom_before,
            files=reply["files"],
        )

    def run_offline_check(self, argv: list[str], *, timeout: float) -> Result:
        """Run argv offline over an empty HOME, leaving the session's state alone: how a block
        that is not run still has its uv arguments checked."""
        scratch = Path(self._request(op="mkdtemp")["path"])
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
            HTTP_PROXY=CLOSED_PORT,
            HTTPS_PROXY=CLOSED_PORT,
            ALL_PROXY=CLOSED_PORT,
        )
        env.pop("VIRTUAL_ENV", None)
        try:
            return self.run_argv(argv, env=env, cwd=scratch, timeout=timeout)
        finally:
            self._request(op="remove", path=str(scratch))

    # -- files -------------------------------------------------------------------------------

    def write(self, path: Path, content: str) -> None:
        """Write a file inside the sandbox (the agent refuses any path outside it)."""
        self._request(op="write", path=str(path), content=content)

    def read(self, path: Path) -> str | None:
        content: str | None = self._request(op="read", path=str(path))["content"]
        return content

    def redact(self, text: str) -> str:
        """Show sandbox paths as a reader would see theirs: HOME as `~`."""
        for root in {str(self.home), os.path.realpath(self.home)}:
            text = text.replace(root, "~")
        for root in {str(self.root), os.path.realpath(self.root)}:
            text = text.replace(root, "[SANDBOX]")
        return text

    def remove(self) -> None:
        """End the page: its processes, its files, its cgroup. Safe to call twice."""
        agent, self._agent = self._agent, None
        if agent is not None:
            # An idle agent leaves when its input ends; a busy one (the run was interrupted
            # mid-command) is asked to stop, then made to.
            _close(agent.stdin)
            for stop in (lambda: None, agent.terminate, agent.kill):
                stop()
                try:
                    agent.wait(timeout=STOP_S)
                    break
                except subprocess.TimeoutExpired:
                    continue
            _close(agent.stdout)
        if self.memory is not None:
            self.memory.release()
        self._agent_log.close()
        shutil.rmtree(self.root, ignore_errors=True)


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


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
