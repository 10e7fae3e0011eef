"""Message signatures: an RSA key and self-signed certificate made once per data directory (kept in
storage), SHA1withRSA for SignatureVersion 1 and SHA256withRSA for 2, base64 as AWS sends them.

Subscribers verify with the certificate at SigningCertURL, which millpond serves (messages.CERT_PATH).
"""

from __future__ import annotations

import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from millpond.services.sns.repository import SnsRepository

KEY, CERT = "signing-key", "signing-cert"


def _new_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com.millpond")])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * 30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


class Signer:
    def __init__(self, repository: SnsRepository) -> None:
        self.repository = repository
        self._key: rsa.RSAPrivateKey | None = None
        self.certificate_pem = ""

    async def load(self) -> None:
        """The stored pair, or a new one stored (the first writer wins if two start at once)."""
        key_pem, cert_pem = self.repository.get_value(KEY), self.repository.get_value(CERT)
        if key_pem is None or cert_pem is None:
            fresh_key, fresh_cert = _new_pair()
            key_pem = await self.repository.put_value(KEY, fresh_key)
            cert_pem = await self.repository.put_value(
                CERT, fresh_cert if key_pem == fresh_key else cert_pem or ""
            )
        loaded = serialization.load_pem_private_key(key_pem.encode(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        self._key = loaded
        self.certificate_pem = cert_pem

    def sign(self, text: str, version: str = "1") -> str:
        if self._key is None:
            raise RuntimeError("the signer has not been loaded")
        digest = hashes.SHA256() if version == "2" else hashes.SHA1()
        return base64.b64encode(self._key.sign(text.encode(), padding.PKCS1v15(), digest)).decode()
