#include "mxscan/common/asn/open_asn_source.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include "mxscan/common/asn/mmdb_asn_source.hpp"
#include "mxscan/common/asn/pfx2as_asn_source.hpp"

namespace mxscan {
namespace {

class ChainedAsnSource final : public AsnSource {
 public:
  ChainedAsnSource(std::unique_ptr<AsnSource> first, std::unique_ptr<AsnSource> second)
      : first_(std::move(first)), second_(std::move(second)) {}
  std::optional<AsnInfo> lookup(const IpAddress& a) const override {
    if (auto r = first_->lookup(a)) return r;
    return second_->lookup(a);
  }
  std::string describe() const override {
    return first_->describe() + "; then " + second_->describe();
  }

 private:
  std::unique_ptr<AsnSource> first_, second_;
};

}  // namespace

std::shared_ptr<const AsnSource> open_asn_source(const std::string& mmdb_path,
                                                 const std::string& pfx2as_path) {
  std::unique_ptr<AsnSource> mmdb, pfx;
  if (!mmdb_path.empty()) {
    std::unique_ptr<MmdbAsnSource> db;
    try {
      db = std::make_unique<MmdbAsnSource>(mmdb_path);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("--asn-db ") + e.what());
    }
    if (auto problem = db->problem(); !problem.empty())
      throw std::runtime_error("--asn-db " + problem);
    mmdb = std::move(db);
  }
  if (!pfx2as_path.empty()) {
    auto table = std::make_unique<Pfx2AsSource>(pfx2as_path);
    if (auto problem = table->problem(); !problem.empty())
      throw std::runtime_error("--pfx2as " + problem);
    pfx = std::move(table);
  }
  if (mmdb && pfx) return std::make_shared<ChainedAsnSource>(std::move(mmdb), std::move(pfx));
  if (mmdb) return std::shared_ptr<const AsnSource>(std::move(mmdb));
  if (pfx) return std::shared_ptr<const AsnSource>(std::move(pfx));
  return nullptr;
}

}  // namespace mxscan
