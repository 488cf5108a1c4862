# /// script
# requires-python = ">=3.11"
# dependencies = ["pyyaml>=6"]
# ///
"""Print the pip section of a conda environment.yml, one requirement a line."""

import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as stream:
    env = yaml.safe_load(stream)

for entry in env.get("dependencies", []):
    if isinstance(entry, dict):
        for requirement in entry.get("pip", []):
            print(requirement)
    elif not str(entry).startswith(("python", "pip")):
        print(f"# conda only, not installed by uv: {entry}", file=sys.stderr)
