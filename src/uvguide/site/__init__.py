"""The site's own code: the MkDocs plugin, the macros pages call, and build-time checks."""
