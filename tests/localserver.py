"""A file server on 127.0.0.1 that can also misbehave, for download tests.

`routes` maps a URL path (``/m1/train-images-idx3-ubyte.gz``) to what the
server answers:

* bytes: the file, status 200;
* an int: that HTTP status with a short error page;
* ``Drop(data)``: announces all of `data`, sends half, hangs up;
* ``Stall()``: accepts the request and answers nothing until the test
  ends (or 10 s pass);
* ``Together(data, parties)``: waits (at most 10 s) until `parties`
  requests for this path are in flight, then sends `data`.
* ``Drip(data, interval)``: sends `data` one byte every `interval`
  seconds (with ``head=True`` the status line and headers too);
* ``Redirect(location, status=302)``: sends the client elsewhere;
* ``Flood(announce=None)``: sends zeros until the client hangs up,
  announcing `announce` bytes (or no length at all).

Every request's path is logged in `requests`.  `close()` stops the server
and joins every thread it started.
"""
import dataclasses
import http.server
import threading

WAIT = 10  # seconds: the longest any handler waits for anything


@dataclasses.dataclass
class Drop:
    data: bytes


class Stall:
    pass


class Together:
    def __init__(self, data, parties):
        self.data = data
        self.barrier = threading.Barrier(parties, timeout=WAIT)
        self.met = False


@dataclasses.dataclass
class Drip:
    data: bytes
    interval: float
    head: bool = False


@dataclasses.dataclass
class Redirect:
    location: str
    status: int = 302


@dataclasses.dataclass
class Flood:
    announce: int = None


class _Handler(http.server.BaseHTTPRequestHandler):
    timeout = WAIT  # a client that stops talking cannot hold a thread

    def do_GET(self):  # noqa: N802 - the name http.server calls
        server = self.server
        with server.lock:
            server.requests.append(self.path)
        answer = server.routes.get(self.path, 404)
        if isinstance(answer, Stall):
            server.release.wait(WAIT)
            return
        if isinstance(answer, Together):
            try:
                answer.barrier.wait()
                answer.met = True
            except threading.BrokenBarrierError:
                pass
            answer = answer.data
        if isinstance(answer, int):
            self.send_error(answer)
            return
        if isinstance(answer, Redirect):
            self.send_response(answer.status)
            self.send_header('Location', answer.location)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        try:
            if isinstance(answer, Drip):
                return self.drip(answer)
            if isinstance(answer, Flood):
                return self.flood(answer)
        except OSError:  # the client hung up: what these are for
            self.close_connection = True
            return
        data = answer.data if isinstance(answer, Drop) else answer
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if isinstance(answer, Drop):
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    def drip(self, answer):
        head = (f'HTTP/1.1 200 OK\r\nContent-Length: {len(answer.data)}'
                f'\r\n\r\n').encode()
        if not answer.head:
            self.wfile.write(head)
            self.wfile.flush()
            head = b''
        for i in range(len(head + answer.data)):
            if self.server.release.wait(answer.interval):
                return
            self.wfile.write((head + answer.data)[i:i + 1])
            self.wfile.flush()

    def flood(self, answer):
        self.send_response(200)
        if answer.announce is not None:
            self.send_header('Content-Length', str(answer.announce))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.close_connection = True
        zeros = bytes(1 << 16)
        while not self.server.release.is_set():
            self.wfile.write(zeros)

    def log_message(self, *args):
        pass  # keep the test output clean


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins the handler threads

    def __init__(self, routes=()):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.routes = dict(routes)
        self.requests = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever,
                                       kwargs={'poll_interval': 0.05})
        self.thread.start()

    def add(self, prefix, answers):
        """Serve {file name: answer} under /prefix/; return its URL."""
        for filename, answer in answers.items():
            self.routes[f'/{prefix}/{filename}'] = answer
        return f'{self.url}/{prefix}/'

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server_address[1]}'

    def close(self):
        self.release.set()
        for answer in self.routes.values():
            if isinstance(answer, Together):
                answer.barrier.abort()
        self.shutdown()
        self.server_close()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), 'the test server did not stop'
