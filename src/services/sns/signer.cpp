// RSA message signing with OpenSSL (AWS: sns-verify-signature-of-message).
#include "sluice/services/sns/signer.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "sluice/common/encoding.hpp"

namespace sluice::services::sns {

struct MessageSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Error signer_error(const std::string& what) {
  return Error::internal("SNS message signing: " + what);
}

}  // namespace

MessageSigner::~MessageSigner() = default;

Result<std::unique_ptr<MessageSigner>> MessageSigner::generate() {
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  if (!pkey) return signer_error("cannot generate an RSA key");
  auto signer = std::unique_ptr<MessageSigner>(new MessageSigner());
  signer->key_ = std::make_unique<Key>();
  signer->key_->pkey = pkey;

  X509* cert = X509_new();
  if (!cert) return signer_error("cannot allocate a certificate");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(std::time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert), -86400L);
  X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 86400);
  X509_set_pubkey(cert, pkey);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Sluice"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sns.amazonaws.com"), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  if (X509_sign(cert, pkey, EVP_sha256()) == 0) {
    X509_free(cert);
    return signer_error("cannot self-sign the certificate");
  }
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  signer->cert_pem_ = bio_string(cert_bio);
  BIO_free(cert_bio);
  X509_free(cert);

  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  signer->key_pem_ = bio_string(key_bio);
  BIO_free(key_bio);
  signer->cert_id_ = sha256_hex(signer->cert_pem_).substr(0, 32);
  return signer;
}

Result<std::unique_ptr<MessageSigner>> MessageSigner::from_pem(const std::string& key_pem,
                                                               const std::string& cert_pem) {
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!pkey) return signer_error("the persisted private key cannot be read");
  auto signer = std::unique_ptr<MessageSigner>(new MessageSigner());
  signer->key_ = std::make_unique<Key>();
  signer->key_->pkey = pkey;
  signer->key_pem_ = key_pem;
  signer->cert_pem_ = cert_pem;
  signer->cert_id_ = sha256_hex(cert_pem).substr(0, 32);
  return signer;
}

std::string MessageSigner::sign(const std::string& canonical, const std::string& version) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = version == "1" ? EVP_sha1() : EVP_sha256();
  std::string out;
  std::size_t len = 0;
  if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, key_->pkey) == 1 &&
      EVP_DigestSignUpdate(ctx, canonical.data(), canonical.size()) == 1 &&
      EVP_DigestSignFinal(ctx, nullptr, &len) == 1) {
    std::string sig(len, '\0');
    if (EVP_DigestSignFinal(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len) == 1) {
      sig.resize(len);
      out = base64_encode(sig);
    }
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

std::string canonical_signing_string(const std::map<std::string, std::string>& fields) {
  auto type = fields.find("Type");
  const bool control = type != fields.end() && (type->second == "SubscriptionConfirmation" ||
                                                type->second == "UnsubscribeConfirmation");
  static const char* kNotification[] = {"Message",   "MessageId", "Subject",
                                        "Timestamp", "TopicArn",  "Type"};
  static const char* kControl[] = {"Message", "MessageId", "SubscribeURL", "Timestamp",
                                   "Token",   "TopicArn",  "Type"};
  std::string out;
  auto add = [&](const char* name) {
    auto it = fields.find(name);
    if (it == fields.end()) return;
    out += name;
    out += '\n';
    out += it->second;
    out += '\n';
  };
  if (control) {
    for (const char* n : kControl)
      add(n);
  } else {
    for (const char* n : kNotification)
      add(n);
  }
  return out;
}

}  // namespace sluice::services::sns
