#!/usr/bin/env python3
"""A reverse proxy in front of a plain-HTTP registry that logs what every request sent and received.

build/benchmark.sh points both publishers (ours and the SDK's) at this proxy, so that the bytes they
upload are measured the same way, on the wire, whatever their logs say.

    counting-proxy.py LISTEN_PORT UPSTREAM_HOST:PORT LOG_FILE

Listens on 127.0.0.1:LISTEN_PORT only. One tab-separated line per request is appended to LOG_FILE:

    method  path  status  request_body_bytes  response_body_bytes

Bodies are streamed (never held in memory), in both directions; chunked request bodies are forwarded
chunked and counted without their chunk framing. The Host header is passed through unchanged, so the
registry builds its upload Location URLs with the proxy's address and the client stays on the proxy.
"""
import http.client
import http.server
import socket
import sys
import threading

CHUNK = 1 << 16
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
              "upgrade", "expect"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = ("127.0.0.1", 5000)
    log_lock = threading.Lock()
    log_file = None

    def log_message(self, format, *args):  # no access log on stderr
        pass

    def _upstream(self):
        conn = getattr(self, "_conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(*self.upstream, timeout=600)
            self._conn = conn
        return conn

    def _relay(self):
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        length = self.headers.get("Content-Length")
        sent = 0
        for attempt in (0, 1):
            conn = self._upstream()
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        conn.putheader(name, value)
                if chunked:
                    conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                break
            except (ConnectionError, OSError):
                # A kept-alive upstream connection that the registry closed: reconnect once.
                conn.close()
                self._conn = None
                if attempt:
                    raise
        if chunked:
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # Trailers (usually none) end with an empty line.
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    conn.send(b"0\r\n\r\n")
                    break
                remaining = size
                while remaining:
                    data = self.rfile.read(min(CHUNK, remaining))
                    if not data:
                        raise ConnectionError("client closed the connection inside a chunk")
                    conn.send(b"%x\r\n" % len(data) + data + b"\r\n")
                    sent += len(data)
                    remaining -= len(data)
                self.rfile.readline(65537)  # CRLF after the chunk
        elif length:
            remaining = int(length)
            while remaining:
                data = self.rfile.read(min(CHUNK, remaining))
                if not data:
                    raise ConnectionError("client closed the connection inside the body")
                conn.send(data)
                sent += len(data)
                remaining -= len(data)

        response = conn.getresponse()
        self.send_response_only(response.status, response.reason)
        upstream_length = response.getheader("Content-Length")
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        has_body = self.command != "HEAD" and response.status not in (204, 304) and not 100 <= response.status < 200
        rechunk = has_body and upstream_length is None
        if rechunk:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        received = 0
        if has_body:
            while True:
                data = response.read(CHUNK)
                if not data:
                    break
                received += len(data)
                self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n" if rechunk else data)
            if rechunk:
                self.wfile.write(b"0\r\n\r\n")
        else:
            response.read()
        self.wfile.flush()
        if response.will_close:
            conn.close()
            self._conn = None
        with self.log_lock:
            self.log_file.write(f"{self.command}\t{self.path}\t{response.status}\t{sent}\t{received}\n")
            self.log_file.flush()

    def _handle(self):
        try:
            self._relay()
        except (ConnectionError, OSError, http.client.HTTPException) as e:
            with self.log_lock:
                self.log_file.write(f"{self.command}\t{self.path}\tERROR {type(e).__name__}: {e}\t0\t0\n")
                self.log_file.flush()
            self.close_connection = True
            conn = getattr(self, "_conn", None)
            if conn is not None:
                conn.close()
                self._conn = None
            try:
                self.send_error(502, "counting proxy: upstream failed")
            except OSError:
                pass

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def finish(self):
        super().finish()
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    host, _, upstream_port = sys.argv[2].rpartition(":")
    Handler.upstream = (host, int(upstream_port))
    Handler.log_file = open(sys.argv[3], "a", buffering=1)
    server = Server(("127.0.0.1", port), Handler)
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server.serve_forever()


if __name__ == "__main__":
    main()
