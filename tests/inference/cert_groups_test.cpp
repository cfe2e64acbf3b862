#include "mxscan/inference/cert_groups.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>

using mxscan::CertificateGrouper;

namespace {

// A certificate is a set of names; a name "hN.rdM.com" has RD "rdM.com".
using Cert = std::set<std::string>;

std::string rd_of(const std::string& name) { return name.substr(name.find('.') + 1); }

// Group name per certificate computed with the grouper, with names given ids in
// `id_order` and certificates added in `cert_order`.
std::map<Cert, std::string> run(const std::vector<Cert>& certs,
                                const std::map<std::string, std::uint64_t>& count,
                                const std::vector<std::string>& id_order,
                                const std::vector<std::size_t>& cert_order) {
  // ids: names first, then RDs.
  std::map<std::string, std::uint32_t> id;
  std::vector<std::string> text;
  auto intern = [&](const std::string& s) {
    auto [it, added] = id.emplace(s, static_cast<std::uint32_t>(text.size()));
    if (added) text.push_back(s);
    return it->second;
  };
  for (const auto& n : id_order) intern(n);
  for (const auto& n : id_order) intern(rd_of(n));
  std::vector<std::uint32_t> rd(text.size());
  std::vector<std::uint64_t> cnt(text.size(), 0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i].rfind('h', 0) == 0) rd[i] = id.at(rd_of(text[i]));
    auto c = count.find(text[i]);
    if (c != count.end()) cnt[i] = c->second;
  }
  CertificateGrouper grouper(text.size());
  for (auto ci : cert_order) {
    std::vector<std::uint32_t> names;
    for (const auto& n : certs[ci]) names.push_back(id.at(n));
    std::reverse(names.begin(), names.end());
    grouper.add(names);
  }
  auto groups = grouper.group_names(
      rd, cnt, [&](std::uint32_t a, std::uint32_t b) { return text[a] < text[b]; });
  std::map<Cert, std::string> out;
  for (std::size_t k = 0; k < cert_order.size(); ++k) out[certs[cert_order[k]]] = text[groups[k]];
  return out;
}

// The closed form of docs/method.md computed naively: merge until no two groups share a name.
std::map<Cert, std::string> brute_force(const std::vector<Cert>& certs,
                                        const std::map<std::string, std::uint64_t>& count) {
  std::vector<std::set<std::string>> groups;
  for (const auto& c : certs) groups.push_back(c);
  bool merged = true;
  while (merged) {
    merged = false;
    for (std::size_t i = 0; i < groups.size() && !merged; ++i) {
      for (std::size_t j = i + 1; j < groups.size() && !merged; ++j) {
        std::vector<std::string> common;
        std::set_intersection(groups[i].begin(), groups[i].end(), groups[j].begin(),
                              groups[j].end(), std::back_inserter(common));
        if (!common.empty()) {
          groups[i].insert(groups[j].begin(), groups[j].end());
          groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
        }
      }
    }
  }
  std::map<Cert, std::string> out;
  for (const auto& c : certs) {
    const auto& g = *std::find_if(groups.begin(), groups.end(),
                                  [&](const auto& s) { return s.count(*c.begin()); });
    std::string best;
    for (const auto& n : g) {  // std::set: names in lexicographic order
      auto cn = count.at(rd_of(n));
      if (best.empty() || cn > count.at(rd_of(best))) best = n;
    }
    out[c] = rd_of(best);
  }
  return out;
}

}  // namespace

TEST_CASE("certificate grouping does not depend on input order (random permutations)") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::uniform_int_distribution<int> rd_pick(0, 5), host_pick(0, 6), size_pick(1, 4),
        count_pick(1, 4);
    std::vector<Cert> certs;
    std::set<Cert> seen;
    int ncerts = 2 + trial % 12;
    while (static_cast<int>(certs.size()) < ncerts) {
      Cert c;
      int n = size_pick(rng);
      for (int k = 0; k < n; ++k) {
        std::string name = "h";  // built stepwise: g++ 12 warns falsely on "h" + std::string
        name += std::to_string(host_pick(rng));
        name += ".rd";
        name += std::to_string(rd_pick(rng));
        name += ".com";
        c.insert(name);
      }
      if (seen.insert(c).second) certs.push_back(c);
    }
    std::map<std::string, std::uint64_t> count;
    std::set<std::string> names;
    for (const auto& c : certs) names.insert(c.begin(), c.end());
    for (const auto& n : names) count.emplace(rd_of(n), count_pick(rng));  // many ties on purpose

    std::vector<std::string> id_order(names.begin(), names.end());
    std::vector<std::size_t> cert_order(certs.size());
    std::iota(cert_order.begin(), cert_order.end(), 0);
    auto expected = brute_force(certs, count);
    CHECK(run(certs, count, id_order, cert_order) == expected);
    for (int perm = 0; perm < 5; ++perm) {
      std::shuffle(id_order.begin(), id_order.end(), rng);
      std::shuffle(cert_order.begin(), cert_order.end(), rng);
      CHECK(run(certs, count, id_order, cert_order) == expected);
    }
  }
}

TEST_CASE("group name: highest count wins, ties go to the RD of the smallest name") {
  std::vector<Cert> certs = {
      {"h1.rd1.com", "h2.rd2.com"}, {"h2.rd2.com", "h3.rd3.com"}, {"h4.rd4.com"}};
  std::vector<std::size_t> order = {0, 1, 2};
  std::vector<std::string> ids = {"h1.rd1.com", "h2.rd2.com", "h3.rd3.com", "h4.rd4.com"};
  auto g = run(certs, {{"rd1.com", 1}, {"rd2.com", 1}, {"rd3.com", 5}, {"rd4.com", 1}}, ids, order);
  CHECK(g[certs[0]] == "rd3.com");  // merged through h2.rd2.com
  CHECK(g[certs[1]] == "rd3.com");
  CHECK(g[certs[2]] == "rd4.com");
  g = run(certs, {{"rd1.com", 2}, {"rd2.com", 2}, {"rd3.com", 2}, {"rd4.com", 1}}, ids, order);
  CHECK(g[certs[0]] == "rd1.com");  // tie: h1.rd1.com is the smallest name
}
