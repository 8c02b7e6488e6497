#!/usr/bin/env python3
"""Live cross-check of SPDMCrypto's ML-DSA / ML-KEM against Python `cryptography` (OpenSSL 3.5+),
run by PQCCrossCheckTests with a directory the test wrote:

    <alg>.key.der   our PKCS#8 (seed form)          <alg>.spki.der  our SubjectPublicKeyInfo
    mldsa*.msg / .ctx / .sig   an SPDM-style message, its signing context and our signature
    mlkem*.ct / .ss            our encapsulation to the key of <alg>.key.der
    mldsa*.chain.der           our root || intermediate || leaf certificate chain

Checks that Python reads our keys to the same public keys, verifies our signatures and chain,
decapsulates our ciphertexts to our secrets; then encapsulates to our keys itself and writes
<alg>.py.ct / <alg>.py.ss for the test to decapsulate. Prints one "ok" line per check.
"""
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem

DIR = sys.argv[1]
DER, SPKI = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo


def read(name):
    with open(os.path.join(DIR, name), "rb") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(DIR, name), "wb") as f:
        f.write(data)


def split_chain(blob):
    certificates, offset = [], 0
    while offset < len(blob):
        length = blob[offset + 1]
        header = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(blob[offset + 2:offset + 2 + count], "big")
            header += count
        certificates.append(x509.load_der_x509_certificate(blob[offset:offset + header + length]))
        offset += header + length
    return certificates


for name, key_type in (("mldsa65", mldsa.MLDSA65PrivateKey), ("mldsa87", mldsa.MLDSA87PrivateKey)):
    key = serialization.load_der_private_key(read(name + ".key.der"), password=None)
    assert isinstance(key, key_type), type(key)
    assert key.public_key().public_bytes(DER, SPKI) == read(name + ".spki.der"), "public key differs"
    public = serialization.load_der_public_key(read(name + ".spki.der"))
    public.verify(read(name + ".sig"), read(name + ".msg"), read(name + ".ctx"))
    print(f"ok {name}: PKCS#8 and SPKI read, SPDM signature verified")
    root, inter, leaf = split_chain(read(name + ".chain.der"))
    for issuer, subject in ((root, root), (root, inter), (inter, leaf)):
        assert subject.issuer == issuer.subject
        issuer.public_key().verify(subject.signature, subject.tbs_certificate_bytes)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert leaf.public_key().public_bytes(DER, SPKI) == read(name + ".leaf.spki.der")
    print(f"ok {name}: certificate chain signatures verified")

for name, key_type in (("mlkem768", mlkem.MLKEM768PrivateKey), ("mlkem1024", mlkem.MLKEM1024PrivateKey)):
    key = serialization.load_der_private_key(read(name + ".key.der"), password=None)
    assert isinstance(key, key_type), type(key)
    assert key.public_key().public_bytes(DER, SPKI) == read(name + ".spki.der"), "public key differs"
    assert key.decapsulate(read(name + ".ct")) == read(name + ".ss"), "decapsulated secret differs"
    secret, ciphertext = serialization.load_der_public_key(read(name + ".spki.der")).encapsulate()
    write(name + ".py.ct", ciphertext)
    write(name + ".py.ss", secret)
    print(f"ok {name}: PKCS#8 and SPKI read, our ciphertext decapsulated, encapsulated to our key")
