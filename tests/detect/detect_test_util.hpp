// Builds Events directly for detector scenario tests, runs them through the engine, and
// finds findings by id and source.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/ip_address.hpp"
#include "decode/event.hpp"
#include "detect/engine.hpp"

namespace netseen::detect::testutil {

inline IpAddress ip(const char* s) {
  auto a = IpAddress::parse(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(IpAddress{});
}

// A small fluent builder: Ev().at(10.5).from("1.2.3.4", 1234).to("5.6.7.8", 80).tcp(kSyn).ttl(52).build().
class Ev {
 public:
  Ev() {
    e_.ip_version = 4;
    e_.ts = Timestamp::from_seconds(1'100'000'000);  // 2004-11-09
  }
  Ev& at(double seconds) {
    e_.ts = Timestamp{static_cast<std::int64_t>(seconds * 1e6)};
    return *this;
  }
  Ev& from(const char* a, std::uint16_t port = 0) {
    e_.src = ip(a);
    e_.sport = port;
    if (e_.src.is_v6()) e_.ip_version = 6;
    return *this;
  }
  Ev& to(const char* a, std::uint16_t port = 0) {
    e_.dst = ip(a);
    e_.dport = port;
    return *this;
  }
  Ev& tcp(std::uint8_t flags, std::uint32_t payload = 0) {
    e_.transport = decode::Transport::Tcp;
    e_.protocol = 6;
    e_.tcp_flags = flags;
    e_.payload_len = payload;
    return *this;
  }
  Ev& udp(std::uint32_t payload = 0) {
    e_.transport = decode::Transport::Udp;
    e_.protocol = 17;
    e_.payload_len = payload;
    return *this;
  }
  Ev& icmp(std::uint8_t type, std::uint8_t code) {
    e_.transport = e_.ip_version == 6 ? decode::Transport::Icmpv6 : decode::Transport::Icmp;
    e_.protocol = e_.ip_version == 6 ? 58 : 1;
    e_.icmp = decode::Icmp{};
    e_.icmp->type = type;
    e_.icmp->code = code;
    return *this;
  }
  Ev& proto(std::uint8_t p) {
    e_.transport = decode::Transport::Other;
    e_.protocol = p;
    return *this;
  }
  // The packet quoted inside an ICMP error.
  Ev& quoting(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport, std::uint8_t protocol = 17) {
    if (!e_.icmp) e_.icmp = decode::Icmp{};
    decode::Quoted q;
    q.src = ip(src);
    q.dst = ip(dst);
    q.protocol = protocol;
    q.sport = sport;
    q.dport = dport;
    q.has_ports = protocol == 6 || protocol == 17;
    e_.icmp->quoted = q;
    return *this;
  }
  Ev& quoting_echo(const char* src, const char* dst) {
    quoting(src, 0, dst, 0, 1);
    e_.icmp->quoted->icmp_type_code = 8 << 8;
    return *this;
  }
  Ev& ttl(std::uint8_t t) {
    e_.ttl = t;
    e_.has_ttl = true;
    return *this;
  }
  Ev& ipid(std::uint16_t id) {
    e_.ip_id = id;
    e_.has_ip_id = true;
    return *this;
  }
  Ev& window(std::uint16_t w) {
    e_.tcp_window = w;
    return *this;
  }
  Ev& iface(const char* in) {
    e_.in_iface = in;
    return *this;
  }
  Ev& line(std::uint64_t n) {
    e_.origin.number = n;
    e_.origin.is_line = true;
    return *this;
  }
  Ev& drop() {
    e_.action = decode::Action::Drop;
    return *this;
  }
  [[nodiscard]] decode::Event build() const { return e_; }
  decode::Event& event() { return e_; }

 private:
  decode::Event e_;
};

class Scenario {
 public:
  explicit Scenario(EngineOptions opt = {}) {
    auto r = Engine::create(opt);
    EXPECT_TRUE(r.has_value());
    if (r.has_value()) engine_ = std::move(r).value();
  }
  void add(const decode::Event& e) {
    ++frame_;
    decode::Event copy = e;
    if (copy.origin.number == 0) copy.origin.number = frame_;
    engine_->on_event(copy);
  }
  void add(Ev& b) { add(b.build()); }
  const std::vector<Finding>& finish() {
    engine_->finish();
    return engine_->findings();
  }
  [[nodiscard]] const std::vector<Finding>& findings() const { return engine_->findings(); }
  Engine& engine() { return *engine_; }

 private:
  std::unique_ptr<Engine> engine_;
  std::uint64_t frame_ = 0;
};

inline const Finding* find(const std::vector<Finding>& fs, std::string_view id, const char* source = nullptr) {
  for (const auto& f : fs) {
    if (f.id == id && (source == nullptr || f.source == ip(source))) return &f;
  }
  return nullptr;
}

inline std::size_t count_id(const std::vector<Finding>& fs, std::string_view id) {
  std::size_t n = 0;
  for (const auto& f : fs) n += f.id == id ? 1 : 0;
  return n;
}

inline const AttrValue* attr(const Finding& f, std::string_view key) {
  for (const auto& [k, v] : f.attributes) {
    if (k == key) return &v;
  }
  return nullptr;
}
inline std::string attr_str(const Finding& f, std::string_view key) {
  const auto* v = attr(f, key);
  if (v == nullptr) return "<missing>";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(v)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(v)) return std::to_string(*d);
  if (const auto* l = std::get_if<std::vector<std::string>>(v)) {
    std::string out;
    for (const auto& x : *l) out += (out.empty() ? "" : ",") + x;
    return out;
  }
  return "<?>";
}
inline std::int64_t attr_int(const Finding& f, std::string_view key) {
  const auto* v = attr(f, key);
  if (v == nullptr) return -1;
  if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  return -1;
}

// A capped table that filled up with entries of little worth must still find what came
// after (`late`) and keep what was worth keeping (`kept`): both findings of detector `id`
// are there with attribute `attr` at the given values, and at least `min_evicted`
// evictions were counted for `id`.
struct Expected {
  const char* source;
  std::int64_t value;
};
inline void expect_kept_and_late(Scenario& r, std::string_view id, std::string_view attr_key, Expected kept,
                                 Expected late, std::uint64_t min_evicted) {
  const auto& fs = r.finish();
  const auto* l = find(fs, id, late.source);
  ASSERT_NE(l, nullptr) << id << ": what came after the table was full was not tracked";
  EXPECT_EQ(attr_int(*l, attr_key), late.value);
  const auto* k = find(fs, id, kept.source);
  ASSERT_NE(k, nullptr) << id << ": an entry worth keeping was dropped";
  EXPECT_EQ(attr_int(*k, attr_key), kept.value);
  const auto ev = r.engine().context().evictions();
  const auto it = ev.find(id);
  ASSERT_NE(it, ev.end());
  EXPECT_GE(it->second, min_evicted);
}

}  // namespace netseen::detect::testutil
