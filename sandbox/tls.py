"""The sandbox's own TLS certificate: self-signed, made on first start, kept for the next.

7digital's Node client (npm ``7digital-api``) sends its unsigned calls over http and its
signed calls over https to the same host and port, so ``runsandbox`` answers both on
one port (sandbox/server.py) with this certificate. It names localhost, 127.0.0.1 and
::1 (and the host the sandbox is told to listen on or is addressed by); clients trust it
by its file, e.g. ``NODE_EXTRA_CA_CERTS=<cert.pem>`` for Node or ``verify=<cert.pem>``
for requests.

It lives in ``.sandbox-tls/`` beside the sandbox's SQLite database (the project folder
for ``make run``; any folder for a database elsewhere), a folder that carries its own
``.gitignore`` so that the key is never committed. A certificate that has expired or
will within a month, or that lacks a name asked for, is made anew.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DIRECTORY_NAME = ".sandbox-tls"
CERTIFICATE_FILE = "cert.pem"
KEY_FILE = "key.pem"
DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")
# Some clients (Apple's, Chromium's) refuse a server certificate valid for longer.
VALIDITY = timedelta(days=397)
RENEW_BEFORE = timedelta(days=30)
WILDCARD_HOSTS = {"", "0.0.0.0", "::", "*"}  # noqa: S104 - names, not a binding


@dataclass(frozen=True)
class Certificate:
    certificate_path: Path
    key_path: Path
    created: bool  # made on this start, rather than found from an earlier one

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate_path, self.key_path)
        context.set_alpn_protocols(["http/1.1"])  # no HTTP/2 here
        return context


def default_directory(database_settings: dict, base_dir: Path) -> Path:
    """``.sandbox-tls/`` beside the sandbox's SQLite database file, else in base_dir."""
    name = str(database_settings.get("NAME") or "")
    file_database = (
        "sqlite" in database_settings.get("ENGINE", "")
        and name
        and name != ":memory:"
        and not name.startswith("file:")
    )
    folder = Path(name).resolve().parent if file_database else base_dir
    return folder / DIRECTORY_NAME


def names_for(*hosts: str | None) -> tuple[str, ...]:
    """localhost, 127.0.0.1, ::1 and any other specific host given, once each."""
    names = list(DEFAULT_NAMES)
    for host in hosts:
        host = (host or "").strip("[]").lower()
        if host not in WILDCARD_HOSTS and host not in names:
            names.append(host)
    return tuple(names)


def _subject_names(names: tuple[str, ...]) -> list[x509.GeneralName]:
    general: list[x509.GeneralName] = []
    for name in names:
        try:
            general.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            general.append(x509.DNSName(name))
    return general


def _still_good(
    certificate_path: Path, key_path: Path, names: tuple[str, ...], now: datetime
) -> bool:
    """Whether the pair on disk matches, names every host asked for, and has time left."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        covered = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound):
        return False
    if certificate.public_key() != key.public_key():  # a start stopped between the two
        return False
    if certificate.not_valid_after_utc - RENEW_BEFORE < now:
        return False
    return all(name in covered for name in _subject_names(names))


def _write(path: Path, data: bytes, mode: int) -> None:
    """Whole or not at all: another start reading meanwhile sees the old file or the new."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(partial, path)


def _make(directory: Path, names: tuple[str, ...], now: datetime) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "7digital sandbox")])
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(_subject_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=True,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# made by manage.py runsandbox: a private key, never committed\n*\n")
    _write(
        directory / KEY_FILE,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        0o600,
    )
    _write(
        directory / CERTIFICATE_FILE, certificate.public_bytes(serialization.Encoding.PEM), 0o644
    )


def ensure_certificate(
    directory: Path, names: tuple[str, ...] = DEFAULT_NAMES, *, now: datetime | None = None
) -> Certificate:
    """The certificate in ``directory``, made first if missing, expiring or too narrow.

    Raises OSError when the folder cannot be written."""
    now = now or datetime.now(UTC)
    certificate_path = directory / CERTIFICATE_FILE
    key_path = directory / KEY_FILE
    created = not _still_good(certificate_path, key_path, names, now)
    if created:
        _make(directory, names, now)
    return Certificate(certificate_path.resolve(), key_path.resolve(), created)
