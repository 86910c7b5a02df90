#pragma once
// Message signatures as AWS computes them (sns-verify-signature-of-message): an RSA key
// and a self-signed X.509 certificate, generated at startup or restored from the store;
// SignatureVersion 1 signs the canonical string with SHA1withRSA, version 2 with
// SHA256withRSA.
#include <map>
#include <memory>
#include <string>

#include "sluice/common/result.hpp"

namespace sluice::services::sns {

class MessageSigner {
 public:
  // A new 2048-bit key and certificate valid for ten years.
  static Result<std::unique_ptr<MessageSigner>> generate();
  // From a PEM private key and PEM certificate (as persisted).
  static Result<std::unique_ptr<MessageSigner>> from_pem(const std::string& key_pem,
                                                         const std::string& cert_pem);
  ~MessageSigner();
  MessageSigner(const MessageSigner&) = delete;
  MessageSigner& operator=(const MessageSigner&) = delete;

  const std::string& key_pem() const { return key_pem_; }
  const std::string& certificate_pem() const { return cert_pem_; }
  // Short stable id of the certificate, used in its file name.
  const std::string& certificate_id() const { return cert_id_; }

  // Base64 RSA signature of `canonical` with SHA1 (version "1") or SHA256 (otherwise).
  std::string sign(const std::string& canonical, const std::string& version) const;

 private:
  MessageSigner() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string key_pem_;
  std::string cert_pem_;
  std::string cert_id_;
};

// The string AWS signs: "Name\nValue\n" for each signed field present, in AWS's order.
// Notification: Message, MessageId, Subject (if any), Timestamp, TopicArn, Type.
// SubscriptionConfirmation / UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
// Timestamp, Token, TopicArn, Type.
std::string canonical_signing_string(const std::map<std::string, std::string>& fields);

}  // namespace sluice::services::sns
