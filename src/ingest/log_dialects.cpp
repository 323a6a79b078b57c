// The list of log dialects, in detection order (most specific first).
#include "ingest/log_common.hpp"
#include "ingest/netfilter.hpp"

namespace netseen::ingest::logs {

namespace {
using Factory = std::unique_ptr<Dialect> (*)();
struct Entry {
  std::string_view name;
  Factory make;
};
constexpr Entry kDialects[] = {
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
