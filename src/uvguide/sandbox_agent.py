"""The agent that lives inside a page's sandbox and runs its commands.

The harness starts it once per page (inside bubblewrap's namespaces, or as a plain process when
namespaces are unavailable) and talks to it over stdin and stdout, one JSON object per line.
It uses the standard library only and never imports the harness: it is run as
`python -I -S -c <this file's source>`, because the harness's own files may not be visible inside.

Requests and their replies:

- `{"op": "run", "argv", "env", "cwd", "timeout", "output_limit", "keep", "collect"}` runs argv
  and waits for it, not for its output to close: when it ends, every other process of the page
  is stopped (services excepted), so a background job cannot hold the command open. With
  `keep`, the processes it leaves running become the page's services instead, until the page
  ends. Reply: `status`, `output`, `dropped_bytes`, `timed_out`, `stopped` (processes
  stopped), `duration_s`, `cpu_s` (user and system CPU of the processes the command waited
  for; one stopped after it ended is not counted), and `files`: the contents of the `collect`
  files, which are then removed (how the shell's state comes back).
- `{"op": "write", "path", "content"}`, `{"op": "read", "path"}`, `{"op": "mkdtemp"}`,
  `{"op": "remove", "path"}`: file access for the harness, confined to the sandbox root.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHUNK = 65536
# After a command ends, how long its output may still trickle in before the pipe is abandoned
# (only a process that escaped, possible without a PID namespace, can hold it that long).
DRAIN_S = 1.0


class Agent:
    def __init__(self, root: Path, own_pid_namespace: bool) -> None:
        self.root = root.resolve()
        self.own_pid_namespace = own_pid_namespace
        self.services: set[int] = set()
        self.service_sessions: set[int] = set()
        self.running: int | None = None  # the session of the command being run

    def terminate(self, signum: int, frame: object) -> None:
        """Asked to stop (the run was interrupted): stop the page's processes, then leave."""
        self.services.clear()
        self.service_sessions.clear()
        if self.running is not None:
            self.stop_all_but_services(self.running)
        os._exit(128 + signum)

    # -- files -------------------------------------------------------------------------------

    def inside(self, path: str) -> Path:
        resolved = Path(os.path.realpath(path))
        if resolved != self.root and self.root not in resolved.parents:
            raise ValueError(f"{path} is outside the sandbox")
        return resolved

    def write(self, path: str, content: str) -> dict[str, Any]:
        target = self.inside(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        return {}

    def read(self, path: str) -> dict[str, Any]:
        target = self.inside(path)
        if not target.is_file():
            return {"content": None}
        return {"content": target.read_text(encoding="utf-8", errors="replace")}

    def mkdtemp(self) -> dict[str, Any]:
        return {"path": tempfile.mkdtemp(prefix="check-", dir=self.root / "tmp")}

    def remove(self, path: str) -> dict[str, Any]:
        shutil.rmtree(self.inside(path), ignore_errors=True)
        return {}

    # -- commands ----------------------------------------------------------------------------

    def run(
        self,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        timeout: float,
        output_limit: int,
        keep: bool,
        collect: list[str],
    ) -> dict[str, Any]:
        started, cpu_before = time.monotonic(), children_cpu()
        # `sh` stays between the agent and the command, so `kill $PPID` in a block stops only
        # the block, never the agent.
        process = subprocess.Popen(
            ["/bin/sh", "-c", '"$@"; exit $?', "sh", *argv],
            env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        assert process.stdout is not None
        self.running = process.pid
        reader = Reader(process.stdout, output_limit)
        reader.start()
        timed_out = False
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.stop_all_but_services(process.pid)
            status = process.wait()
        if keep:
            self.keep_as_services(process.pid)
            stopped: list[str] = []
        else:
            stopped = self.stop_all_but_services(process.pid)
        output, dropped = reader.result(keep=keep)
        self.running = None
        return {
            "status": status,
            "output": output.decode("utf-8", errors="replace"),
            "dropped_bytes": dropped,
            "timed_out": timed_out,
            "stopped": stopped,
            "duration_s": time.monotonic() - started,
            "cpu_s": max(children_cpu() - cpu_before, 0.0),
            "files": {path: self.take(path) for path in collect},
        }

    def take(self, path: str) -> str | None:
        content = self.read(path)["content"]
        Path(path).unlink(missing_ok=True)
        return content

    def stop_all_but_services(self, session: int) -> list[str]:
        """Stop every process the command left, as `ps` would name them."""
        if not self.own_pid_namespace:
            # Without a PID namespace only the command's own session is known to be the page's.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(session, signal.SIGKILL)
            return []
        stopped: list[str] = []
        for _ in range(20):  # a process may fork while the others are stopped
            found = [pid for pid in page_processes() if not self.protected(pid)]
            if not found:
                break
            for pid in found:
                name = command_line(pid)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    if name and name not in stopped:
                        stopped.append(name)
            time.sleep(0.01)
        return stopped

    def protected(self, pid: int) -> bool:
        """The agent, the namespace's init, and whatever belongs to a service: a service's
        process, one in a service's session, or one below a service."""
        if pid in (1, os.getpid()):
            return True
        seen: set[int] = set()
        while pid > 1 and pid not in seen:
            if pid in self.services:
                return True
            stat = process_stat(pid)
            if stat is None:
                return False
            parent, session = stat
            if session in self.service_sessions:
                return True
            seen.add(pid)
            pid = parent
        return False

    def keep_as_services(self, session: int) -> None:
        if not self.own_pid_namespace:
            return
        for pid in page_processes():
            if pid not in (1, os.getpid()):
                self.services.add(pid)
                stat = process_stat(pid)
                if stat:
                    self.service_sessions.add(stat[1])


class Reader(threading.Thread):
    """Reads a command's output up to a limit; past it, counts and discards."""

    def __init__(self, stream: Any, limit: int) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.limit = limit
        self.buffer = bytearray()
        self.dropped = 0
        self.lock = threading.Lock()

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.stream.read1(CHUNK):
                with self.lock:
                    room = max(self.limit - len(self.buffer), 0)
                    self.buffer += chunk[:room]
                    self.dropped += len(chunk) - min(len(chunk), room)

    def result(self, *, keep: bool) -> tuple[bytes, int]:
        """What was read; a service goes on writing, and what it writes later is read and
        dropped so it never blocks on a full pipe. A stream that a process which escaped the
        page still holds (possible only without a PID namespace) is left to that process."""
        self.join(timeout=0.05 if keep else DRAIN_S)
        with self.lock:
            output, dropped = bytes(self.buffer), self.dropped
            self.limit = 0
        return output, dropped


def children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def page_processes() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def process_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, session id) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[3])


def command_line(pid: int) -> str:
    """A process as `ps` names it: its arguments, or its name in brackets when they read as
    empty, as they do for a process caught in the middle of `exec`. Empty only once it is gone."""
    for source, shape in (("cmdline", "{}"), ("comm", "[{}]")):
        try:
            raw = Path(f"/proc/{pid}/{source}").read_bytes()
        except OSError:
            return ""
        if text := raw.replace(b"\0", b" ").decode("utf-8", errors="replace").strip():
            return shape.format(text)
    return ""


def main() -> None:
    config = json.loads(sys.argv[1])
    agent = Agent(Path(config["root"]), config["own_pid_namespace"])
    signal.signal(signal.SIGTERM, agent.terminate)
    for directory in config["directories"]:
        Path(directory).mkdir(parents=True, exist_ok=True)
    for link, target in config["links"].items():
        Path(link).symlink_to(target)
    operations = {
        "run": agent.run,
        "write": agent.write,
        "read": agent.read,
        "mkdtemp": agent.mkdtemp,
        "remove": agent.remove,
    }
    reply(ready=True, pid=os.getpid())
    for line in sys.stdin:
        request = json.loads(line)
        operation = operations[request.pop("op")]
        try:
            reply(**operation(**request))
        except (OSError, ValueError) as error:
            reply(error=f"{type(error).__name__}: {error}")


def reply(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
