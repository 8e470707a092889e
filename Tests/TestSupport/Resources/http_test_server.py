#!/usr/bin/env python3
"""A small HTTP server for the HTTP client's tests.

Usage: http_test_server.py PORT_FILE [CERT KEY]

Binds 127.0.0.1 on a kernel-chosen port and writes the port to PORT_FILE.
With CERT and KEY (PEM files) it speaks HTTPS.
Routes:
  /echo              JSON of the request: method, path, headers, body length and sha256
  /bytes?n=N         N bytes of a repeating pattern
  /status/CODE       an empty response with that status and a small JSON error body
  /redirect?to=URL&code=C   a redirect (default 302) to URL
  /chain?n=N         redirects N times to itself, then answers /echo
  /json?body=TEXT    200 with TEXT as an application/json body (canned token answers)
  /stall             sends nothing for a minute (for transfer timeouts)
"""
import hashlib
import http.server
import json
import os
import sys
import ssl
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = b""
        while len(data) < length:
            chunk = self.rfile.read(min(65536, length - len(data)))
            if not chunk:
                break
            data += chunk
        return data

    def _send(self, code, payload, content_type="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or []):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _route(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self._body()
        if url.path == "/echo":
            answer = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "bodyLength": len(body),
                "bodySHA256": hashlib.sha256(body).hexdigest(),
            }
            self._send(200, json.dumps(answer).encode(), extra=[("X-Multi", "one"), ("X-Multi", "two")])
        elif url.path == "/bytes":
            n = int(query.get("n", "0"))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            pattern = bytes(range(256)) * 256
            sent = 0
            while sent < n and self.command != "HEAD":
                piece = pattern[: min(len(pattern), n - sent)]
                self.wfile.write(piece)
                sent += len(piece)
        elif url.path.startswith("/status/"):
            code = int(url.path.split("/")[2])
            payload = json.dumps({"errors": [{"code": "TEST", "message": "status %d" % code}]}).encode()
            self._send(code, payload)
        elif url.path == "/stall":
            time.sleep(60)
        elif url.path == "/json":
            self._send(200, query.get("body", "").encode())
        elif url.path == "/redirect":
            code = int(query.get("code", "302"))
            self._send(code, b"redirecting", "text/plain", [("Location", query["to"])])
        elif url.path == "/chain":
            n = int(query.get("n", "0"))
            target = "/chain?n=%d" % (n - 1) if n > 0 else "/echo"
            self._send(302, b"", "text/plain", [("Location", target)])
        else:
            self._send(404, b'{"errors":[{"code":"NOT_FOUND","message":"no route"}]}')

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _route


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) > 3:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
