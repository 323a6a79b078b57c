// NetBIOS over TCP/IP (RFC 1001/1002): names, name service, datagram service, session
// service. Depends on src/core only. See name.hpp, nbns.hpp, nbds.hpp, nbss.hpp.
#pragma once

#include "netbios/browser.hpp"
#include "netbios/name.hpp"
#include "netbios/nbds.hpp"
#include "netbios/nbns.hpp"
#include "netbios/nbss.hpp"
#include "netbios/suffixes.hpp"
