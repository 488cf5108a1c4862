"""A disposable sandbox per page: its own HOME, caches and tool dirs, one shell session.

Each command runs in a fresh `bash` process (so a hang can be killed with its whole process group)
that first restores what the previous command left behind: exported variables, shell variables,
functions (such as `deactivate`) and the working directory. To the page this feels like one
terminal session, as a reader following it would have.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .processes import Result, run_process

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


class Sandbox:
    """A page's directories and environment, and the shell session its commands run in."""

    def __init__(self, uv: Path, *, exclude_newer: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="uvdoc-", dir=sandbox_base())).resolve()
        self.home = self.root / "home"
        self.state = self.root / "state"
        for path in (self.home, self.state, self.root / "bin", self.root / "tmp"):
            path.mkdir(parents=True)
        self.cwd = self.home / "work"
        self.cwd.mkdir()
        for tool in ("uv", "uvx"):
            (self.root / "bin" / tool).symlink_to(uv.with_name(tool))
        self.env = self._base_env(exclude_newer)
        self._baseline = self._shell_variables()

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

    def run_offline_check(self, argv: list[str], *, timeout: float) -> Result:
        """Run argv offline over an empty HOME, leaving the session's state alone: how a block
        that is not run still has its uv arguments checked."""
        env, scratch = self._scratch_env()
        try:
            program = shutil.which(argv[0], path=env["PATH"]) or argv[0]
            return run_process([program, *argv[1:]], env=env, cwd=scratch, timeout=timeout)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _scratch_env(self) -> tuple[dict[str, str], Path]:
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
