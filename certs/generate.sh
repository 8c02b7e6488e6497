#!/usr/bin/env bash
# Generates SPDM certificate chains (root -> intermediate -> leaf) for every SPDM signature
# algorithm, laid out like libspdm's unit_test/sample_key so that DMTF's spdm_requester_emu /
# spdm_responder_emu can run with OUTDIR as their working directory and trust our roots.
#
# usage: certs/generate.sh [--force] [OUTDIR]        (OUTDIR defaults to ./certs/out)
#
# Per algorithm directory (ecp256 ecp384 ecp521 rsa2048 rsa3072 rsa4096 ed25519 ed448 sm2, and the
# SPDM 1.4 ML-DSA sets mldsa65 mldsa87, libspdm's folder names):
#   ca.key ca.cert.der ca.cert.pem inter.key inter.cert.der inter.cert.pem
#   end_responder.key end_responder.cert.der end_responder.cert.pem bundle_responder.certchain.der
#   end_requester.key end_requester.cert.der end_requester.cert.pem bundle_requester.certchain.der
#   end_responder.key.pub.der end_requester.key.pub.der (SPKI DER, for the raw-public-key mode)
#   and libspdm's extra slots: ca1.key ca1.cert.der inter1.cert.der end_{responder,requester}1.cert.der
#   bundle_{responder,requester}.certchain1.der (slot 1: second root, same leaf keys) and
#   end_{responder,requester}4.key end_*4.cert.der bundle_*.certchain4.der (slot 4: second leaf key).
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
# ML-DSA: the openssl CLI (3.0 here) can neither make nor sign ML-DSA keys, so mldsa65/ and mldsa87/
# come from `spdm-certs` (certs/Generator, SPDMCrypto: swift-crypto's ML-DSA, certificates built by
# MLDSACertificateBuilder) with this same profile, names, serials, validity and file set; its keys are
# PKCS#8 in RFC 9881's seed form. SPDM_CERTS=/path/to/spdm-certs skips building it.
# Idempotent: an algorithm directory that is already complete is skipped unless --force.
set -euo pipefail

FORCE=0
OUTDIR=""
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
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
       bundle_responder.certchain.der end_requester.key end_requester.cert.der bundle_requester.certchain.der
       ca1.cert.der bundle_responder.certchain1.der bundle_requester.certchain1.der
       end_responder4.key bundle_responder.certchain4.der end_responder.key.pub.der)

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

# issue DIR NAME KEY SUBJECT_CN SERIAL EXTENSIONS [ISSUER_CERT ISSUER_KEY]: NAME.cert.{pem,der}
# for KEY.key, signed by ISSUER_KEY.key (self-signed when no issuer is given).
issue() {
    local dir=$1 name=$2 key=$3 cn=$4 serial=$5 ext=$6 issuer=${7:-} issuer_key=${8:-}
    local sigopt=()
    # SM2: sign with an explicitly empty distinguishing ID (what OpenSSL 3.x and libspdm use).
    [[ "$(digest_for "$ALG")" == sm3 ]] && sigopt=(-sigopt distid:)
    printf '%s\n' "$serial" > "$dir/serial"
    "$OPENSSL" req -new -config "$dir/ca.cnf" -key "$dir/$key.key" -subj "/CN=$cn" -out "$dir/$name.csr" \
        "${sigopt[@]}"
    if [[ -z "$issuer" ]]; then
        "$OPENSSL" ca -batch -notext -config "$dir/ca.cnf" -selfsign -keyfile "$dir/$key.key" \
            -in "$dir/$name.csr" -out "$dir/$name.cert.pem" -extensions "$ext" \
            -startdate "$NOT_BEFORE" -enddate "$NOT_AFTER" "${sigopt[@]}"
    else
        "$OPENSSL" ca -batch -notext -config "$dir/ca.cnf" -cert "$dir/$issuer.cert.pem" \
            -keyfile "$dir/$issuer_key.key" -in "$dir/$name.csr" -out "$dir/$name.cert.pem" -extensions "$ext" \
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
        for key in ca ca1 inter end_responder end_requester end_responder4 end_requester4; do
            keygen "$ALG" "$WORK/$key.key"
        done
        # Slot 0: ca -> inter -> leaf.
        issue "$WORK" ca ca "spdm-fleet $upper Root CA" 01 v3_root
        issue "$WORK" inter inter "spdm-fleet $upper Intermediate CA" 02 v3_inter ca ca
        issue "$WORK" end_responder end_responder "spdm-fleet $upper Responder" 03 v3_responder inter inter
        issue "$WORK" end_requester end_requester "spdm-fleet $upper Requester" 04 v3_requester inter inter
        # Slot 1 (libspdm's "1" files): a second root over the same intermediate and leaf keys.
        issue "$WORK" ca1 ca1 "spdm-fleet $upper Root CA 1" 11 v3_root
        issue "$WORK" inter1 inter "spdm-fleet $upper Intermediate CA" 12 v3_inter ca1 ca1
        issue "$WORK" end_responder1 end_responder "spdm-fleet $upper Responder" 13 v3_responder inter1 inter
        issue "$WORK" end_requester1 end_requester "spdm-fleet $upper Requester" 14 v3_requester inter1 inter
        # Slot 4 (libspdm's "4" files): a second leaf key under the slot-0 intermediate.
        issue "$WORK" end_responder4 end_responder4 "spdm-fleet $upper Responder 4" 05 v3_responder inter inter
        issue "$WORK" end_requester4 end_requester4 "spdm-fleet $upper Requester 4" 06 v3_requester inter inter
        for n in "" 1 4; do
            root=ca; mid=inter
            [[ $n == 1 ]] && { root=ca1; mid=inter1; }
            for role in responder requester; do
                cat "$WORK/$root.cert.der" "$WORK/$mid.cert.der" "$WORK/end_$role$n.cert.der" \
                    > "$WORK/bundle_$role.certchain$n.der"
            done
        done
        # Raw public keys (SubjectPublicKeyInfo DER) for the provisioned-public-key mode (slot 0xFF).
        for role in responder requester; do
            "$OPENSSL" pkey -in "$WORK/end_$role.key" -pubout -outform DER -out "$WORK/end_$role.key.pub.der"
        done
        # Sanity: both leaves verify against the root through the intermediate.
        for leaf in end_responder end_requester end_responder4 end_requester4; do
            "$OPENSSL" verify -no_check_time -CAfile "$WORK/ca.cert.pem" -untrusted "$WORK/inter.cert.pem" \
                "$WORK/$leaf.cert.pem" >/dev/null
        done
        for leaf in end_responder1 end_requester1; do
            "$OPENSSL" verify -no_check_time -CAfile "$WORK/ca1.cert.pem" -untrusted "$WORK/inter1.cert.pem" \
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

# ML-DSA chains, from the package's own spdm-certs (a debug build is enough and usually present).
if [[ -z "${SPDM_CERTS:-}" ]]; then
    package=$(cd "$(dirname "$0")/.." && pwd)
    log=$(mktemp)
    swift build --package-path "$package" --product spdm-certs >"$log" 2>&1 || {
        echo "certs: building spdm-certs FAILED" >&2; cat "$log" >&2; rm -f "$log"; exit 1; }
    rm -f "$log"
    SPDM_CERTS="$(swift build --package-path "$package" --show-bin-path)/spdm-certs"
fi
force=()
[[ $FORCE -eq 1 ]] && force=(--force)
"$SPDM_CERTS" "${force[@]}" "$OUTDIR" mldsa65 mldsa87
