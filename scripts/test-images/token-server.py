#!/usr/bin/env python3
"""A tiny Docker registry token server for bosun's tests (standard library + the openssl CLI).

It implements the token endpoint of the Docker registry token authentication
protocol, as the CNCF distribution registry (2.8) expects it when configured
with `auth.token`:

  GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...]   (Basic auth optional)
  POST /token  grant_type=password&username=U&password=P&service=S&scope=...  (OAuth2 form)

Valid credentials get every action they ask for; anonymous requests get a token
with no access (so the registry answers 401/403 to them); wrong credentials get
401 from here. Tokens are RS256 JWTs signed by `openssl dgst -sha256 -sign`,
with the signing certificate in the `x5c` header (it is also the registry's
rootcertbundle). Loopback only; for tests, not for production.
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pem_to_der_b64(pem: str) -> str:
    body = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
    return body  # standard base64 of the DER, as x5c requires


class Issuer:
    def __init__(self, key: str, cert: str, issuer: str, ttl: int):
        self.key = key
        self.x5c = [pem_to_der_b64(open(cert).read())]
        self.issuer = issuer
        self.ttl = ttl

    def sign(self, payload: bytes) -> bytes:
        res = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.key],
            input=payload,
            capture_output=True,
            check=True,
        )
        return res.stdout

    def token(self, subject: str, service: str, access: list[dict]) -> tuple[str, int, str]:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": service,
            "exp": now + self.ttl,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        sig = self.sign(signing_input.encode())
        issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        return signing_input + "." + b64url(sig), self.ttl, issued


def parse_scopes(scopes: list[str]) -> list[dict]:
    out = []
    for scope in scopes:
        for s in scope.split(" "):
            parts = s.split(":")
            if len(parts) < 3:
                continue
            # the name may itself contain ':' (e.g. a registry host with port)
            typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            out.append({"type": typ, "name": name, "actions": [a for a in actions.split(",") if a]})
    return out


class Handler(BaseHTTPRequestHandler):
    server_version = "bosun-test-token-server/1"
    issuer: Issuer
    users: dict[str, str]

    def log_message(self, fmt, *args):  # keep the log short and on stderr
        sys.stderr.write("token-server: " + (fmt % args) + "\n")

    def reply(self, code: int, obj: dict, extra: dict | None = None) -> None:
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def basic_auth(self) -> tuple[str | None, str | None]:
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None, None
        try:
            user, _, pw = base64.b64decode(h[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        return user, pw

    def grant(self, user: str | None, pw: str | None, service: str, scopes: list[str]) -> None:
        if user is not None and self.users.get(user) != pw:
            self.reply(
                401,
                {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username or password"}]},
                {"WWW-Authenticate": 'Basic realm="bosun-test-token-server"'},
            )
            return
        requested = parse_scopes(scopes)
        access = requested if user is not None else []
        token, ttl, issued = self.issuer.token(user or "", service, access)
        self.reply(200, {"token": token, "access_token": token, "expires_in": ttl, "issued_at": issued})

    def do_GET(self):  # noqa: N802 (http.server API)
        u = urlparse(self.path)
        if u.path == "/healthz":
            self.reply(200, {"ok": True})
            return
        if u.path != "/token":
            self.reply(404, {"error": "not found"})
            return
        q = parse_qs(u.query)
        user, pw = self.basic_auth()
        self.grant(user, pw, q.get("service", [""])[0], q.get("scope", []))

    def do_POST(self):  # noqa: N802
        u = urlparse(self.path)
        if u.path != "/token":
            self.reply(404, {"error": "not found"})
            return
        n = int(self.headers.get("Content-Length", "0") or 0)
        if n > 65536:
            self.reply(413, {"error": "request too large"})
            return
        form = parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        user, pw = self.basic_auth()
        if form.get("grant_type", [""])[0] == "password":
            user, pw = form.get("username", [""])[0], form.get("password", [""])[0]
        elif form.get("grant_type", [""])[0] == "refresh_token":
            self.reply(400, {"error": "unsupported_grant_type"})
            return
        self.grant(user, pw, form.get("service", [""])[0], form.get("scope", []))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:5003")
    ap.add_argument("--key", required=True, help="PEM private key that signs tokens")
    ap.add_argument("--cert", required=True, help="PEM certificate of that key (the registry's rootcertbundle)")
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--user", action="append", default=[], help="USER:PASSWORD (repeatable)")
    ap.add_argument("--ttl", type=int, default=300)
    a = ap.parse_args()
    host, _, port = a.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("token server: refusing to listen on a non-loopback address")
    Handler.issuer = Issuer(a.key, a.cert, a.issuer, a.ttl)
    Handler.users = dict(u.split(":", 1) for u in a.user)
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    sys.stderr.write(f"token-server: listening on {a.listen}\n")
    srv.serve_forever()


if __name__ == "__main__":
    main()
