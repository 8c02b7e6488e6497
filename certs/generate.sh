#!/usr/bin/env bash
# Generates SPDM certificate chains (root -> intermediate -> leaf) for every SPDM signature
# algorithm, laid out like libspdm's unit_test/sample_key so that DMTF's spdm_requester_emu /
# spdm_responder_emu can run with OUTDIR as their working directory and trust our roots.
#
# usage: certs/generate.sh [--force] [OUTDIR]        (OUTDIR defaults to ./certs/out)
#
# Per algorithm directory (ecp256 ecp384 ecp521 rsa2048 rsa3072 rsa4096 ed25519 ed448 sm2):
#   ca.key ca.cert.der ca.cert.pem inter.key inter.cert.der inter.cert.pem
#   end_responder.key end_responder.cert.der end_responder.cert.pem bundle_responder.certchain.der
#   end_requester.key end_requester.cert.der end_requester.cert.pem bundle_requester.certchain.der
# Keys are unencrypted PKCS#8 PEM, mode 0600. Bundles are root||intermediate||leaf DER.
#
# Profile (kept identical to SPDMCrypto's CertificateFactory; checked by libspdm's
# libspdm_x509_certificate_check and DSP0274 "Leaf certificate" requirements):
#   all:   X.509 v3, subjectKeyIdentifier, authorityKeyIdentifier, validity 2025-01-01 .. 2049-12-31
#   root:  basicConstraints critical CA:TRUE; keyUsage critical keyCertSign,cRLSign,digitalSignature
#   inter: basicConstraints critical CA:TRUE,pathlen:0; same keyUsage
#   leaf:  basicConstraints critical CA:FALSE; keyUsage critical digitalSignature,nonRepudiation
#          (+keyEncipherment for RSA); extendedKeyUsage: responder leaf id-DMTF-eku-responder-auth
#          (…412.274.3), requester leaf id-DMTF-eku-requester-auth (…412.274.4) AND responder-auth
#          (libspdm's sample key reader checks the requester chain with is_requester_cert = false,
#          which rejects a leaf whose only SPDM EKU is requester-auth; both OIDs pass either way),
#          each + serverAuth,clientAuth; subjectAltName otherName
#          id-DMTF-device-info (…412.274.1) "ACME:WIDGET:1234567890"; id-DMTF-SPDM-extension
#          (…412.274.6) = SEQUENCE { SEQUENCE { id-DMTF-hardware-identity (…412.274.2) } } (DeviceCert model)
# Idempotent: an algorithm directory that is already complete is skipped unless --force.
set -euo pipefail

FORCE=0
OUTDIR=""
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        -*) echo "generate.sh: unknown option $arg" >&2; exit 2 ;;
        *) OUTDIR="$arg" ;;
    esac
done
OUTDIR="${OUTDIR:-$(cd "$(dirname "$0")" && pwd)/out}"
OPENSSL="${OPENSSL:-openssl}"
command -v "$OPENSSL" >/dev/null || { echo "generate.sh: openssl not found" >&2; exit 1; }
mkdir -p "$OUTDIR"

NOT_BEFORE=20250101000000Z
NOT_AFTER=20491231235959Z
DEVICE_INFO="ACME:WIDGET:1234567890"
ALGORITHMS=(ecp256 ecp384 ecp521 rsa2048 rsa3072 rsa4096 ed25519 ed448 sm2)
FILES=(ca.key ca.cert.der inter.key inter.cert.der end_responder.key end_responder.cert.der
       bundle_responder.certchain.der end_requester.key end_requester.cert.der bundle_requester.certchain.der)

# keygen ALG FILE: a fresh PKCS#8 PEM private key, mode 0600.
keygen() {
    local alg=$1 file=$2
    case "$alg" in
        ecp256)  "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$file" ;;
        ecp384)  "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$file" ;;
        ecp521)  "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -pkeyopt ec_param_enc:named_curve -out "$file" ;;
        rsa2048) "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$file" ;;
        rsa3072) "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$file" ;;
        rsa4096) "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$file" ;;
        ed25519) "$OPENSSL" genpkey -algorithm ED25519 -out "$file" ;;
        ed448)   "$OPENSSL" genpkey -algorithm ED448 -out "$file" ;;
        sm2)     "$OPENSSL" genpkey -algorithm SM2 -out "$file" ;;
    esac 2>/dev/null
    chmod 600 "$file"
}

# Signature digest for certificates issued by ALG keys (libspdm sample_key convention).
digest_for() {
    case "$1" in
        ecp256|rsa2048) echo sha256 ;;
        ecp384|rsa3072) echo sha384 ;;
        ecp521|rsa4096) echo sha512 ;;
        sm2) echo sm3 ;;
        ed25519|ed448) echo default ;;   # EdDSA signs without a separate digest
    esac
}

# write_config DIR ALG: the openssl ca configuration with the extension sections.
write_config() {
    local dir=$1 alg=$2 leaf_usage="critical,digitalSignature,nonRepudiation"
    case "$alg" in rsa*) leaf_usage="$leaf_usage,keyEncipherment" ;; esac
    cat > "$dir/ca.cnf" <<CNF
[ ca ]
default_ca = spdm_ca
[ spdm_ca ]
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = $(digest_for "$alg")
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_inter ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_responder ]
basicConstraints = critical,CA:FALSE
keyUsage = $leaf_usage
extendedKeyUsage = 1.3.6.1.4.1.412.274.3,serverAuth,clientAuth
subjectAltName = otherName:1.3.6.1.4.1.412.274.1;UTF8:$DEVICE_INFO
1.3.6.1.4.1.412.274.6 = ASN1:SEQUENCE:spdm_cert_oids
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_requester ]
basicConstraints = critical,CA:FALSE
keyUsage = $leaf_usage
extendedKeyUsage = 1.3.6.1.4.1.412.274.4,1.3.6.1.4.1.412.274.3,serverAuth,clientAuth
subjectAltName = otherName:1.3.6.1.4.1.412.274.1;UTF8:$DEVICE_INFO
1.3.6.1.4.1.412.274.6 = ASN1:SEQUENCE:spdm_cert_oids
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ spdm_cert_oids ]
hardware_identity = SEQUENCE:spdm_hardware_identity
[ spdm_hardware_identity ]
id = OID:1.3.6.1.4.1.412.274.2
CNF
}

# issue DIR NAME SUBJECT_CN SERIAL EXTENSIONS [ISSUER_NAME]: NAME.cert.{pem,der} from NAME.key.
issue() {
    local dir=$1 name=$2 cn=$3 serial=$4 ext=$5 issuer=${6:-}
    local sigopt=()
    # SM2: sign with an explicitly empty distinguishing ID (what OpenSSL 3.x and libspdm use).
    [[ "$(digest_for "$ALG")" == sm3 ]] && sigopt=(-sigopt distid:)
    printf '%s\n' "$serial" > "$dir/serial"
    "$OPENSSL" req -new -config "$dir/ca.cnf" -key "$dir/$name.key" -subj "/CN=$cn" -out "$dir/$name.csr" \
        "${sigopt[@]}"
    if [[ -z "$issuer" ]]; then
        "$OPENSSL" ca -batch -notext -config "$dir/ca.cnf" -selfsign -keyfile "$dir/$name.key" \
            -in "$dir/$name.csr" -out "$dir/$name.cert.pem" -extensions "$ext" \
            -startdate "$NOT_BEFORE" -enddate "$NOT_AFTER" "${sigopt[@]}"
    else
        "$OPENSSL" ca -batch -notext -config "$dir/ca.cnf" -cert "$dir/$issuer.cert.pem" -keyfile "$dir/$issuer.key" \
            -in "$dir/$name.csr" -out "$dir/$name.cert.pem" -extensions "$ext" \
            -startdate "$NOT_BEFORE" -enddate "$NOT_AFTER" "${sigopt[@]}"
    fi
    "$OPENSSL" x509 -in "$dir/$name.cert.pem" -outform DER -out "$dir/$name.cert.der"
}

complete() {
    local dir=$1 f
    for f in "${FILES[@]}"; do [[ -s "$dir/$f" ]] || return 1; done
}

for ALG in "${ALGORITHMS[@]}"; do
    DEST="$OUTDIR/$ALG"
    if [[ $FORCE -eq 0 ]] && complete "$DEST"; then
        echo "certs: $ALG: exists, skipped ($DEST)"
        continue
    fi
    WORK=$(mktemp -d "$OUTDIR/.$ALG.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    (
        umask 077
        mkdir -p "$WORK/newcerts"
        : > "$WORK/index.txt"
        write_config "$WORK" "$ALG"
        upper=$(echo "$ALG" | tr '[:lower:]' '[:upper:]')
        for key in ca inter end_responder end_requester; do keygen "$ALG" "$WORK/$key.key"; done
        issue "$WORK" ca "spdm-fleet $upper Root CA" 01 v3_root
        issue "$WORK" inter "spdm-fleet $upper Intermediate CA" 02 v3_inter ca
        issue "$WORK" end_responder "spdm-fleet $upper Responder" 03 v3_responder inter
        issue "$WORK" end_requester "spdm-fleet $upper Requester" 04 v3_requester inter
        cat "$WORK/ca.cert.der" "$WORK/inter.cert.der" "$WORK/end_responder.cert.der" > "$WORK/bundle_responder.certchain.der"
        cat "$WORK/ca.cert.der" "$WORK/inter.cert.der" "$WORK/end_requester.cert.der" > "$WORK/bundle_requester.certchain.der"
        # Sanity: both leaves verify against the root through the intermediate.
        for leaf in end_responder end_requester; do
            "$OPENSSL" verify -no_check_time -CAfile "$WORK/ca.cert.pem" -untrusted "$WORK/inter.cert.pem" \
                "$WORK/$leaf.cert.pem" >/dev/null
        done
        rm -rf "$WORK/newcerts" "$WORK"/index.txt* "$WORK"/serial* "$WORK"/*.csr "$WORK/ca.cnf"
        chmod 644 "$WORK"/*.der "$WORK"/*.pem
        chmod 755 "$WORK"
    ) > "$WORK.log" 2>&1 || { echo "certs: $ALG: FAILED" >&2; cat "$WORK.log" >&2; rm -f "$WORK.log"; exit 1; }
    rm -f "$WORK.log"
    rm -rf "$DEST"
    mv "$WORK" "$DEST"
    trap - EXIT
    echo "certs: $ALG: generated ($DEST)"
done
