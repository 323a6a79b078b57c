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
  v.push_back(make_scan_vertical());
  v.push_back(make_scan_horizontal());
  v.push_back(make_scan_tcp_flags());
  v.push_back(make_scan_udp());
  v.push_back(make_scan_ip_protocol());
  v.push_back(make_trace_udp());
  v.push_back(make_trace_icmp());
  v.push_back(make_addr_reserved_destination());
  v.push_back(make_addr_private_outside());
  v.push_back(make_addr_loopback_on_wire());
  v.push_back(make_addr_zero_source());
  v.push_back(make_addr_link_local());
  v.push_back(make_addr_directed_broadcast());
  v.push_back(make_icmp_stale_dns());
  v.push_back(make_icmp_netbios_unreachable());
  v.push_back(make_icmp_frag_needed());
  v.push_back(make_icmp_source_quench());
  v.push_back(make_icmp_redirect());
  v.push_back(make_icmp_router_advertisement());
  v.push_back(make_icmp_parameter_problem());
  v.push_back(make_icmp_unsolicited_echo_reply());
  v.push_back(make_icmp_reassembly_timeout());
  v.push_back(make_scan_trojan());
  v.push_back(make_scan_proxy());
  v.push_back(make_dos_smurf());
  v.push_back(make_dos_fraggle());
  v.push_back(make_service_dns_low_source_port());
  v.push_back(make_dos_echo_chargen_loop());
  v.push_back(make_service_identd_backconnect());
  v.push_back(make_scan_sscan());
  v.push_back(make_scan_decoy());
  return v;
}

}  // namespace netseen::detect
