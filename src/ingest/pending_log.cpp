// Temporary: log reading until issue 5 lands. An input is reported as unreadable with that
// reason, never as empty. Delete this file when the real reader exists.
#include "ingest/log_source.hpp"

namespace netseen::ingest {

namespace {
class PendingSource final : public EventSource {
 public:
  PendingSource(std::string path, std::string format, std::string why) {
    stats_.path = std::move(path);
    stats_.format = std::move(format);
    stats_.add_error("offset 0", std::move(why));
  }
  bool next(decode::Event&) override { return false; }
  [[nodiscard]] const InputStats& stats() const override { return stats_; }

 private:
  InputStats stats_;
};
}  // namespace

std::unique_ptr<EventSource> make_log_source(std::shared_ptr<const InputBuffer>, std::string path,
                                             const OpenOptions&) {
  return std::make_unique<PendingSource>(std::move(path), "log", "log reading is not built yet (issue 5)");
}

}  // namespace netseen::ingest
