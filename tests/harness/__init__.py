"""The executable-docs harness: collects the blocks of `docs/` and runs them in sandboxes."""
