#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "tabulate>=0.9",
# ]
# ///
"""Print a small table: the script brings its own dependency."""

import argparse

from tabulate import tabulate

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--format", default="simple", help="a tabulate table format")
args = parser.parse_args()

rows = [("mlx-core", "0.1.0"), ("mlx-data", "0.2.3")]
print(tabulate(rows, headers=["package", "version"], tablefmt=args.format))
