"""A package index that accepts connections and never answers: a stalled network."""

import socket
import time

server = socket.create_server(("127.0.0.1", 47811))
time.sleep(300)
