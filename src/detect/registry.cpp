#include "detect/detectors.hpp"
#include "detect/engine.hpp"

namespace netseen::detect {

std::vector<std::unique_ptr<Detector>> make_all_detectors() {
  std::vector<std::unique_ptr<Detector>> v;
  v.push_back(make_nbstat_reverse_lookup());
  v.push_back(make_nbstat_sweep());
  v.push_back(make_nbstat_nmap());
  v.push_back(make_nbstat_dynamic_port());
  v.push_back(make_nbstat_local_inventory());
  v.push_back(make_nbns_spoofed_response());
  v.push_back(make_netbios_outbound_internet());
  v.push_back(make_spread_internal());
  return v;
}

}  // namespace netseen::detect
