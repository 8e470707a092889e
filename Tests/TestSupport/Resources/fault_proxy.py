#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 proxy for tests, on loopback only.

Usage: fault_proxy.py CONFIG.json

CONFIG (a file):
  upstream     "127.0.0.1:PORT" to forward to, or null for a proxy that only
               answers from its rules (a scripted hostile server)
  port_file    where the first bound port is written (all of them go to
               port_file.all, one per line)
  listen       how many loopback ports to listen on (default 1), all alike
  plan_file    JSON {"rules": [RULE...]}; re-read on every request, so tests
               change the plan between steps
  log_file     one JSON line per request: method, path, host, the scheme of
               its Authorization (never the value), the rule that fired
  cert, key    optional: speak HTTPS with this PEM certificate and key
  token_file   optional: every "token"/"access_token"/"refresh_token" value in
               forwarded JSON responses, one per line (secret-leak tests)

A RULE matches by "method" (exact, optional) and "path" (a regular expression
searched in the request target, optional); "skip" lets that many matches pass
first and "times" is how often it fires (-1: always; default 1). Actions:
  status          answer "status" (with "headers", "body") without forwarding;
                  "forward": true forwards first and drops the real answer
  reset_request   read "after" bytes of the request body (default: half), then
                  reset the connection (RST)
  reset_response  forward, send the head and "after" body bytes, then reset
  truncate        forward, send the head (full Content-Length) and half the
                  body, then close
  stall           say nothing for "seconds" (default 60), then close
  stall_body      forward, send the head and half the body, then stall
  corrupt         forward and flip one byte of the response body
  corrupt_request flip one byte of the request body before forwarding
  respond         answer "status", "headers" ([[name, value]...]), "body"
                  (text; "body_b64" for bytes), or "body_size" bytes of "x" streamed without a length
                  ("chunked": false) or with one; "redirect_loop": true answers
                  302 to the same path plus "?n=N+1"; "echo_auth": true answers
                  an error quoting the request's Authorization, decoded
"""
import base64
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time

CONFIG = {}
LOCK = threading.Lock()
FIRED = {}      # rule id -> times fired
SEEN = {}       # rule id -> matches seen
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
TOKEN_KEYS = ("token", "access_token", "refresh_token")


def log(entry):
    line = json.dumps(entry) + "\n"
    with LOCK:
        with open(CONFIG["log_file"], "a") as f:
            f.write(line)


def load_rules():
    try:
        with open(CONFIG["plan_file"]) as f:
            return json.load(f).get("rules", [])
    except (OSError, ValueError):
        return []


def pick_rule(method, target):
    with LOCK:
        for index, rule in enumerate(load_rules()):
            rule_id = str(rule.get("id", index))
            if rule.get("method") and rule["method"] != method:
                continue
            if rule.get("path") and not re.search(rule["path"], target):
                continue
            seen = SEEN.get(rule_id, 0)
            SEEN[rule_id] = seen + 1
            if seen < int(rule.get("skip", 0)):
                continue
            times = int(rule.get("times", 1))
            fired = FIRED.get(rule_id, 0)
            if times >= 0 and fired >= times:
                continue
            FIRED[rule_id] = fired + 1
            return rule_id, rule
    return None, None


class Closed(Exception):
    pass


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed()
        self.buffer += data

    def head(self, limit=256 * 1024):
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > limit:
                raise Closed()
            self.fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.append((name.strip(), value.strip()))
        return lines[0], headers

    def exactly(self, count):
        while len(self.buffer) < count:
            self.fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def line(self):
        while b"\r\n" not in self.buffer:
            self.fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def chunked(self):
        body = b""
        while True:
            size = int(self.line().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.line():
                    pass
                return body
            body += self.exactly(size)
            self.line()

    def rest(self):
        data = self.buffer
        self.buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        return data


def header(headers, name):
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def forward(method, target, headers, body):
    """Sends the request upstream on a fresh connection; returns (status line, headers, body)."""
    host, port = CONFIG["upstream"].rsplit(":", 1)
    upstream = socket.create_connection((host, int(port)), timeout=120)
    try:
        lines = ["%s %s HTTP/1.1" % (method, target)]
        for name, value in headers:
            if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                continue
            lines.append("%s: %s" % (name, value))
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: %d" % len(body))
        lines.append("Connection: close")
        upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        reader = Reader(upstream)
        status_line, response_headers = reader.head()
        code = int(status_line.split(" ")[1])
        if method == "HEAD" or code in (204, 304) or 100 <= code < 200:
            response_body = b""
        elif (header(response_headers, "transfer-encoding") or "").lower() == "chunked":
            response_body = reader.chunked()
        elif header(response_headers, "content-length") is not None:
            response_body = reader.exactly(int(header(response_headers, "content-length")))
        else:
            response_body = reader.rest()
        return status_line, response_headers, response_body
    finally:
        upstream.close()


def capture_tokens(headers, body):
    if not CONFIG.get("token_file") or "json" not in (header(headers, "content-type") or ""):
        return
    try:
        document = json.loads(body)
    except ValueError:
        return
    if isinstance(document, dict):
        values = [document[k] for k in TOKEN_KEYS if isinstance(document.get(k), str)]
        if values:
            with LOCK:
                with open(CONFIG["token_file"], "a") as f:
                    f.write("".join(v + "\n" for v in values))


def encode_head(status_line, headers, body_length, method):
    lines = [status_line]
    for name, value in headers:
        if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
            continue
        lines.append("%s: %s" % (name, value))
    if method == "HEAD":
        original = header(headers, "content-length")
        if original is not None:
            lines.append("Content-Length: %s" % original)
    else:
        lines.append("Content-Length: %d" % body_length)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def synthesize(sock, method, target, rule, authorization=None):
    """The scripted answers of a hostile server."""
    if rule.get("echo_auth"):
        # A hostile server quoting back what it was sent, decoded too.
        said = authorization or ""
        try:
            said += " " + base64.b64decode(said.split(" ", 1)[1]).decode("utf-8", "replace")
        except (IndexError, ValueError):
            pass
        rule = dict(rule)
        rule["body"] = json.dumps({"errors": [{"code": "DENIED", "message": "you sent " + said}]})
    if rule.get("redirect_loop"):
        match = re.search(r"[?&]n=(\d+)", target)
        n = int(match.group(1)) + 1 if match else 1
        base = target.split("?")[0]
        payload = b"redirect"
        head = "HTTP/1.1 302 Found\r\nLocation: %s?n=%d\r\nContent-Length: %d\r\n\r\n" % (base, n, len(payload))
        sock.sendall(head.encode() + payload)
        return True
    status = int(rule.get("status", 200))
    headers = [tuple(pair) for pair in rule.get("headers", [])]
    if "body_size" in rule:
        size = int(rule["body_size"])
        chunked = rule.get("chunked", False)
        lines = ["HTTP/1.1 %d Scripted" % status] + ["%s: %s" % h for h in headers]
        if not chunked:
            lines.append("Content-Length: %d" % size)
        lines.append("Connection: close")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            block = b"x" * 65536
            sent = 0
            try:
                while sent < size:
                    piece = block[: min(len(block), size - sent)]
                    sock.sendall(piece)
                    sent += len(piece)
            except OSError:
                pass
        return False
    if "body_b64" in rule:
        body = base64.b64decode(rule["body_b64"])
    else:
        body = rule.get("body", "").encode("utf-8")
    lines = ["HTTP/1.1 %d Scripted" % status] + ["%s: %s" % h for h in headers]
    lines.append("Content-Length: %d" % len(body))
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else body))
    return True


def handle_one(sock, reader):
    """Serves one request; returns False when the connection must end."""
    request_line, headers = reader.head()
    parts = request_line.split(" ")
    if len(parts) < 3:
        return False
    method, target = parts[0], parts[1]
    authorization = header(headers, "authorization")
    entry = {"method": method, "path": target, "host": header(headers, "host"),
             "auth": authorization.split(" ")[0] if authorization else None}
    rule_id, rule = pick_rule(method, target)
    action = rule.get("action") if rule else None
    entry["fault"] = rule_id
    entry["action"] = action
    log(entry)

    length = int(header(headers, "content-length") or 0)
    chunked = (header(headers, "transfer-encoding") or "").lower() == "chunked"
    if action == "reset_request":
        after = int(rule.get("after", length // 2))
        reader.exactly(min(after, length))
        reset(sock)
        return False
    body = reader.chunked() if chunked else reader.exactly(length)
    if action == "stall":
        time.sleep(float(rule.get("seconds", 60)))
        sock.close()
        return False
    if action == "respond" or (CONFIG.get("upstream") is None and rule is None):
        if rule is None:
            rule = {"status": 404, "body": '{"errors":[{"code":"NOT_FOUND","message":"no rule"}]}'}
        return synthesize(sock, method, target, rule, authorization)
    if action == "status" and not rule.get("forward"):
        payload = rule.get("body", '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}').encode()
        extra = "".join("%s: %s\r\n" % tuple(h) for h in rule.get("headers", []))
        code = int(rule.get("status", 503))
        sock.sendall(("HTTP/1.1 %d Injected\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n"
                      % (code, extra, len(payload))).encode() + payload)
        return True
    if action == "corrupt_request" and body:
        index = len(body) // 2
        body = body[:index] + bytes([body[index] ^ 0xFF]) + body[index + 1:]

    try:
        status_line, response_headers, response_body = forward(method, target, headers, body)
    except OSError as error:
        sock.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        sys.stderr.write("upstream failed: %s\n" % error)
        return True
    capture_tokens(response_headers, response_body)

    if action == "status":
        payload = rule.get("body", '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}').encode()
        extra = "".join("%s: %s\r\n" % tuple(h) for h in rule.get("headers", []))
        code = int(rule.get("status", 503))
        sock.sendall(("HTTP/1.1 %d Injected\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n"
                      % (code, extra, len(payload))).encode() + payload)
        return True
    if action == "corrupt" and response_body:
        index = len(response_body) // 2
        response_body = response_body[:index] + bytes([response_body[index] ^ 0xFF]) + response_body[index + 1:]
    head = encode_head(status_line, response_headers, len(response_body), method)
    if action in ("reset_response", "truncate", "stall_body"):
        cut = int(rule.get("after", len(response_body) // 2))
        sock.sendall(head + response_body[:cut])
        if action == "reset_response":
            reset(sock)
        elif action == "stall_body":
            time.sleep(float(rule.get("seconds", 60)))
            sock.close()
        else:
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        return False
    sock.sendall(head + (b"" if method == "HEAD" else response_body))
    return (header(headers, "connection") or "").lower() != "close"


def serve(sock):
    reader = Reader(sock)
    try:
        while handle_one(sock, reader):
            pass
    except (Closed, OSError, ValueError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def accept_loop(listener):
    while True:
        try:
            client, _ = listener.accept()
        except (ssl.SSLError, OSError):
            continue
        threading.Thread(target=serve, args=(client,), daemon=True).start()


def main():
    with open(sys.argv[1]) as f:
        CONFIG.update(json.load(f))
    ports = []
    listeners = []
    for _ in range(int(CONFIG.get("listen", 1))):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        listeners.append(listener)
        ports.append(listener.getsockname()[1])
    if CONFIG.get("cert"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CONFIG["cert"], CONFIG["key"])
        listeners = [context.wrap_socket(listener, server_side=True) for listener in listeners]
    for listener in listeners[1:]:
        threading.Thread(target=accept_loop, args=(listener,), daemon=True).start()
    with open(CONFIG["port_file"] + ".all", "w") as f:
        f.write("\n".join(str(p) for p in ports))
    temporary = CONFIG["port_file"] + ".tmp"
    with open(temporary, "w") as f:
        f.write(str(ports[0]))
    os.rename(temporary, CONFIG["port_file"])
    accept_loop(listeners[0])


if __name__ == "__main__":
    main()
