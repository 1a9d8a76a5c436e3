// SHA-256 (libcrypto's) for cache keys.
#pragma once

#include <string>
#include <string_view>

namespace utap::kbuild {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Raw bytes, for streaming one file's content.
  void update(std::string_view bytes);
  // A length-prefixed field: a sequence of fields hashes differently from
  // any other sequence, however their bytes would concatenate.
  void field(std::string_view bytes);
  // Lower-case hex; the hasher must not be used afterwards.
  std::string hexDigest();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};

std::string sha256Hex(std::string_view bytes);

}  // namespace utap::kbuild
