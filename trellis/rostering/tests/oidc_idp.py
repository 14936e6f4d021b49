"""A small OpenID Connect identity provider for the SSO tests, served on loopback.

Discovery document, JWKS, an authorization endpoint that redirects back with a code (for
whoever ``idp.next_claims`` says is signing in), a token endpoint that checks the client and
the PKCE verifier and issues an RS256 ID token signed with a key made for the test run
(``cryptography`` + PyJWT), and a userinfo endpoint.
"""

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.httpserver import serve


class LocalIdP:
    def __init__(self, client_id="trellis-client", client_secret="trellis-secret"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.base = ""
        self.next_claims: dict = {}
        self.codes: dict = {}
        self.tokens: dict = {}
        self.requests: list = []
        self.lock = threading.Lock()

    # What the endpoints answer -------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.base,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "userinfo_endpoint": f"{self.base}/userinfo",
            "jwks_uri": f"{self.base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def authorize(self, query: dict) -> str:
        """The redirect back to the relying party, with a one-time code."""
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            raise ValueError("bad authorization request")
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {
                "claims": dict(self.next_claims),
                "redirect_uri": query["redirect_uri"],
                "nonce": query.get("nonce"),
                "challenge": query.get("code_challenge"),
            }
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def token(self, form: dict, auth_header: str) -> tuple[int, dict]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if auth_header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth_header[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != grant["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {"iss": self.base, "aud": self.client_id, "iat": now, "exp": now + 300, **grant["claims"]}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        access = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[access] = grant["claims"]
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, auth_header: str) -> tuple[int, dict]:
        token = auth_header.removeprefix("Bearer ").strip()
        claims = self.tokens.get(token)
        return (200, claims) if claims is not None else (401, {"error": "invalid_token"})

    # The HTTP server -------------------------------------------------------------------------------

    def handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status, body=None, location=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                idp.requests.append(("GET", parts.path))
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._send(200, idp.discovery())
                elif parts.path == "/jwks":
                    self._send(200, idp.jwks())
                elif parts.path == "/authorize":
                    self._send(302, location=idp.authorize(query))
                elif parts.path == "/userinfo":
                    self._send(*idp.userinfo(self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                parts = urlsplit(self.path)
                idp.requests.append(("POST", parts.path))
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if parts.path == "/token":
                    self._send(*idp.token(form, self.headers.get("Authorization", "")))
                else:
                    self._send(404, {"error": "not_found"})

            def log_message(self, *args):
                pass

        return Handler

    @contextlib.contextmanager
    def running(self):
        with serve(self.handler()) as base:
            self.base = base
            yield self
