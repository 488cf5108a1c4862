"""The uv guide's machinery.

The harness runs every block of every page against the pinned uv: `plugin` (pytest and Sybil)
collects pages, `lexer` splits them into `blocks`, a `page_session` runs each page in its own
`sandbox`, the `evaluators` judge each kind of block, and `report` writes what happened. `site`
holds the MkDocs plugin and macros, `bench` the pip-versus-uv benchmark.
"""
