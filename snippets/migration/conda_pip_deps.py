# /// script
# requires-python = ">=3.11"
# dependencies = ["pyyaml>=6"]
# ///
import argparse
import sys

import yaml

parser = argparse.ArgumentParser(description="The pip section of environment.yml.")
parser.add_argument("environment_file")
args = parser.parse_args()

with open(args.environment_file, encoding="utf-8") as stream:
    env = yaml.safe_load(stream)

for channel in env.get("channels", []):
    print(f"# conda channel, not used by uv: {channel}", file=sys.stderr)
for entry in env.get("dependencies", []):
    if isinstance(entry, dict):
        for requirement in entry.get("pip", []):
            print(requirement)
    elif not str(entry).startswith(("python", "pip")):
        print(f"# conda only, not installed by uv: {entry}", file=sys.stderr)
