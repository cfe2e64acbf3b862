// The terms of one SPF record (RFC 7208 4.6), as the signals need them: which
// terms query DNS and which names include: and redirect= point to.
//
// Design note. Nothing is evaluated against a sender: ip4/ip6/a/mx/ptr/exists
// are kept only to be counted as DNS-querying terms (4.6.4). A domain-spec with
// a macro (%{...}) cannot be expanded without a sender, so it is kept unexpanded
// and not followed. The parser is pure: text in, terms or a syntax error out.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan::spf {

enum class TermKind { all, include, a, mx, ptr, ip4, ip6, exists, redirect, exp, modifier };

struct Term {
  TermKind kind = TermKind::all;
  // include:/exists:/redirect=/exp= target, a:/mx:/ptr: domain-spec if any,
  // normalised (lower case, no trailing dot). Empty when absent.
  std::string target;
  bool has_macro = false;  // the target holds a macro: not followed
  bool operator==(const Term&) const = default;
};

struct Record {
  std::vector<Term> terms;
  bool has_all() const noexcept;
  // The redirect= modifier, if any (at most one: more is a syntax error).
  const Term* redirect() const noexcept;
};

struct ParseResult {
  std::optional<Record> record;
  std::string error;  // "syntax: <term>" when not an acceptable record
};

// True when `text` is an SPF record: "v=spf1" (any case) alone or followed by a space.
bool is_spf_record(std::string_view text) noexcept;

// Parses a record that is_spf_record() accepted.
ParseResult parse_record(std::string_view text);

// RFC 7208 4.6.4: include, a, mx, ptr, exists and redirect query DNS.
bool queries_dns(TermKind kind) noexcept;

}  // namespace mxscan::spf
