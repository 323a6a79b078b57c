// NetBIOS over TCP/IP (RFC 1001/1002): names, name service, datagram service, session
// service. Depends on src/core only. See name.hpp, nbns.hpp, nbds.hpp, nbss.hpp.
#pragma once
