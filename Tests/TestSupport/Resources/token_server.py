#!/usr/bin/env python3
"""A registry token server for tests (distribution token authentication).

Usage: token_server.py CONFIG.json

CONFIG (a file, so that the password never appears on a command line):
  issuer, service       the JWT "iss" and "aud" the registry expects
  key, cert             PEM private key and self-signed certificate (the
                        registry's rootcertbundle); tokens carry the cert in x5c
  username, password    the one account; anything else is refused
  expires_in            token lifetime in seconds
  port_file             where the bound port is written (the server binds port 0)
  log_file              one JSON line per token request, for tests to count

GET  /token?service=S&scope=repository:NAME:ACTIONS[&scope=...][&offline_token=true]
     with optional Basic auth: the Docker token flow. Anonymous requests get a
     token with no access. offline_token=true adds a refresh_token.
POST /token (form): grant_type=password (username, password, access_type=offline)
     or grant_type=refresh_token (refresh_token); scope is space-separated.
"""
import base64
import datetime
import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse

CONFIG = {}
REFRESH_TOKENS = {}
LOCK = threading.Lock()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def certificate_der_b64(path):
    with open(path) as f:
        pem = f.read()
    body = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return "".join(body.split())


def sign_jwt(subject, access):
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [certificate_der_b64(CONFIG["cert"])]}
    claims = {
        "iss": CONFIG["issuer"],
        "sub": subject,
        "aud": CONFIG["service"],
        "exp": now + int(CONFIG["expires_in"]),
        "nbf": now - 10,
        "iat": now,
        "jti": secrets.token_hex(16),
        "access": access,
    }
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    signature = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", CONFIG["key"]],
        input=signing_input, stdout=subprocess.PIPE, check=True,
    ).stdout
    return signing_input.decode() + "." + b64url(signature)


def parse_scopes(values):
    access = []
    for value in values:
        for scope in value.split(" "):
            parts = scope.split(":")
            if len(parts) < 3 or parts[0] != "repository":
                continue
            name = ":".join(parts[1:-1])
            actions = [a for a in parts[-1].split(",") if a]
            access.append({"type": "repository", "name": name, "actions": actions})
    return access


def record(entry):
    with LOCK:
        with open(CONFIG["log_file"], "a") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, urllib.parse.urlsplit(self.path).path))

    def _reply(self, code, payload, extra=None):
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or []):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self, entry, message):
        entry["status"] = 401
        record(entry)
        self._reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": message}]},
                    [("WWW-Authenticate", 'Basic realm="token"')])

    def _basic_user(self):
        header = self.headers.get("Authorization")
        if not header:
            return None, False
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None, True
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except Exception:
            return None, True
        if user == CONFIG["username"] and password == CONFIG["password"]:
            return user, False
        return None, True

    def _grant(self, entry, user, scopes, offline, oauth):
        access = parse_scopes(scopes) if user else []
        token = sign_jwt(user or "", access)
        answer = {"expires_in": int(CONFIG["expires_in"]),
                  "issued_at": datetime.datetime.now(datetime.timezone.utc).isoformat()}
        if oauth:
            answer["access_token"] = token
            answer["scope"] = " ".join(scopes)
        else:
            answer["token"] = token
        if offline and user:
            refresh = secrets.token_urlsafe(24)
            with LOCK:
                REFRESH_TOKENS[refresh] = user
            answer["refresh_token"] = refresh
        entry.update(status=200, account=user, access=access)
        record(entry)
        self._reply(200, answer)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self._reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        query = urllib.parse.parse_qs(url.query)
        scopes = query.get("scope", [])
        entry = {"method": "GET", "grant_type": None, "scopes": scopes,
                 "service": (query.get("service") or [None])[0],
                 "authenticated": self.headers.get("Authorization") is not None}
        if entry["service"] not in (None, CONFIG["service"]):
            entry["status"] = 400
            record(entry)
            self._reply(400, {"errors": [{"code": "DENIED", "message": "unknown service"}]})
            return
        user, refused = self._basic_user()
        if refused:
            self._refuse(entry, "invalid username or password")
            return
        offline = (query.get("offline_token") or ["false"])[0] == "true"
        self._grant(entry, user, scopes, offline, oauth=False)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if url.path != "/token":
            self._reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        grant = (form.get("grant_type") or [""])[0]
        scopes = (form.get("scope") or [""])[0].split()
        entry = {"method": "POST", "grant_type": grant, "scopes": scopes,
                 "service": (form.get("service") or [None])[0],
                 "client_id": (form.get("client_id") or [None])[0], "authenticated": True}
        if grant == "password":
            user = (form.get("username") or [""])[0]
            password = (form.get("password") or [""])[0]
            if user != CONFIG["username"] or password != CONFIG["password"]:
                self._refuse(entry, "invalid username or password")
                return
            offline = (form.get("access_type") or [""])[0] == "offline"
            self._grant(entry, user, scopes, offline, oauth=True)
        elif grant == "refresh_token":
            with LOCK:
                user = REFRESH_TOKENS.get((form.get("refresh_token") or [""])[0])
            if not user:
                self._refuse(entry, "invalid refresh token")
                return
            self._grant(entry, user, scopes, False, oauth=True)
        else:
            entry["status"] = 400
            record(entry)
            self._reply(400, {"errors": [{"code": "UNSUPPORTED", "message": "unsupported grant_type"}]})


def main():
    with open(sys.argv[1]) as f:
        CONFIG.update(json.load(f))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file = CONFIG["port_file"]
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
