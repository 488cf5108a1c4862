"""`nox -s bench`: pip vs uv on the guide's own requirement files, and the harness's own cost."""
