"""A real webhook receiver on 127.0.0.1 for the tests: http.server on a free
port in a thread of the test process. It answers each POST with the next
of `answers` (the last one again once they run out), or never answers
(`silent`: it holds the connection until the test ends), and keeps what
arrived: the headers and the body, as the receiver read them."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Arrival:
    path: str
    headers: dict
    body: bytes


class Receiver:
    def __init__(self, answers=(204,), silent=False):
        self.answers = list(answers)
        self.silent = silent
        self.arrivals = []
        self.stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.arrivals.append(Arrival(self.path, dict(self.headers), body))
                if receiver.silent:
                    receiver.stop.wait(30)
                    return
                status = (
                    receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass  # quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/competency"

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def receiving(answers=(204,), silent=False):
    receiver = Receiver(answers, silent).start()
    try:
        yield receiver
    finally:
        receiver.close()
