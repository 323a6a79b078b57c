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

}  // namespace netseen::detect
