"""The outbox tests' loopback inbox: real HTTP on 127.0.0.x, noting what it received and over which connections;
and the same behind TLS, with a certificate of a test authority."""

import datetime
import http.server
import ipaddress
import ssl
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.loopback_http import drip, serve_thread
from tests.nodes import free_loopback_address


class Inbox(http.server.ThreadingHTTPServer):
    """Answers a GET with an actor, each POST with the status its path asks for (/status/503/inbox); /cavage-only refuses RFC 9421.
    Servers as they are met: /closes-after closes the connection after its answer without saying so; /drops-second
    reads a connection's second request and closes it unanswered; /long answers 100,000 bytes, /chunked in chunks;
    /not-http answers what is no HTTP; /drips answers a byte at a time."""

    def __init__(self, tls: Callable[[str], ssl.SSLContext] | None = None):
        """tls: the server's TLS context for the address the inbox listens on (none: plain HTTP)."""
        self.requests: list[tuple[str, dict]] = []
        self.connections: set[tuple[str, int]] = set()  # the client address of each connection
        host, port = free_loopback_address()
        super().__init__((host, port), _Handler)
        if tls is not None:
            self.socket = tls(host).wrap_socket(self.socket, server_side=True)
        self.host, self.port = host, port
        self.base = f"{'https' if tls else 'http'}://{host}:{port}"
        serve_thread(self).start()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        """Any GET: an actor document (the TLS tests fetch one where they deliver)."""
        body = b'{"id": "https://inbox.example/actor", "type": "Person"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/activity+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.path, dict(self.headers)))
        self.server.connections.add(self.client_address)
        self.answered = getattr(self, "answered", 0) + 1
        if self.path.startswith("/drops-second") and self.answered == 2:
            self.close_connection = True
            return
        if self.path.startswith("/drips"):
            self._drip()
            return
        if self.path.startswith(("/long", "/chunked", "/not-http")):
            self._answer_odd()
            return
        if self.path.startswith("/status/"):
            status = int(self.path.split("/")[2])
        elif self.path.startswith("/cavage-only"):
            status = 202 if "Signature-Input" not in self.headers else 401
        else:
            status = 202
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if self.path.startswith("/closes-after"):
            self.close_connection = True

    def _drip(self):
        """A byte of a header every tenth of a second, for at most ten seconds: each read is quick, the answer never
        ends."""
        self.close_connection = True
        drip(self.wfile, b"HTTP/1.1 202 Accepted\r\nX-Drip: ")

    def _answer_odd(self):
        if self.path.startswith("/not-http"):
            self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
            self.close_connection = True
            return
        self.send_response(202)
        if self.path.startswith("/long"):
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 100000)
        else:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n0\r\n\r\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def inbox():
    server = Inbox()
    yield server
    server.shutdown()
    server.server_close()


class TestAuthority:
    """A certificate authority of the test, and certificates it signs for loopback addresses."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fediverse-node test authority")])
        self.certificate = (
            self._builder(name, name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                              key_encipherment=False, data_encipherment=False, key_agreement=False,
                              encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @staticmethod
    def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(hours=1))
        )

    def server_context(self, tmp_path, address: str) -> ssl.SSLContext:
        """A TLS server context whose certificate names `address` (an IP address) only."""
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (
            self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)]), self.certificate.subject,
                          key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        chain = tmp_path / f"{address}.pem"
        chain.write_bytes(
            leaf.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        return context


@pytest.fixture(scope="session")
def test_authority() -> TestAuthority:
    return TestAuthority()
