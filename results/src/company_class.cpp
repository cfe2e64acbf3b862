#include "mxscan/results/company_class.hpp"

namespace mxscan {

std::string_view to_string(CompanyClass c) {
  switch (c) {
    case CompanyClass::known:
      return "known_company";
    case CompanyClass::self_hosted:
      return "self_hosted";
    case CompanyClass::not_in_catalog:
      return "not_in_catalog";
    case CompanyClass::no_id:
      return "no_id";
  }
  return "no_id";
}

std::string_view label(CompanyClass c) {
  switch (c) {
    case CompanyClass::known:
      return "company in the catalog";
    case CompanyClass::self_hosted:
      return "self-hosted (ID is the domain's own)";
    case CompanyClass::not_in_catalog:
      return "provider ID not in the catalog";
    case CompanyClass::no_id:
      return "no provider ID";
  }
  return "no provider ID";
}

bool is_own_domain(std::string_view domain, std::string_view id) {
  if (id.empty() || domain.size() < id.size()) return false;
  if (domain.size() == id.size()) return domain == id;
  return domain.ends_with(id) && domain[domain.size() - id.size() - 1] == '.';
}

CompanyClass company_class(std::string_view domain, const ProviderAssignment& a) {
  if (a.id.empty()) return CompanyClass::no_id;
  if (a.company) return CompanyClass::known;
  return is_own_domain(domain, a.id) ? CompanyClass::self_hosted : CompanyClass::not_in_catalog;
}

std::string_view company_key(const ProviderAssignment& a) {
  if (a.id.empty()) return {};
  return a.company ? std::string_view(*a.company) : std::string_view(a.id);
}

}  // namespace mxscan
