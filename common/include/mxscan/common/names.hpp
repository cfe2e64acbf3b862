// Name handling shared by every stage: normalisation, IDN, address literals and
// registered domains under the Public Suffix List (ICANN and private sections).
//
// Design note. libpsl answers "a.b.com." with "com." and mixed case with mixed
// case, and treats "192.0.2.1" as a name; every query therefore goes through
// normalise_name() first and address literals never reach it
// (libpsl 0.21 on Debian 12). The list is loaded once from a file whose path and SHA-256
// are recorded in manifests.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

struct psl_ctx_st;

namespace mxscan {

constexpr const char* kDefaultPslFile = "/usr/share/publicsuffix/public_suffix_list.dat";

// Lower-cases ASCII letters and drops one trailing dot. Does not validate.
std::string normalise_name(std::string_view name);

// True for IPv4 dotted quads and IPv6 literals (optionally in [brackets]).
bool is_ip_literal(std::string_view text) noexcept;

// U-labels to A-labels (IDNA 2008, non-transitional, via libidn2). ASCII input is
// returned lower-cased. nullopt when the name cannot be converted.
std::optional<std::string> to_a_label(std::string_view name);

// One rule of a public suffix list file as a name: A-labels, without the "!" of an
// exception; `wildcard` for "*." rules (the name is then the base the wildcard covers).
struct PslRuleName {
  std::string name;
  bool wildcard = false;
};

// The rules of a list in its text form, in file order; nullopt when the file is the
// binary (.dafsa) form or a rule does not convert to A-labels. Throws
// std::runtime_error when the file cannot be read.
std::optional<std::vector<PslRuleName>> read_psl_rule_names(const std::string& path);

class PublicSuffixList {
 public:
  // Loads the list; throws std::runtime_error naming the file when it cannot.
  explicit PublicSuffixList(const std::string& path = kDefaultPslFile);
  ~PublicSuffixList();
  PublicSuffixList(const PublicSuffixList&) = delete;
  PublicSuffixList& operator=(const PublicSuffixList&) = delete;
  PublicSuffixList(PublicSuffixList&&) noexcept;
  PublicSuffixList& operator=(PublicSuffixList&&) noexcept;

  // eTLD+1 of a name (normalised here), private section included. Empty when the
  // name is a bare suffix, a single label, an IP literal, has an empty label or a
  // NUL byte, or its TLD is unknown.
  std::string registered_domain(std::string_view name) const;

  // True when the normalised name is itself a public suffix by an explicit rule.
  bool is_public_suffix(std::string_view name) const;

  // For callers that keep registered domains per name (the inference batch): whether
  // a plain name (lower-case letters, digits, '-', '_'; non-empty labels; not an
  // address) is a public suffix by an explicit rule; nullopt for any other name. With
  // it the registered domain of a plain name of two or more labels follows from its
  // parent's (the name without its first label): none when the name is a suffix
  // itself, the name when its parent is one (and its TLD is listed: "ac.za" is, "za"
  // is not), else the parent's registered domain. A
  // name that is not a suffix has its parent's public suffix (the longest rule
  // matching a suffix of the name matches a suffix of the parent), so this is
  // registered_domain()'s answer at one lookup per name instead of one per label and
  // one for the TLD, when the caller keeps the answers of parents.
  std::optional<bool> public_suffix_if_plain(std::string_view name) const;

  const std::string& path() const noexcept { return path_; }
  const std::string& sha256() const noexcept { return sha256_; }

 private:
  struct Deleter {
    void operator()(psl_ctx_st* ctx) const noexcept;
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  void load_rule_names();
  std::unique_ptr<psl_ctx_st, Deleter> ctx_;
  // Every rule of the list as a name (A-labels, without "!" and "*."), and the names
  // under which a wildcard rule ("*.ck") applies, when the file is the text form and
  // every rule converts; empty otherwise (then libpsl is asked every time). A plain
  // name can only be a suffix if it is a rule name or its parent a wildcard base.
  std::unordered_set<std::string, NameHash, std::equal_to<>> rule_names_;
  std::unordered_set<std::string, NameHash, std::equal_to<>> wildcard_bases_;
  std::string path_;
  std::string sha256_;
};

// Lower-case hex SHA-256 of a file's bytes; throws std::runtime_error when unreadable.
std::string sha256_file_hex(const std::string& path);

}  // namespace mxscan
