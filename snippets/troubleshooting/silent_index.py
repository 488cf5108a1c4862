"""A package index that accepts connections and never answers: a stalled network."""

import os
import socket
import time

server = socket.create_server(("127.0.0.1", 47811))
print("listening on 127.0.0.1:47811", flush=True)
if os.fork():
    os._exit(0)  # the shell gets its prompt back; the server keeps listening
time.sleep(300)
