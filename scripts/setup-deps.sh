#!/usr/bin/env bash
# Installs every Debian package netseen needs to build, test and benchmark, and nothing
# when they are all present. Works as root or through sudo. Idempotent.
set -euo pipefail

# Build toolchain and libraries.
PKGS=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libpcap-dev libfmt-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libsqlite3-dev
  libmaxminddb-dev   # optional --geoip country database (MaxMind DB format)
  libgtest-dev libgmock-dev libbenchmark-dev
  # Real peers and oracles used by the tests.
  tshark tcpdump python3 python3-scapy python3-jsonschema
  python3-impacket   # netbios oracle: impacket's nmb.py decodes our names/flags/node status
  nbtscan samba-common-bin nmap   # talk interop peers: nbtscan, nmblookup, nmap nbstat.nse against netseen respond
  chromium   # headless browser test of the HTML report (tests/scripts/html_browser.sh)
  samba   # nmbd + smbd, run by tests/scripts/talk_samba_netns.sh inside its own network namespaces
  mmdb-bin   # mmdblookup: oracle for the test MaxMind DB that tools/gen_mmdb.py writes
  iproute2 procps   # ip netns / veth for the namespace tests (watch, attribution, Samba); ps, pgrep
  psad fwlogwatch time   # make bench: log-analysis peers; GNU time for wall/CPU/peak RSS
)

missing=()
for p in "${PKGS[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#PKGS[@]} Debian packages present"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup: missing packages (${missing[*]}) and not root, and sudo is not available" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${SUDO[@]}" debconf-set-selections || true
# samba's maintainer scripts would start the system nmbd/smbd (ports 137-139 and 445 in the root
# namespace, where the benchmark and the loopback tests bind 137). A policy-rc.d that denies
# every start keeps them stopped during the install; it is removed again afterwards when this
# script put it there. The tests run their own daemons with a private smb.conf.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# written by netseen scripts/setup-deps.sh during apt-get install\nexit 101\n' |
    "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
  own_policy=1
fi
remove_policy() { if [[ $own_policy -eq 1 ]]; then "${SUDO[@]}" rm -f "$policy"; fi; own_policy=0; }
trap remove_policy EXIT
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# On a host booted with systemd the units are enabled for the next boot: disable them (only the
# ones this run installed).
if [[ " ${missing[*]} " == *" samba "* ]] && [[ -d /run/systemd/system ]]; then
  "${SUDO[@]}" systemctl disable --now smbd nmbd samba-ad-dc >/dev/null 2>&1 || true
fi
