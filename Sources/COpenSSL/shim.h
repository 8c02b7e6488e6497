#ifndef SPDM_FLEET_COPENSSL_SHIM_H
#define SPDM_FLEET_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/ecdsa.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/hmac.h>
#include <openssl/bio.h>
#include <openssl/asn1.h>

/* Swift cannot call the function-like macros below; these inline wrappers expose them. */

static inline void spdm_openssl_free(void *ptr) { OPENSSL_free(ptr); }

static inline long spdm_bio_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

static inline STACK_OF(X509) *spdm_sk_x509_new(void) { return sk_X509_new_null(); }
static inline int spdm_sk_x509_push(STACK_OF(X509) *stack, X509 *cert) { return sk_X509_push(stack, cert); }
static inline void spdm_sk_x509_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }

static inline STACK_OF(X509_EXTENSION) *spdm_sk_x509_extension_new(void) { return sk_X509_EXTENSION_new_null(); }
static inline int spdm_sk_x509_extension_push(STACK_OF(X509_EXTENSION) *stack, X509_EXTENSION *ext) {
    return sk_X509_EXTENSION_push(stack, ext);
}
static inline void spdm_sk_x509_extension_pop_free(STACK_OF(X509_EXTENSION) *stack) {
    sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
}

static inline void spdm_general_names_free(GENERAL_NAMES *names) { GENERAL_NAMES_free(names); }
static inline int spdm_sk_general_name_push(GENERAL_NAMES *names, GENERAL_NAME *name) {
    return sk_GENERAL_NAME_push(names, name);
}

static inline unsigned long spdm_xn_flag_rfc2253(void) { return XN_FLAG_RFC2253; }
static inline int spdm_mbstring_utf8(void) { return MBSTRING_UTF8; }

#endif
