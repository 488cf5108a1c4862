# /// script
# requires-python = ">=3.11"
# dependencies = ["passlib==1.7.4"]
# ///
"""Add a user to an htpasswd file.

Usage: INDEX_PASSWORD=... uv run add_index_user.py FILE USER
The password comes from a variable, so it stays out of the command line.
"""

import os
import sys

from passlib.apache import HtpasswdFile

if len(sys.argv) != 3:
    sys.exit(__doc__)
path, user = sys.argv[1:]
htpasswd = HtpasswdFile(path, new=not os.path.exists(path))
htpasswd.set_password(user, os.environ["INDEX_PASSWORD"])
htpasswd.save()
print(f"{user} added to {path}")
