"""A "new release" of uv for the upgrade tests: the pinned uv, with its output changed the ways
a release changes it. It is copied beside a real uv binary, as `uv`, by the tests."""

import os
import subprocess
import sys
from pathlib import Path

REAL = Path(__file__).resolve().with_name("uv-real")
args = sys.argv[1:]
if args == ["--version"]:
    print("uv 9.9.9 (fake)")
    raise SystemExit(0)
done = subprocess.run([REAL, *args], capture_output=True, text=True, env=os.environ)
output = done.stdout + done.stderr
# An unelided line changes, and a line with elisions changes between them.
output = output.replace("Creating virtual environment at", "Creating a virtual environment at")
output = output.replace("interpreter at:", "interpreter found at:")
# A value the prose above its block quotes changes; a line is added.
output = output.replace("0B\n", "4.0KiB\n") if args[:2] == ["cache", "size"] else output
output = output.replace("Checked 0 packages", "Checked 1 packages")
output = output.replace("All installed packages are compatible", "All compatible\nNo conflicts")
sys.stdout.write(output)
# One exit status changes: a person has to decide what that means for the page.
raise SystemExit(3 if args[:3] == ["pip", "list", "--format"] else done.returncode)
