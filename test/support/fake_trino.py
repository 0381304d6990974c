"""A minimal Trino coordinator for the Python suites: answers every statement with one finished row
(10 x the statement's number), over HTTP or verified HTTPS, and records what each request carried."""
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class FakeCoordinator:
    def __init__(self, tls_dir=None):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                seen.append({"path": self.path, "sql": body, "user": self.headers.get("X-Trino-User"),
                             "catalog": self.headers.get("X-Trino-Catalog"), "schema": self.headers.get("X-Trino-Schema"),
                             "authorization": self.headers.get("Authorization")})
                reply = json.dumps({"id": f"q{len(seen)}", "infoUri": "http://localhost/ui", "stats": {"state": "FINISHED"},
                                    "columns": [{"name": "n", "type": "bigint", "typeSignature": {"rawType": "bigint", "arguments": []}}],
                                    "data": [[len(seen) * 10]]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        if tls_dir:
            # A self-signed certificate for 127.0.0.1; clients verify it through REQUESTS_CA_BUNDLE=<tls_dir>/cert.pem.
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(tls_dir / "key.pem"), "-out", str(tls_dir / "cert.pem")],
                           check=True, capture_output=True)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_dir / "cert.pem", tls_dir / "key.pem")
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
