#!/usr/bin/env python3
"""Loopback stand-ins for cloud token endpoints, written from the providers'
public API documentation, for ko's cloud credential tests.

Usage: cloud_mock_server.py CONFIG.json   (secrets live in the file, never on
the command line). Prints "PORT <n>" once listening on 127.0.0.1, then serves
until killed or until its stdin closes (the test process ended). Every
request is appended as one JSON line to config["log"].

Routes (each enabled by its config section):
  POST /google/token                         OAuth2 token endpoint: jwt-bearer and refresh_token grants
  POST /google/sts/v1/token                  Google STS token exchange (workload identity federation)
  POST /google/iam/.../serviceAccounts/E:generateAccessToken
                                             IAM Credentials impersonation
  GET  /computeMetadata/v1/instance/service-accounts/default/token
                                             GCE metadata server
  POST /azure/<tenant>/oauth2/v2.0/token     Entra ID client credentials (secret or federated assertion)
  POST /oauth2/exchange                      ACR AAD-token-for-refresh-token exchange
  POST /aws-sts/                             STS AssumeRoleWithWebIdentity (query protocol, XML answer)
  POST /ecr-public/                          ECR Public GetAuthorizationToken, SigV4 checked with botocore
  POST /ecr/                                 ECR GetAuthorizationToken for temporary keys (session token checked)
  anything else, when config["proxy"]        forwarded to the proxy target (moto), counted in the log;
                                             ECR expiresAt (moto answers a fixed 2015 date) becomes now+12h
"""
import base64
import datetime
import hashlib
import http.client
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

CONFIG = {}
LOCK = threading.Lock()
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rfc3339(seconds_from_now):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # -- plumbing -----------------------------------------------------------

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def record(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        with LOCK, open(CONFIG["log"], "a") as log:
            log.write(json.dumps(entry) + "\n")

    def send(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def form(self, body):
        return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}

    def base_url(self):
        return "http://" + self.headers.get("Host", "")

    def do_GET(self):
        body = self.read_body()
        self.record(body)
        self.route(body)

    def do_POST(self):
        body = self.read_body()
        self.record(body)
        self.route(body)

    def route(self, body):
        path = self.path.split("?")[0]
        try:
            if path == "/google/token" and "google" in CONFIG:
                return self.google_token(body)
            if path == "/google/sts/v1/token" and "google" in CONFIG:
                return self.google_sts(body)
            if path.startswith("/google/iam/") and path.endswith(":generateAccessToken") and "google" in CONFIG:
                return self.google_impersonate(body, path)
            if path == "/computeMetadata/v1/instance/service-accounts/default/token" and "google" in CONFIG:
                return self.google_metadata()
            if path.startswith("/azure/") and path.endswith("/oauth2/v2.0/token") and "azure" in CONFIG:
                return self.azure_token(body, path)
            if path == "/oauth2/exchange" and "azure" in CONFIG:
                return self.acr_exchange(body)
            if path == "/aws-sts/" and "aws_sts" in CONFIG:
                return self.aws_sts(body)
            if path == "/ecr-public/" and "ecr_public" in CONFIG:
                return self.ecr(body, CONFIG["ecr_public"], public=True)
            if path == "/ecr/" and "ecr" in CONFIG:
                return self.ecr(body, CONFIG["ecr"], public=False)
            if "proxy" in CONFIG:
                return self.forward(body)
            self.send(404, {"error": "not_found", "error_description": "no route for " + path})
        except Exception as error:  # a broken mock must say why, not hang the client
            self.send(500, {"error": "mock_failure", "error_description": repr(error)})

    # -- Google ---------------------------------------------------------------

    def google_token(self, body):
        google = CONFIG["google"]
        fields = self.form(body)
        grant = fields.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            problem = self.check_assertion(fields.get("assertion", ""), google["service_account"])
            if problem:
                return self.send(400, {"error": "invalid_grant", "error_description": problem})
            return self.send(200, {"access_token": google["service_account"]["access_token"],
                                   "expires_in": 3599, "token_type": "Bearer"})
        if grant == "refresh_token":
            user = google["authorized_user"]
            if fields.get("client_id") != user["client_id"] or fields.get("client_secret") != user["client_secret"]:
                return self.send(401, {"error": "invalid_client", "error_description": "Unauthorized"})
            if fields.get("refresh_token") != user["refresh_token"]:
                return self.send(400, {"error": "invalid_grant", "error_description": "Bad Request"})
            return self.send(200, {"access_token": user["access_token"], "expires_in": 3599,
                                   "token_type": "Bearer", "scope": CLOUD_PLATFORM})
        self.send(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: " + str(grant)})

    def check_assertion(self, assertion, account):
        parts = assertion.split(".")
        if len(parts) != 3:
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return "Invalid JWT header"
        with tempfile.TemporaryDirectory() as scratch:
            data, signature = os.path.join(scratch, "data"), os.path.join(scratch, "sig")
            with open(data, "wb") as f:
                f.write((parts[0] + "." + parts[1]).encode())
            with open(signature, "wb") as f:
                f.write(b64url_decode(parts[2]))
            verified = subprocess.run(["openssl", "dgst", "-sha256", "-verify", account["public_key_path"],
                                       "-signature", signature, data], capture_output=True)
        if verified.returncode != 0:
            return "Invalid JWT Signature."
        now = time.time()
        if claims.get("iss") != account["client_email"]:
            return "Invalid JWT: iss is not the service account"
        if claims.get("aud") != self.base_url() + "/google/token":
            return "Invalid JWT: aud is not this token endpoint"
        if claims.get("scope") != CLOUD_PLATFORM:
            return "Invalid JWT: scope"
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if abs(iat - now) > 300 or exp - iat != 3600:
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
        return None

    def google_sts(self, body):
        sts = CONFIG["google"]["sts"]
        fields = self.form(body)
        expected = {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "audience": sts["audience"],
            "scope": CLOUD_PLATFORM,
            "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "subject_token_type": sts["subject_token_type"],
        }
        for name, value in expected.items():
            if fields.get(name) != value:
                return self.send(400, {"error": "invalid_request", "error_description": "Invalid value for " + name})
        if fields.get("subject_token") != sts["subject_token"]:
            return self.send(400, {"error": "invalid_grant",
                                   "error_description": "The given ID Token is not valid for this audience."})
        self.send(200, {"access_token": sts["access_token"], "expires_in": 3600, "token_type": "Bearer",
                        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"})

    def google_impersonate(self, body, path):
        impersonation = CONFIG["google"]["impersonation"]
        if self.headers.get("Authorization") != "Bearer " + impersonation["source_token"]:
            return self.send(401, {"error": {"code": 401, "status": "UNAUTHENTICATED",
                                             "message": "Request had invalid authentication credentials."}})
        if ("/serviceAccounts/" + impersonation["email"] + ":") not in path:
            return self.send(403, {"error": {"code": 403, "status": "PERMISSION_DENIED",
                                             "message": "Permission 'iam.serviceAccounts.getAccessToken' denied"}})
        request = json.loads(body or b"{}")
        if CLOUD_PLATFORM not in request.get("scope", []):
            return self.send(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "scope"}})
        lifetime = int(str(request.get("lifetime", "3600s")).rstrip("s"))
        self.send(200, {"accessToken": impersonation["access_token"], "expireTime": rfc3339(lifetime)})

    def google_metadata(self):
        if self.headers.get("Metadata-Flavor") != "Google":
            return self.send(403, b"Missing Metadata-Flavor:Google header.", "text/html")
        self.send(200, {"access_token": CONFIG["google"]["metadata"]["access_token"], "expires_in": 3599,
                        "token_type": "Bearer"})

    # -- Azure ----------------------------------------------------------------

    def azure_token(self, body, path):
        azure = CONFIG["azure"]
        fields = self.form(body)
        tenant = path.split("/")[2]
        if tenant != azure["tenant"]:
            return self.send(400, {"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant not found."})
        if fields.get("grant_type") != "client_credentials" or fields.get("client_id") != azure["client_id"]:
            return self.send(400, {"error": "unauthorized_client",
                                   "error_description": "AADSTS700016: Application not found in the directory."})
        if fields.get("scope") != azure["scope"]:
            return self.send(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: bad scope."})
        if "client_secret" in fields:
            if fields["client_secret"] != azure.get("client_secret"):
                return self.send(401, {"error": "invalid_client", "error_codes": [7000215],
                                       "error_description": "AADSTS7000215: Invalid client secret provided.\r\n"
                                                            "Trace ID: 0000\r\nCorrelation ID: 1111"})
        elif fields.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            if fields.get("client_assertion") != azure.get("client_assertion"):
                return self.send(401, {"error": "invalid_client",
                                       "error_description": "AADSTS700024: Client assertion is not valid."})
        else:
            return self.send(400, {"error": "invalid_request", "error_description": "AADSTS7000218: no credential"})
        self.send(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                        "access_token": azure["access_token"]})

    def acr_exchange(self, body):
        azure = CONFIG["azure"]
        fields = self.form(body)
        if (fields.get("grant_type") != "access_token" or fields.get("service") != azure["registry"]
                or fields.get("tenant") != azure["tenant"] or fields.get("access_token") != azure["access_token"]):
            return self.send(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})
        claims = {"jti": "mock", "sub": azure["client_id"], "exp": int(time.time()) + 3 * 3600,
                  "iat": int(time.time()), "iss": "Azure Container Registry", "aud": azure["registry"],
                  "grant_type": "refresh_token", "tenant": azure["tenant"]}
        encode = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
        refresh = encode({"alg": "RS256", "typ": "JWT"}) + "." + encode(claims) + ".c2lnbmF0dXJl"
        self.send(200, {"refresh_token": refresh})

    # -- AWS ------------------------------------------------------------------

    def aws_sts(self, body):
        sts = CONFIG["aws_sts"]
        fields = self.form(body)
        if "Authorization" in self.headers:
            return self.aws_error(400, "InvalidParameterValue", "AssumeRoleWithWebIdentity must not be signed")
        if fields.get("Action") != "AssumeRoleWithWebIdentity" or fields.get("Version") != "2011-06-15":
            return self.aws_error(400, "InvalidAction", "Could not find operation " + str(fields.get("Action")))
        if fields.get("RoleArn") != sts["role_arn"] or not fields.get("RoleSessionName"):
            return self.aws_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        if fields.get("WebIdentityToken") != sts["web_identity_token"]:
            return self.aws_error(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your "
                                  "identity provider, please reference AssumeRoleWithWebIdentity documentation")
        expiration = rfc3339(3600)[:19] + "Z"
        xml = ("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<AssumeRoleWithWebIdentityResult><Credentials>"
               "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
               "<SessionToken>%s</SessionToken><Expiration>%s</Expiration>"
               "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
               % (sts["access_key_id"], sts["secret_access_key"], sts["session_token"], expiration))
        self.send(200, xml.encode(), "text/xml")

    def aws_error(self, status, code, message):
        xml = ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
               "<RequestId>mock</RequestId></ErrorResponse>" % (code, message))
        self.send(status, xml.encode(), "text/xml")

    def ecr(self, body, account, public):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        if public:
            target, service, region = "SpencerFrontendService.GetAuthorizationToken", "ecr-public", "us-east-1"
        else:
            target = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
            service, region = "ecr", account["region"]
        if self.headers.get("X-Amz-Target") != target:
            return self.send(400, {"__type": "UnknownOperationException", "message": "target"})
        authorization = self.headers.get("Authorization", "")
        try:
            credential = authorization.split("Credential=")[1].split(",")[0]
            signed_names = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
            given = authorization.split("Signature=")[1].strip()
        except IndexError:
            return self.send(403, {"__type": "MissingAuthenticationTokenException", "message": "Missing auth"})
        key_id, _, scope_region, scope_service, _ = credential.split("/")
        session_token = account.get("session_token")
        if key_id != account["access_key_id"] or (
                session_token and (self.headers.get("X-Amz-Security-Token") != session_token
                                   or "x-amz-security-token" not in signed_names)):
            return self.send(403, {"__type": "UnrecognizedClientException",
                                   "message": "The security token included in the request is invalid."})
        headers = {name: self.headers.get(name, "") for name in signed_names}
        request = AWSRequest(method=self.command, url=self.base_url() + self.path, data=body, headers=headers)
        request.context["timestamp"] = self.headers.get("X-Amz-Date", "")
        auth = SigV4Auth(Credentials(key_id, account["secret_access_key"]), service, region)
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        if (scope_region, scope_service) != (region, service) or expected != given:
            return self.send(403, {"__type": "InvalidSignatureException",
                                   "message": "The request signature we calculated does not match the "
                                              "signature you provided."})
        token = base64.b64encode(("AWS:" + account["password"]).encode()).decode()
        data = {"authorizationToken": token, "expiresAt": time.time() + 43200}
        if not public:
            data = [dict(data, proxyEndpoint="https://%s.dkr.ecr.%s.amazonaws.com" % (account["account"], region))]
        self.send(200, {"authorizationData": data}, "application/x-amz-json-1.1")

    def forward(self, body):
        target = urllib.parse.urlsplit(CONFIG["proxy"]["target"])
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        content_type = response.getheader("Content-Type", "application/octet-stream")
        if response.status == 200 and b"authorizationData" in data:
            answer = json.loads(data)
            for entry in answer.get("authorizationData", []):
                entry["expiresAt"] = time.time() + 43200
            data = json.dumps(answer).encode()
        self.send(response.status, data, content_type)


def main():
    global CONFIG
    with open(sys.argv[1]) as f:
        CONFIG = json.load(f)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The test process holds our stdin open; when it ends, so do we.
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
