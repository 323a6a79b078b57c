// nbns.spoofed_response — two or more hosts giving different positive answers to the
// same name query (same client, transaction id and name). A name has one owner; a second
// answer pointing elsewhere is a poisoner (Responder, NBNSpoof, Metasploit's nbns module)
// trying to draw the client's connections and credentials. The responder that conflicts
// with others for the most distinct names is the finding's source; answering for many
// names (`many_names`, 3) raises confidence, since a real owner answers only for itself.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "detect/detectors.hpp"
#include "detect/netbios_events.hpp"

namespace netseen::detect {

namespace {

class NbnsSpoofedResponse final : public Detector {
 public:
  struct Config {
    double window_s = 10;      // answers to one query arrive within seconds
    double many_names = 3;
    double max_queries = 100'000;
  };
  [[nodiscard]] std::string_view id() const override { return "nbns.spoofed_response"; }
  [[nodiscard]] std::string_view description() const override {
    return "conflicting positive answers to one NetBIOS name query: a name-service poisoner";
  }
  std::vector<Param> params() override {
    return {{"window_s", &cfg_.window_s, "how long answers to one query are compared"},
            {"many_names", &cfg_.many_names, "conflicting names that mark a poisoner answering for everything"},
            {"max_queries", &cfg_.max_queries, "queries remembered at once"}};
  }

  [[nodiscard]] std::uint8_t interest() const override { return interest::kNetbios; }
  void on_event(const decode::Event& e, Context& ctx) override {
    if (!e.nbns || !e.nbns->response || e.nbns->opcode != 0 || e.nbns->rcode != 0 || !e.nbns->question ||
        e.nbns->qtype != kNbType || e.nbns->nb_addresses.empty()) {
      return;
    }
    record(e, ctx);
  }

  // Out of line: the test above is all most packets cost (no registers saved for it).
  [[gnu::noinline]] void record(const decode::Event& e, Context& ctx) {
    std::string name(e.nbns->question->raw.begin(), e.nbns->question->raw.end());
    Key key{e.dst, e.nbns->id, name};
    auto it = answers_.find(key);
    if (it == answers_.end()) {
      if (static_cast<double>(answers_.size()) >= cfg_.max_queries) expire(e.ts, ctx);
      if (static_cast<double>(answers_.size()) >= cfg_.max_queries) {
        ctx.count_eviction(id());
        return;
      }
      it = answers_.emplace(key, Answers{}).first;
      it->second.first = e.ts;
    }
    auto& a = it->second;
    if (static_cast<double>(e.ts.us - a.first.us) / 1e6 > cfg_.window_s) return;
    const IpAddress addr = e.nbns->nb_addresses.front();
    for (const auto& [responder, given] : a.by_responder) {
      if (responder != e.src && given.address != addr) {
        // A conflict: both responders are suspects; record the pair once per name.
        blame(e.src, name, key.client, snapshot(e), ctx);
        blame(responder, name, key.client, given.origin_event, ctx);
      }
    }
    if (a.by_responder.size() < 8) a.by_responder[e.src] = Given{addr, snapshot(e)};
  }

  void finish(Context& ctx) override {
    // When some responder conflicts over many names, it is the poisoner and the owners it
    // contradicted are not reported; otherwise every party is reported with low confidence.
    std::size_t most = 0;
    for (const auto& [src, s] : suspects_) most = std::max(most, s.names.size());
    const bool clear_poisoner = static_cast<double>(most) >= cfg_.many_names;
    for (auto& [src, s] : suspects_) {
      if (clear_poisoner && static_cast<double>(s.names.size()) < cfg_.many_names) continue;
      Finding f;
      f.id = std::string(id());
      f.severity = Severity::High;
      f.verdict = Verdict::Suspicious;
      const auto names = s.names.size();
      f.confidence = clear_poisoner ? 0.9 : 0.5;
      f.source = src;
      f.target_count = s.clients.size();
      for (const auto& c : s.clients) {
        if (f.target_sample.size() < Finding::kMaxTargetSample) f.target_sample.push_back(c);
      }
      f.first_seen = s.first;
      f.last_seen = s.last;
      f.events = s.events;
      f.evidence = s.evidence.sample();
      std::vector<std::string> shown;
      for (const auto& n : s.names) {
        if (shown.size() < 10) shown.push_back(n);
      }
      f.title = fmt::format("{} gave conflicting answers to NetBIOS name queries for {} name{}", src.to_string(),
                            names, names == 1 ? "" : "s");
      f.explanation = fmt::format(
          "For {} name quer{} another host answered the same client, transaction id and name with a different "
          "address than {} did. A NetBIOS name has one owner, so one of the answers is forged. A host that answers "
          "for many different names is almost certainly a poisoner (Responder and similar tools) trying to pull "
          "the clients' file-sharing and web connections, and their password hashes, towards itself.",
          s.events, s.events == 1 ? "y" : "ies", src.to_string());
      f.advice = "Check which of the responders really owns the names. Disable NetBIOS over TCP/IP and LLMNR on "
                 "clients where they are not needed (DHCP option or group policy), use WINS or DNS for names, and "
                 "look for the poisoning tool on the host that answers for everything.";
      f.attr("names", shown);
      f.dedup_key = fmt::format("{}|{}", id(), src.to_string());
      ctx.emit(std::move(f));
    }
  }

 private:
  struct Snapshot {
    decode::Origin origin;
    Timestamp ts;
  };
  static Snapshot snapshot(const decode::Event& e) { return {e.origin, e.ts}; }
  struct Given {
    IpAddress address;
    Snapshot origin_event;
  };
  struct Key {
    IpAddress client;
    std::uint16_t txid;
    std::string name;
    bool operator<(const Key& o) const { return std::tie(client, txid, name) < std::tie(o.client, o.txid, o.name); }
  };
  struct Answers {
    Timestamp first;
    std::map<IpAddress, Given> by_responder;
  };
  struct Suspect {
    Timestamp first, last;
    std::uint64_t events = 0;
    std::set<std::string> names;
    std::set<IpAddress> clients;
    EvidenceSampler evidence;
  };

  static std::string display(const std::string& raw) {
    std::string s;
    for (std::size_t i = 0; i < 15 && i < raw.size(); ++i) {
      const auto c = static_cast<unsigned char>(raw[i]);
      s += c >= 0x20 && c < 0x7F ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return fmt::format("{}<{:02X}>", s, raw.size() == 16 ? static_cast<unsigned char>(raw[15]) : 0);
  }

  void blame(const IpAddress& responder, const std::string& name, const IpAddress& client, const Snapshot& ev,
             Context& ctx) {
    auto it = suspects_.find(responder);
    if (it == suspects_.end()) {
      if (suspects_.size() >= 10'000) {
        ctx.count_eviction(id());
        return;
      }
      it = suspects_.emplace(responder, Suspect{}).first;
      it->second.first = ev.ts;
    }
    auto& s = it->second;
    if (ev.ts < s.first) s.first = ev.ts;
    if (ev.ts > s.last) s.last = ev.ts;
    ++s.events;
    if (s.names.size() < 256) s.names.insert(display(name));
    if (s.clients.size() < 256) s.clients.insert(client);
    s.evidence.add(ev.origin);
  }

  void expire(Timestamp now, Context&) {
    for (auto it = answers_.begin(); it != answers_.end();) {
      if (static_cast<double>(now.us - it->second.first.us) / 1e6 > cfg_.window_s) {
        it = answers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  Config cfg_;
  std::map<Key, Answers> answers_;
  std::map<IpAddress, Suspect> suspects_;
};

}  // namespace

std::unique_ptr<Detector> make_nbns_spoofed_response() { return std::make_unique<NbnsSpoofedResponse>(); }

}  // namespace netseen::detect
