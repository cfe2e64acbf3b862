#include "mxscan/common/names.hpp"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace mxscan {

std::string normalise_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_ip_literal(std::string_view text) noexcept {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  if (text.find('\0') != std::string_view::npos) return false;  // inet_pton stops there
  std::array<char, INET6_ADDRSTRLEN> buf{};
  std::copy(text.begin(), text.end(), buf.begin());
  std::array<unsigned char, 16> addr{};
  return inet_pton(AF_INET, buf.data(), addr.data()) == 1 ||
         inet_pton(AF_INET6, buf.data(), addr.data()) == 1;
}

std::optional<std::string> to_a_label(std::string_view name) {
  bool ascii = std::all_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x80; });
  if (ascii) return normalise_name(name);
  // libidn2 reads C strings: after a NUL it would convert only a prefix.
  if (name.find('\0') != std::string_view::npos) return std::nullopt;
  std::string input(name);
  char* output = nullptr;
  int rc = idn2_to_ascii_8z(input.c_str(), &output, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  if (rc != IDN2_OK) {
    // Names valid under IDNA 2003 only (e.g. with symbols) still get a mapping.
    rc = idn2_to_ascii_8z(input.c_str(), &output, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
  }
  if (rc != IDN2_OK || output == nullptr) return std::nullopt;
  std::string result = normalise_name(output);
  idn2_free(output);
  return result;
}

void PublicSuffixList::Deleter::operator()(psl_ctx_st* ctx) const noexcept { psl_free(ctx); }

PublicSuffixList::PublicSuffixList(const std::string& path)
    : ctx_(psl_load_file(path.c_str())), path_(path) {
  if (!ctx_) {
    throw std::runtime_error("cannot load the public suffix list from " + path +
                             " (install Debian's 'publicsuffix' package or pass --psl-file)");
  }
  // libpsl takes any file: a file of other text gives an empty or a nonsense
  // list, and every registered domain would then be wrong. A real list has
  // rules, and the ICANN suffixes every list has.
  if (psl_suffix_count(ctx_.get()) == 0) {
    throw std::runtime_error(path + ": not a public suffix list: no rule in it (--psl-file)");
  }
  bool known = false;
  for (const char* tld : {"com", "net", "org"}) {
    known =
        known || psl_is_public_suffix2(ctx_.get(), tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
  }
  if (!known) {
    throw std::runtime_error(path +
                             ": not a public suffix list: none of com, net and org is a public "
                             "suffix in it (--psl-file)");
  }
  sha256_ = sha256_file_hex(path);
  load_rule_names();
}

std::optional<std::vector<PslRuleName>> read_psl_rule_names(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<PslRuleName> rules;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(".DAFSA@")) return std::nullopt;  // the binary form
    if (const auto end = line.find_first_of(" \t\r"); end != std::string::npos) line.resize(end);
    if (line.empty() || line.starts_with("//")) continue;
    if (line.starts_with("!")) line.erase(0, 1);
    const bool wildcard = line.starts_with("*.");
    if (wildcard) line.erase(0, 2);
    auto name = to_a_label(line);
    if (!name) return std::nullopt;  // libpsl may have converted it: a prefilter would miss it
    rules.push_back({std::move(*name), wildcard});
  }
  return rules;
}

void PublicSuffixList::load_rule_names() {
  const auto rules = read_psl_rule_names(path_);
  if (!rules) return;  // no prefilter: libpsl is asked every time
  for (const auto& rule : *rules) {
    if (rule.wildcard) wildcard_bases_.insert(rule.name);
    rule_names_.insert(rule.name);
  }
}

PublicSuffixList::~PublicSuffixList() = default;
PublicSuffixList::PublicSuffixList(PublicSuffixList&&) noexcept = default;
PublicSuffixList& PublicSuffixList::operator=(PublicSuffixList&&) noexcept = default;

std::string PublicSuffixList::registered_domain(std::string_view name) const {
  std::string n = normalise_name(name);
  // libpsl reads C strings: "mx.bank.com\0.evil.net" must not be taken for bank.com.
  if (n.empty() || n.find('\0') != std::string::npos || is_ip_literal(n)) return {};
  // libpsl answers "..com" for "a...com": a name with an empty label has none.
  if (n.front() == '.' || n.back() == '.' || n.find("..") != std::string::npos) return {};
  auto dot = n.rfind('.');
  if (dot == std::string::npos) return {};
  // An unknown TLD only matches libpsl's implicit "*" rule: no known suffix.
  std::string tld = n.substr(dot + 1);
  if (psl_is_public_suffix2(ctx_.get(), tld.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) == 0) {
    return {};
  }
  const char* rd = psl_registrable_domain(ctx_.get(), n.c_str());
  return rd == nullptr ? std::string{} : std::string(rd);
}

std::optional<bool> PublicSuffixList::public_suffix_if_plain(std::string_view name) const {
  // Plain: what normalise_name leaves as it is and libpsl reads as it is.
  std::array<char, 256> text{};
  if (name.empty() || name.size() >= text.size() || name.front() == '.' || name.back() == '.') {
    return std::nullopt;
  }
  char previous = '.';
  for (const char c : name) {
    if (c == '.') {
      if (previous == '.') return std::nullopt;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return std::nullopt;
    }
    previous = c;
  }
  // Only a dotted quad can be an address here (no ':' in a plain name), and its last
  // label is a number: names ending in a letter skip inet_pton.
  const std::string_view last = name.substr(name.rfind('.') + 1);
  const bool numeric_end =
      std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric_end && is_ip_literal(name)) return std::nullopt;
  if (!rule_names_.empty() && !rule_names_.contains(name)) {
    // No rule is the name, and no wildcard rule covers it: not a suffix.
    const auto dot = name.find('.');
    if (dot == std::string_view::npos || !wildcard_bases_.contains(name.substr(dot + 1)))
      return false;
  }
  std::memcpy(text.data(), name.data(), name.size());
  return psl_is_public_suffix2(ctx_.get(), text.data(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

bool PublicSuffixList::is_public_suffix(std::string_view name) const {
  std::string n = normalise_name(name);
  if (n.find('\0') != std::string::npos) return false;
  return psl_is_public_suffix2(ctx_.get(), n.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

std::string sha256_file_hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    EVP_DigestUpdate(md.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(md.get(), digest.data(), &len);
  std::string hex;
  hex.reserve(static_cast<std::size_t>(len) * 2);
  for (unsigned int i = 0; i < len; ++i) {
    std::array<char, 3> two{};
    std::snprintf(two.data(), two.size(), "%02x", digest[i]);
    hex += two.data();
  }
  return hex;
}

}  // namespace mxscan
