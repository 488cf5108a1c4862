#!/usr/bin/env -S uv run --script
# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "tabulate>=0.9",
# ]
# ///
"""Print a small table: the script brings its own dependency."""

from tabulate import tabulate

rows = [("mlx-core", "0.1.0"), ("mlx-data", "0.2.3")]
print(tabulate(rows, headers=["package", "version"]))
