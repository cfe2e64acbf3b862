// Fuzz harness: name handling on names taken from the wire or from input files
// (normalisation, address literals, IDNA A-labels, host name checks, domain
// classification, registered domains under the Public Suffix List).
#include "fuzz_harness.hpp"

#include <algorithm>

#include "mxscan/common/domain_list.hpp"
#include "mxscan/common/host_name.hpp"
#include "mxscan/common/names.hpp"

namespace mxscan::fuzz {
namespace {

const PublicSuffixList& psl() {
  static const PublicSuffixList list(kDefaultPslFile);
  return list;
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool ends_with_label(std::string_view name, std::string_view suffix) {
  if (suffix.size() > name.size() || name.substr(name.size() - suffix.size()) != suffix) {
    return false;
  }
  return suffix.size() == name.size() || name[name.size() - suffix.size() - 1] == '.';
}

}  // namespace

int fuzz_names(const std::uint8_t* data, std::size_t size) {
  std::string_view text = as_text(data, size);

  std::string normal = normalise_name(text);
  MXSCAN_FUZZ_CHECK(!has_upper(normal));
  MXSCAN_FUZZ_CHECK(normal.size() + 1 >= text.size());

  if (std::optional<std::string> alabel = to_a_label(text)) {
    MXSCAN_FUZZ_CHECK(
        std::all_of(alabel->begin(), alabel->end(), [](unsigned char c) { return c < 0x80; }));
    MXSCAN_FUZZ_CHECK(!has_upper(*alabel));
  }

  DomainRecord rec = classify_domain(text, 1);
  if (rec.valid()) {
    MXSCAN_FUZZ_CHECK(!host_name_problem(rec.domain).has_value());
    // A valid name stands for the whole input: nothing after a NUL is dropped.
    MXSCAN_FUZZ_CHECK(text.find('\0') == std::string_view::npos);
    DomainRecord again = classify_domain(rec.domain, 1);
    MXSCAN_FUZZ_CHECK(again.valid() && again.domain == rec.domain);
  }

  std::string registered = psl().registered_domain(text);
  if (!registered.empty()) {
    // The registered domain is the input's own tail, never another name's.
    MXSCAN_FUZZ_CHECK(ends_with_label(normal, registered));
    MXSCAN_FUZZ_CHECK(!is_ip_literal(normal));
    MXSCAN_FUZZ_CHECK(psl().registered_domain(registered) == registered);
  }
  (void)psl().is_public_suffix(text);
  return 0;
}

}  // namespace mxscan::fuzz
