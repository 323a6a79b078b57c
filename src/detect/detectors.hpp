// Factories of every detector, one file each (registry.cpp lists them in order).
#pragma once

#include <memory>

#include "detect/detector.hpp"

namespace netseen::detect {

std::unique_ptr<Detector> make_nbstat_reverse_lookup();
std::unique_ptr<Detector> make_nbstat_sweep();
std::unique_ptr<Detector> make_nbstat_nmap();
std::unique_ptr<Detector> make_nbstat_dynamic_port();
std::unique_ptr<Detector> make_nbstat_local_inventory();
std::unique_ptr<Detector> make_nbns_spoofed_response();
std::unique_ptr<Detector> make_netbios_outbound_internet();
std::unique_ptr<Detector> make_spread_internal();
// Scans, traces, floods, ICMP, addresses, services (issue 8).
std::unique_ptr<Detector> make_scan_vertical();
std::unique_ptr<Detector> make_scan_horizontal();
std::unique_ptr<Detector> make_scan_tcp_flags();
std::unique_ptr<Detector> make_scan_udp();
std::unique_ptr<Detector> make_scan_ip_protocol();
std::unique_ptr<Detector> make_trace_udp();
std::unique_ptr<Detector> make_trace_icmp();
std::unique_ptr<Detector> make_addr_reserved_destination();
std::unique_ptr<Detector> make_addr_private_outside();
std::unique_ptr<Detector> make_addr_loopback_on_wire();
std::unique_ptr<Detector> make_addr_zero_source();
std::unique_ptr<Detector> make_addr_link_local();
std::unique_ptr<Detector> make_addr_directed_broadcast();
std::unique_ptr<Detector> make_icmp_stale_dns();
std::unique_ptr<Detector> make_icmp_netbios_unreachable();
std::unique_ptr<Detector> make_icmp_frag_needed();
std::unique_ptr<Detector> make_icmp_source_quench();
std::unique_ptr<Detector> make_icmp_redirect();
std::unique_ptr<Detector> make_icmp_router_advertisement();
std::unique_ptr<Detector> make_icmp_parameter_problem();
std::unique_ptr<Detector> make_icmp_unsolicited_echo_reply();
std::unique_ptr<Detector> make_icmp_reassembly_timeout();
std::unique_ptr<Detector> make_scan_trojan();
std::unique_ptr<Detector> make_scan_proxy();
std::unique_ptr<Detector> make_dos_smurf();
std::unique_ptr<Detector> make_dos_fraggle();
std::unique_ptr<Detector> make_service_dns_low_source_port();
std::unique_ptr<Detector> make_dos_echo_chargen_loop();
std::unique_ptr<Detector> make_service_identd_backconnect();
std::unique_ptr<Detector> make_scan_sscan();
std::unique_ptr<Detector> make_scan_decoy();

}  // namespace netseen::detect
