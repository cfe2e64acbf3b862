#include "mxscan/results/migration.hpp"

#include "mxscan/common/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace mxscan {

namespace {

using Shares = std::map<std::string, double>;

Shares bucket_shares(const DomainResult* r) {
  Shares s;
  if (r == nullptr) {
    s[std::string(kAbsentBucket)] = 1;
  } else if (r->status != DomainOutcome::ok || r->providers.empty()) {
    s[std::string(kNoProviderBucket)] = 1;
  } else {
    for (const auto& a : r->providers) s[std::string(bucket_of(a))] += a.credit;
  }
  return s;
}

Shares id_shares(const DomainResult* r) {
  Shares s;
  if (r == nullptr || r->status != DomainOutcome::ok) return s;
  for (const auto& a : r->providers) {
    if (!a.id.empty()) s[a.id] += a.credit;
  }
  return s;
}

std::string providers_text(const DomainResult* r) {
  std::string out;
  for (const auto& [id, credit] : id_shares(r)) {
    if (!out.empty()) out.push_back(';');
    out += fmt::format("{}={}", id, credit);
  }
  return out;
}

std::string main_bucket(const Shares& s) {
  std::string best;
  double best_credit = -1;
  for (const auto& [k, v] : s) {
    if (v > best_credit) {
      best = k;
      best_credit = v;
    }
  }
  return best;
}

constexpr double kEpsilon = 1e-9;

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string_view bucket_of(const ProviderAssignment& a) {
  if (a.id.empty()) return kNoIdBucket;
  if (a.company && !a.company->empty()) return *a.company;
  return kOtherBucket;
}

double Migration::moved() const {
  double total = 0;
  for (const auto& [from, row] : matrix) {
    for (const auto& [to, credit] : row) {
      if (from != to) total += credit;
    }
  }
  return total;
}

Migration compare_runs(const std::vector<DomainResult>& old_run,
                       const std::vector<DomainResult>& new_run) {
  Migration m;
  std::map<std::string, std::pair<const DomainResult*, const DomainResult*>> domains;
  for (const auto& r : old_run) domains[r.domain].first = &r;
  for (const auto& r : new_run) domains[r.domain].second = &r;

  std::map<std::string, IdChange> ids;
  for (const auto& [domain, pair] : domains) {
    const auto [o, n] = pair;
    if (o) ++m.old_domains;
    if (n) ++m.new_domains;
    if (o && n) ++m.common_domains;

    // Company flows within this domain.
    const Shares ob = bucket_shares(o);
    const Shares nb = bucket_shares(n);
    Shares gains;
    Shares losses;
    double total_gain = 0;
    std::map<std::string, int> keys;
    for (const auto& [k, v] : ob) keys[k] = 0;
    for (const auto& [k, v] : nb) keys[k] = 0;
    for (const auto& [k, unused] : keys) {
      const double before = ob.contains(k) ? ob.at(k) : 0;
      const double after = nb.contains(k) ? nb.at(k) : 0;
      const double stay = std::min(before, after);
      if (stay > kEpsilon) m.matrix[k][k] += stay;
      if (before - after > kEpsilon) losses[k] = before - after;
      if (after - before > kEpsilon) {
        gains[k] = after - before;
        total_gain += after - before;
      }
    }
    for (const auto& [from, lost] : losses) {
      for (const auto& [to, gained] : gains) m.matrix[from][to] += lost * gained / total_gain;
    }

    // Provider ID gains and losses.
    const Shares oi = id_shares(o);
    const Shares ni = id_shares(n);
    auto company_of = [](const DomainResult* r, const std::string& id) -> std::string {
      if (r == nullptr) return {};
      for (const auto& a : r->providers) {
        if (a.id == id && a.company) return *a.company;
      }
      return {};
    };
    std::map<std::string, int> id_keys;
    for (const auto& [k, v] : oi) id_keys[k] = 0;
    for (const auto& [k, v] : ni) id_keys[k] = 0;
    for (const auto& [id, unused] : id_keys) {
      auto& c = ids[id];
      c.id = id;
      if (c.company.empty()) c.company = company_of(n, id);
      if (c.company.empty()) c.company = company_of(o, id);
      const double before = oi.contains(id) ? oi.at(id) : 0;
      const double after = ni.contains(id) ? ni.at(id) : 0;
      c.old_credit += before;
      c.new_credit += after;
      if (before > 0) ++c.old_domains;
      if (after > 0) ++c.new_domains;
      if (after - before > kEpsilon) c.gained += after - before;
      if (before - after > kEpsilon) c.lost += before - after;
    }

    const std::string old_status = o ? std::string(to_string(o->status)) : "absent";
    const std::string new_status = n ? std::string(to_string(n->status)) : "absent";
    const std::string old_providers = providers_text(o);
    const std::string new_providers = providers_text(n);
    if (old_status != new_status || old_providers != new_providers) {
      ++m.changed_domains;
      m.changes.push_back({domain, old_status, new_status, old_providers, new_providers,
                           main_bucket(ob), main_bucket(nb)});
    }
  }
  for (auto& [id, c] : ids) m.ids.push_back(std::move(c));
  std::sort(m.ids.begin(), m.ids.end(), [](const IdChange& a, const IdChange& b) {
    const double na = std::fabs(a.new_credit - a.old_credit);
    const double nb = std::fabs(b.new_credit - b.old_credit);
    if (std::fabs(na - nb) > kEpsilon) return na > nb;
    if (std::fabs(a.new_credit - b.new_credit) > kEpsilon) return a.new_credit > b.new_credit;
    return a.id < b.id;
  });
  return m;
}

std::string migration_matrix_csv(const Migration& m) {
  std::string out = "from,to,credit\n";
  for (const auto& [from, row] : m.matrix) {
    for (const auto& [to, credit] : row) {
      out += fmt::format("{},{},{}\n", csv_field(from), csv_field(to), credit);
    }
  }
  return out;
}

std::string provider_changes_csv(const Migration& m) {
  std::string out = "id,company,old_credit,new_credit,net,gained,lost,old_domains,new_domains\n";
  for (const auto& c : m.ids) {
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(c.id), csv_field(c.company),
                       c.old_credit, c.new_credit, c.new_credit - c.old_credit, c.gained, c.lost,
                       c.old_domains, c.new_domains);
  }
  return out;
}

std::string changed_domains_csv(const Migration& m) {
  std::string out =
      "domain,old_status,new_status,old_bucket,new_bucket,old_providers,new_providers\n";
  for (const auto& c : m.changes) {
    out += fmt::format("{},{},{},{},{},{},{}\n", csv_field(c.domain), c.old_status, c.new_status,
                       csv_field(c.old_bucket), csv_field(c.new_bucket), csv_field(c.old_providers),
                       csv_field(c.new_providers));
  }
  return out;
}

std::string migration_json(const Migration& m) {
  std::string out = "{";
  json::append_key(out, "schema", true);
  json::append_string(out, kMigrationSchema);
  json::append_key(out, "old_domains");
  json::append_uint(out, m.old_domains);
  json::append_key(out, "new_domains");
  json::append_uint(out, m.new_domains);
  json::append_key(out, "common_domains");
  json::append_uint(out, m.common_domains);
  json::append_key(out, "changed_domains");
  json::append_uint(out, m.changed_domains);
  json::append_key(out, "credit_moved");
  json::append_double(out, m.moved());
  json::append_key(out, "matrix");
  out.push_back('[');
  bool first = true;
  for (const auto& [from, row] : m.matrix) {
    for (const auto& [to, credit] : row) {
      if (!first) out.push_back(',');
      first = false;
      out.push_back('{');
      json::append_key(out, "from", true);
      json::append_string(out, from);
      json::append_key(out, "to");
      json::append_string(out, to);
      json::append_key(out, "credit");
      json::append_double(out, credit);
      out.push_back('}');
    }
  }
  out.push_back(']');
  json::append_key(out, "providers");
  json::append_array(out, m.ids, [](std::string& o, const auto& c) {
    o.push_back('{');
    json::append_key(o, "id", true);
    json::append_string(o, c.id);
    json::append_key(o, "company");
    json::append_string_or_null(o, c.company);
    json::append_key(o, "old_credit");
    json::append_double(o, c.old_credit);
    json::append_key(o, "new_credit");
    json::append_double(o, c.new_credit);
    json::append_key(o, "net");
    json::append_double(o, c.new_credit - c.old_credit);
    json::append_key(o, "gained");
    json::append_double(o, c.gained);
    json::append_key(o, "lost");
    json::append_double(o, c.lost);
    json::append_key(o, "old_domains");
    json::append_uint(o, c.old_domains);
    json::append_key(o, "new_domains");
    json::append_uint(o, c.new_domains);
    o.push_back('}');
  });
  json::append_key(out, "changed");
  json::append_array(out, m.changes, [](std::string& o, const auto& c) {
    o.push_back('{');
    json::append_key(o, "domain", true);
    json::append_string(o, c.domain);
    json::append_key(o, "old_status");
    json::append_string(o, c.old_status);
    json::append_key(o, "new_status");
    json::append_string(o, c.new_status);
    json::append_key(o, "old_bucket");
    json::append_string(o, c.old_bucket);
    json::append_key(o, "new_bucket");
    json::append_string(o, c.new_bucket);
    json::append_key(o, "old_providers");
    json::append_string(o, c.old_providers);
    json::append_key(o, "new_providers");
    json::append_string(o, c.new_providers);
    o.push_back('}');
  });
  out += "}\n";
  return out;
}

std::string migration_text(const Migration& m, std::size_t rows) {
  std::string out = fmt::format(
      "{} domains in OLD, {} in NEW, {} in both; {} changed; {:.2f} domains' worth of credit "
      "moved\n",
      m.old_domains, m.new_domains, m.common_domains, m.changed_domains, m.moved());
  struct Flow {
    std::string from, to;
    double credit;
  };
  std::vector<Flow> flows;
  for (const auto& [from, row] : m.matrix) {
    for (const auto& [to, credit] : row) {
      if (from != to) flows.push_back({from, to, credit});
    }
  }
  std::sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) {
    if (std::fabs(a.credit - b.credit) > kEpsilon) return a.credit > b.credit;
    return std::tie(a.from, a.to) < std::tie(b.from, b.to);
  });
  if (!flows.empty()) {
    out += "\nLargest flows between companies (credit):\n";
    for (std::size_t i = 0; i < flows.size() && i < rows; ++i) {
      out += fmt::format("  {:>9.2f}  {} -> {}\n", flows[i].credit, flows[i].from, flows[i].to);
    }
  }
  if (!m.ids.empty()) {
    out += "\nLargest net changes per provider ID (old -> new credit):\n";
    for (std::size_t i = 0; i < m.ids.size() && i < rows; ++i) {
      const auto& c = m.ids[i];
      if (std::fabs(c.new_credit - c.old_credit) <= kEpsilon) break;
      out +=
          fmt::format("  {:>+9.2f}  {:<32} {:.2f} -> {:.2f}{}\n", c.new_credit - c.old_credit, c.id,
                      c.old_credit, c.new_credit, c.company.empty() ? "" : " (" + c.company + ")");
    }
  }
  return out;
}

}  // namespace mxscan
