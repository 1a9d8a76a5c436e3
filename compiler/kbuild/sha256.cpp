#include "kbuild/sha256.h"

#include <openssl/evp.h>

#include <cstdint>
#include <new>

namespace utap::kbuild {

namespace {
EVP_MD_CTX* ctxOf(void* p) { return static_cast<EVP_MD_CTX*>(p); }
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctxOf(ctx_), EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctxOf(ctx_)); }

void Sha256::update(std::string_view bytes) { EVP_DigestUpdate(ctxOf(ctx_), bytes.data(), bytes.size()); }

void Sha256::field(std::string_view bytes) {
  uint64_t n = bytes.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  EVP_DigestUpdate(ctxOf(ctx_), len, sizeof len);
  update(bytes);
}

std::string Sha256::hexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctxOf(ctx_), digest, &size);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string sha256Hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hexDigest();
}

}  // namespace utap::kbuild
