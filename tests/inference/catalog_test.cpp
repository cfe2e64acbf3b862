#include "mxscan/inference/catalog.hpp"

#include <catch2/catch.hpp>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/glob.hpp"
#include "scenario.hpp"

using namespace mxscan;

namespace {
const Catalog& real() {
  static const Catalog c = Catalog::load(mxscan::test::source_path("configs/providers.toml"));
  return c;
}

// The message of the std::runtime_error `text` raises when parsed.
std::string error_of(const std::string& text) {
  try {
    Catalog::parse(text, "test.toml");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("the real catalog holds every company of providers.tsv") {
  CHECK(real().companies().size() == 47);  // providers.tsv's 38 and the companies added since
  CHECK(real().vps_rule_count() == 39);    // configs/providers.toml today
  // Loading the directory finds providers.toml.
  CHECK(Catalog::load(mxscan::test::source_path("configs")).companies().size() == 47);
  // Every ID of every company maps back to that company.
  for (const auto& c : real().companies()) {
    for (const auto& id : c.ids) {
      if (is_glob(id)) continue;
      INFO(id);
      CHECK(real().company_of(id) == c.name);
    }
  }
}

TEST_CASE("company lookup of provider IDs, globs included") {
  CHECK(real().company_of("google.com") == "Google");
  CHECK(real().company_of("gmail.com") == "Google");
  CHECK(real().company_of("outlook.com") == "Microsoft");
  CHECK(real().company_of("iphmx.com") == "Cisco");
  CHECK(real().company_of("siteground.us") == "SiteGround");       // siteground.*
  CHECK(real().company_of("sitegroundhost.com") == "SiteGround");  // siteground*.com
  CHECK_FALSE(real().company_of("mysiteground.com"));
  CHECK_FALSE(real().company_of("google.co.uk"));
  CHECK_FALSE(real().company_of(""));
  CHECK_FALSE(real().company_of("example.com"));
}

TEST_CASE("company ASes") {
  auto google = real().company_index("google.com").value();
  CHECK(real().company_has_asn(google, 15169));
  CHECK_FALSE(real().company_has_asn(google, 8075));
  auto godaddy = real().company_index("secureserver.net").value();
  CHECK(real().company_has_asn(godaddy, 398101));
}

TEST_CASE("AS relabelling rules, including the empty-ASN case") {
  using A = std::vector<std::uint32_t>;
  auto relabel = [](A asns) {
    auto r = real().relabel_by_as(asns);
    return r ? std::string(r->id) : std::string("-");
  };
  CHECK(relabel({16417}) == "iphmx.com");
  CHECK(relabel({16417, 30215, 30238}) == "iphmx.com");
  CHECK(relabel({13916, 22843}) == "pphosted.com");
  CHECK(relabel({26211, 52129}) == "pphosted.com");
  CHECK(relabel({15830}) == "-");  // shared with Zoho: excluded
  CHECK(relabel({13916, 15830}) == "-");
  CHECK(relabel({16417, 13916}) == "-");  // mixed sets
  CHECK(relabel({16417, 15169}) == "-");
  CHECK(relabel({}) == "-");  // defect 2: never true for an empty set
  CHECK_FALSE(real().relabel_by_as(A{16417})->reason.empty());
}

TEST_CASE("names that are not evidence, token overrides") {
  CHECK(real().is_ignored_banner_name("zen.spamhaus.org"));
  CHECK(real().is_ignored_banner_name("spamhaus.org"));
  CHECK(real().is_ignored_banner_name("cbl.abuseat.org"));
  CHECK(real().is_ignored_banner_name("www.trustedsource.org"));
  CHECK_FALSE(real().is_ignored_banner_name("notspamhaus.org"));
  CHECK_FALSE(real().is_ignored_banner_name("spamhaus.org.example.com"));
  CHECK(real().token_override("bosimpinc12") == "eigbox.net");
  CHECK(real().token_override("BOSIMPINC01.eigbox.net") == "eigbox.net");
  CHECK_FALSE(real().token_override("bosimp"));
}

TEST_CASE("an empty catalog knows nothing and classifies everything dedicated") {
  Catalog empty;
  CHECK(empty.companies().empty());
  CHECK_FALSE(empty.company_of("google.com"));
  CHECK(empty.classify("s1-2-3-4.secureserver.net", "secureserver.net", NameSource::banner) ==
        NameClass::dedicated);
  CHECK_FALSE(empty.relabel_by_as(std::vector<std::uint32_t>{16417}));
  CHECK_FALSE(empty.is_ignored_banner_name("zen.spamhaus.org"));
}

TEST_CASE("a bad catalog fails with file:line:column and a clear message") {
  CHECK_THAT(error_of("[[company]\nname = 1"), Catch::StartsWith("test.toml:1:"));
  CHECK_THAT(error_of("\n\n[[company]]\nname = \"A\"\nids = [\"a.com\"]\nasns = [1]\ncolour = 3\n"),
             Catch::StartsWith("test.toml:7:") && Catch::Contains("unknown key 'colour'"));
  CHECK_THAT(error_of("[[company]]\nname = \"A\"\nids = [\"A.com\"]\nasns = [1]\n"),
             Catch::StartsWith("test.toml:3:") && Catch::Contains("lower case"));
  CHECK_THAT(error_of("[[company]]\nname = \"A\"\nids = [\"a.com\"]\nasns = [-1]\n"),
             Catch::Contains("not an AS number"));
  CHECK_THAT(error_of("[[company]]\nname = \"A\"\nids = [\"a.com\"]\nasns = [1]\n"
                      "[[company]]\nname = \"B\"\nids = [\"a.com\"]\nasns = [2]\n"),
             Catch::StartsWith("test.toml:7:") && Catch::Contains("two companies"));
  CHECK_THAT(error_of("[[company]]\nname = \"A\"\nasns = [1]\n"), Catch::Contains("needs 'ids'"));
  CHECK_THAT(
      error_of(
          "[[vps]]\nrd = \"a.com\"\n[[vps.rule]]\nclass = \"vps\"\nfirst_label_prefx = \"s\"\n"),
      Catch::StartsWith("test.toml:5:") &&
          Catch::Contains("unknown condition 'first_label_prefx'"));
  CHECK_THAT(
      error_of("[[vps]]\nrd = \"a.com\"\n[[vps.rule]]\nclass = \"maybe\"\nname = \"x.a.com\"\n"),
      Catch::StartsWith("test.toml:4:") && Catch::Contains("\"vps\" or \"dedicated\""));
  CHECK_THAT(error_of("[[vps]]\nrd = \"a.com\"\n[[vps.rule]]\nname = \"x.a.com\"\n"),
             Catch::Contains("needs 'class'"));
  CHECK_THAT(error_of("[[vps]]\nrd = \"a.com\"\n[[vps.rule]]\nclass = \"vps\"\n"),
             Catch::Contains("no condition"));
  CHECK_THAT(error_of("[[vps]]\nrd = \"a.com\"\n[[vps]]\nrd = \"a.com\"\n"),
             Catch::Contains("defined twice"));
  CHECK_THAT(
      error_of("[[vps]]\nrd = \"a.com\"\n[[vps.rule]]\nclass = \"vps\"\nwildcard = \"yes\"\n"),
      Catch::Contains("true or false"));
  CHECK_THAT(error_of("[[vps]]\nrd = \"a.com\"\nsource = \"ehlo\"\n"),
             Catch::Contains("'source' must be"));
  CHECK_THAT(error_of("[[vps]]\nrd = \"a.com\"\n[[vps.rule]]\nclass = \"vps\"\nlabel = \"x.y\"\n"),
             Catch::StartsWith("test.toml:5:") && Catch::Contains("has a dot"));
  CHECK_THAT(error_of("schema = 2\n"), Catch::Contains("unsupported catalog schema"));
  CHECK_THAT(error_of("[[relabel]]\nid = \"x.com\"\nasns = []\n"),
             Catch::Contains("must not be empty"));
  CHECK_THAT(error_of("[banner]\nignored_suffixes = 3\n"), Catch::Contains("string or an array"));
  CHECK_THROWS_WITH(Catalog::load("/nonexistent/providers.toml"),
                    Catch::Contains("/nonexistent/providers.toml"));
  CHECK(error_of("") == "(no error)");
}

TEST_CASE("a user-extended catalog takes effect without recompiling") {
  auto c = Catalog::parse(R"(
[[company]]
name = "Example Mail"
ids = ["examplemail.net", "exm-*.com"]
asns = [64500]
[[vps]]
rd = "examplemail.net"
otherwise = "vps"
[[vps.rule]]
class = "dedicated"
first_label_prefix = "mx"
)");
  CHECK(c.company_of("exm-eu.com") == "Example Mail");
  CHECK(c.classify("mx1.examplemail.net", "examplemail.net", NameSource::banner) ==
        NameClass::dedicated);
  CHECK(c.classify("cust7.examplemail.net", "examplemail.net", NameSource::certificate) ==
        NameClass::vps);
}

TEST_CASE("glob matching of provider IDs") {
  CHECK(glob_match("siteground*.com", "siteground.com"));
  CHECK(glob_match("siteground*.com", "sitegroundus.com"));
  CHECK(glob_match("siteground.*", "siteground.co.uk"));
  CHECK_FALSE(glob_match("siteground*.com", "siteground.net"));
  CHECK_FALSE(glob_match("siteground*.com", "xsiteground.com"));
  CHECK(glob_match("a?c", "abc"));
  CHECK_FALSE(glob_match("a?c", "ac"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("**a", "bba"));
  CHECK(is_glob("a*"));
  CHECK_FALSE(is_glob("a.com"));
}

TEST_CASE("every company researchers ask about is in the catalog, under its documented MX names") {
  static const PublicSuffixList psl;
  // MX host -> company, through the registered domain the method derives.
  const std::vector<std::pair<const char*, const char*>> mx = {
      {"aspmx.l.google.com", "Google"},
      {"aspmx2.googlemail.com", "Google"},
      {"contoso-com.mail.protection.outlook.com", "Microsoft"},
      {"mta5.am0.yahoodns.net", "Yahoo"},
      {"mx01.mail.icloud.com", "Apple"},
      {"inbound-smtp.eu-west-1.amazonaws.com", "Amazon"},
      {"mx.zoho.eu", "Zoho"},
      {"mx.zoho.com.au", "Zoho"},
      {"mx.yandex.net", "Yandex"},
      {"emx.mail.ru", "Mail.Ru"},
      {"mxbiz1.qq.com", "Tencent"},
      {"qiye163mx01.mxmail.netease.com", "NetEase"},
      {"mxw.mxhichina.com", "Alibaba"},
      {"mx1.qiye.aliyun.com", "Alibaba"},
      {"mx1.naver.com", "Naver"},
      {"mx00.ionos.de", "UnitedInternet"},
      {"mx00.emig.gmx.net", "UnitedInternet"},
      {"smtpin.rzone.de", "Strato"},
      {"mx1.mail.ovh.net", "OVH"},
      {"spool.mail.gandi.net", "Gandi"},
      {"in1-smtp.messagingengine.com", "Fastmail"},
      {"mailsec.protonmail.ch", "Proton"},
      {"mailstore1.secureserver.net", "GoDaddy"},
      {"mx1.privateemail.com", "NameCheap"},
      {"mx1.hostinger.com", "Hostinger"},
      {"mx1.emailsrvr.com", "Rackspace"},
      {"mx0a-0012ab01.pphosted.com", "ProofPoint"},
      {"mx1-us1.ppe-hosted.com", "ProofPoint"},
      {"us-smtp-inbound-1.mimecast.com", "Mimecast"},
      {"d123456a.ess.barracudanetworks.com", "Barracuda"},
      {"mx1.hc123-45.iphmx.com", "Cisco"},
      {"acme-com.in.tmes.trendmicro.eu", "TrendMicro"},
      {"cluster1.eu.messagelabs.com", "MessageLabs"},
      {"mx.spamexperts.com", "Solarwinds"},
      {"mx01.hornetsecurity.com", "Hornetsecurity"},
      {"mx-01-eu-central-1.prod.hydra.sophos.com", "Sophos"},
      {"acme.fortimailcloud.com", "Fortinet"},
  };
  for (const auto& [host, company] : mx) {
    INFO(host);
    CHECK(real().company_of(psl.registered_domain(host)) == company);
  }
}

TEST_CASE(
    "private public suffixes: inbound-smtp.<region>.amazonaws.com is Amazon in every region") {
  static const PublicSuffixList psl;
  // us-east-1.amazonaws.com is itself a (private-section) suffix in the list the
  // tests load, so there the host is its own registered domain; other regions
  // fall back to amazonaws.com. Both must be Amazon's.
  CHECK(psl.registered_domain("inbound-smtp.us-east-1.amazonaws.com") ==
        "inbound-smtp.us-east-1.amazonaws.com");
  CHECK(psl.registered_domain("inbound-smtp.eu-west-1.amazonaws.com") == "amazonaws.com");
  for (const char* host :
       {"inbound-smtp.us-east-1.amazonaws.com", "inbound-smtp.us-west-2.amazonaws.com",
        "inbound-smtp.eu-west-1.amazonaws.com", "inbound-smtp.ap-southeast-2.amazonaws.com",
        "inbound-smtp.eu-central-1.amazonaws.com"}) {
    INFO(host);
    CHECK(real().company_of(psl.registered_domain(host)) == "Amazon");
  }
  // The glob is the company's only: customers' EC2 hosts under the wildcard
  // suffixes stay their own registered domains and nobody's.
  for (const char* host :
       {"ec2-3-80-1-2.compute-1.amazonaws.com", "ec2-52-1-2-3.eu-west-1.compute.amazonaws.com",
        "mail.us-east-1.amazonaws.com", "my-lb-1.eu-west-1.elb.amazonaws.com"}) {
    INFO(host << " -> " << psl.registered_domain(host));
    CHECK_FALSE(real().company_of(psl.registered_domain(host)));
  }
  // Nobody else's registered domain changes: a herokuapp.com app is its own.
  CHECK_FALSE(real().company_of(psl.registered_domain("mx.foo.herokuapp.com")));
}

TEST_CASE("a company whose mail runs in another operator's AS is not unseen there") {
  auto sophos = real().company_index("sophos.com").value();
  CHECK(real().company_has_asn(sophos, 16509));  // AWS: hosted_asns
  CHECK_FALSE(real().company_has_asn(sophos, 15169));
  auto proofpoint = real().company_index("pphosted.com").value();
  CHECK(real().company_has_asn(proofpoint, 26211));  // its own
  CHECK(real().company_has_asn(proofpoint, 15830));  // colocation at Equinix
  // Hosted ASes never relabel: 15830 alone is still nobody's (shared with Zoho).
  CHECK_FALSE(real().relabel_by_as(std::vector<std::uint32_t>{15830}));
  // A company listed without any AS is not AS-checked at all.
  auto hornet = real().company_index("hornetsecurity.com").value();
  CHECK(real().companies()[hornet].asns.empty());
  CHECK(real().company_has_asn(hornet, 64500));
  auto parsed = Catalog::parse(R"(
[[company]]
name = "A"
ids = ["a.example"]
asns = [64500]
hosted_asns = [64511, 64510]
)");
  CHECK(parsed.companies()[0].hosted_asns == std::vector<std::uint32_t>{64510, 64511});
  CHECK(parsed.company_has_asn(0, 64510));
  CHECK_FALSE(parsed.company_has_asn(0, 64501));
}

TEST_CASE("sources and examples are read; an ID claimed twice is listed by a lenient load") {
  const std::string text = R"(
[[company]]
name = "A"
ids = ["a.example", "shared.example"]
asns = [64500]
sources = ["https://a.example/mx"]
examples = ["mx.a.example"]

[[company]]
name = "B"
ids = ["shared.example"]
asns = [64501]
)";
  CHECK(error_of(text).find("provider ID 'shared.example' belongs to two companies") !=
        std::string::npos);
  auto lenient = Catalog::parse(text, "test.toml", CatalogLoad::tolerate_shared_ids);
  REQUIRE(lenient.shared_ids().size() == 1);
  CHECK(lenient.shared_ids()[0].id == "shared.example");
  CHECK(lenient.company_of("shared.example") == "A");  // the first claim stands
  CHECK(lenient.companies()[0].sources == std::vector<std::string>{"https://a.example/mx"});
  CHECK(lenient.companies()[0].examples == std::vector<std::string>{"mx.a.example"});
  CHECK(lenient.companies()[1].line > lenient.companies()[0].line);
  CHECK(error_of("[[company]]\nname = \"A\"\nids = [\"a.example\"]\nasns = []\nsources = \"x\"\n")
            .find("'sources' must be an array of strings") != std::string::npos);
}
