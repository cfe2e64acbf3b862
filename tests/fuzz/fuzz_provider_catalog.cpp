// Fuzz harness: the provider catalog reader (configs/providers.toml, edited by
// users), then the questions the inference asks of a loaded catalog.
#include "fuzz_harness.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "mxscan/inference/catalog.hpp"

namespace mxscan::fuzz {

int fuzz_provider_catalog(const std::uint8_t* data, std::size_t size) {
  std::optional<Catalog> catalog;
  try {
    catalog = Catalog::parse(as_text(data, size), "fuzz.toml");
  } catch (const std::runtime_error&) {
    return 0;  // rejected with file:line:column, by contract
  }
  const auto& companies = catalog->companies();
  for (std::size_t i = 0; i < companies.size(); ++i) {
    const auto& c = companies[i];
    MXSCAN_FUZZ_CHECK(std::is_sorted(c.asns.begin(), c.asns.end()));
    MXSCAN_FUZZ_CHECK(std::adjacent_find(c.asns.begin(), c.asns.end()) == c.asns.end());
    for (std::uint32_t asn : c.asns) MXSCAN_FUZZ_CHECK(catalog->company_has_asn(i, asn));
    for (const auto& id : c.ids) {
      std::optional<std::size_t> owner = catalog->company_index(id);
      MXSCAN_FUZZ_CHECK(owner && *owner < companies.size());
      (void)catalog->classify(id, id, NameSource::banner);
      (void)catalog->classify("mx." + id, id, NameSource::certificate);
      (void)catalog->is_ignored_banner_name(id);
      (void)catalog->token_override(id);
    }
    if (!c.asns.empty()) (void)catalog->relabel_by_as(std::span<const std::uint32_t>(c.asns));
  }
  const std::array<std::uint32_t, 2> asns{15169, 8075};
  (void)catalog->relabel_by_as(std::span<const std::uint32_t>(asns));
  MXSCAN_FUZZ_CHECK(!catalog->relabel_by_as(std::span<const std::uint32_t>()).has_value());
  (void)catalog->company_of("example.com");
  (void)catalog->classify("ip-192-0-2-1.example.com", "example.com", NameSource::banner);
  (void)catalog->vps_rule_count();
  return 0;
}

}  // namespace mxscan::fuzz
