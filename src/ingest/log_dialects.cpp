// The list of log dialects, in detection order (most specific first).
#include "ingest/log_common.hpp"
#include "ingest/checkpoint.hpp"
#include "ingest/cisco_asa.hpp"
#include "ingest/cisco_ios.hpp"
#include "ingest/fortinet.hpp"
#include "ingest/ipchains.hpp"
#include "ingest/ipfilter.hpp"
#include "ingest/ipfw.hpp"
#include "ingest/ipfwadm.hpp"
#include "ingest/juniper_srx.hpp"
#include "ingest/netfilter.hpp"
#include "ingest/netseen_respond.hpp"
#include "ingest/paloalto.hpp"
#include "ingest/pf_filterlog.hpp"
#include "ingest/pfirewall.hpp"
#include "ingest/sonicwall.hpp"
#include "ingest/ulogd_json.hpp"

namespace netseen::ingest::logs {

namespace {
using Factory = std::unique_ptr<Dialect> (*)();
struct Entry {
  std::string_view name;
  Factory make;
};
constexpr Entry kDialects[] = {
    {"pfirewall", &make_pfirewall_dialect},
    {"cisco-asa", &make_cisco_asa_dialect},
    {"cisco-ios", &make_cisco_ios_dialect},
    {"ipchains", &make_ipchains_dialect},
    {"ipfwadm", &make_ipfwadm_dialect},
    {"pf", &make_pf_filterlog_dialect},
    {"ipfw", &make_ipfw_dialect},
    {"ipfilter", &make_ipfilter_dialect},
    {"juniper-srx", &make_juniper_srx_dialect},
    {"paloalto", &make_paloalto_dialect},
    {"fortinet", &make_fortinet_dialect},
    {"sonicwall", &make_sonicwall_dialect},
    {"checkpoint", &make_checkpoint_dialect},
    {"netseen-respond", &make_netseen_respond_dialect},
    {"ulogd-json", &make_ulogd_json_dialect},
    {"ulogd", &make_ulogd_dialect},
    {"netfilter", &make_netfilter_dialect},
};
}  // namespace

std::vector<std::unique_ptr<Dialect>> make_all_dialects() {
  std::vector<std::unique_ptr<Dialect>> all;
  for (const auto& e : kDialects) all.push_back(e.make());
  return all;
}

std::unique_ptr<Dialect> make_dialect(std::string_view name) {
  for (const auto& e : kDialects) {
    if (iequals(e.name, name)) return e.make();
  }
  return nullptr;
}

std::vector<std::string_view> dialect_names() {
  std::vector<std::string_view> names;
  for (const auto& e : kDialects) names.push_back(e.name);
  return names;
}

}  // namespace netseen::ingest::logs
