#include "report/pipeline.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/limits.hpp"

namespace netseen::report {

namespace {

// Events flow between the threads in batches: the reader fills a batch in place (Events are
// reused, so decoding allocates nothing per packet once warm), the detection threads work
// through it and the last one hands it back. kBatches bounds the memory between threads.
constexpr std::size_t kBatchEvents = 256;
constexpr std::size_t kBatches = 8;
constexpr unsigned kMaxThreads = 16;
constexpr std::uint64_t kLargeInputBytes = std::uint64_t{32} << 20;
// A batch ends early once its copied payload bytes reach this (memory between the threads
// stays under kBatches × (this + one record)).
constexpr std::size_t kBatchPayloadBytes = std::size_t{1} << 20;

// Aligned to a cache line: the reader writes `used` after every event while the other
// threads read their batches' counts; batches sharing a line would bounce it between the
// cores on every event.
struct alignas(64) Batch {
  std::vector<decode::Event> events = std::vector<decode::Event>(kBatchEvents);
  // The events' captured bytes (Event::app_payload), copied: a source's bytes are valid only
  // until it reads on, and a batch is read to its end before anything uses its first event.
  // Reserved once (no reallocation moves bytes an event points at); logs never use it.
  std::vector<std::uint8_t> payload;
  std::vector<std::vector<std::uint8_t>> oversized;
  std::size_t used = 0;
  std::atomic<unsigned> pending{0};  // side threads still working on it
};

// A blocking FIFO of batch pointers; never holds more than kBatches entries.
class Channel {
 public:
  void push(Batch* b) {
    {
      std::lock_guard lock(m_);
      q_.push_back(b);
    }
    cv_.notify_one();
  }
  Batch* pop() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return !q_.empty(); });
    Batch* b = q_.front();
    q_.pop_front();
    return b;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Batch*> q_;
};

// The inputs merged in time order: always the earliest pending event; events outside
// --since/--until are counted and passed over.
class Merger {
 public:
  // `reports`: this merger calls the progress callback (only the main part's does).
  Merger(std::vector<std::unique_ptr<ingest::EventSource>>& sources, const AnalyzeOptions& options,
         std::uint64_t& outside, std::chrono::steady_clock::time_point start, bool reports = true)
      : sources_(sources),
        options_(options),
        reports_(reports && static_cast<bool>(options.progress)),
        outside_(outside),
        start_(start),
        last_report_(start),
        pending_(sources.size()),
        live_(sources.size()) {
    if (sources_.size() > 1) {
      for (std::size_t i = 0; i < sources_.size(); ++i) live_[i] = sources_[i]->next(pending_[i]);
    }
  }

  // Fills `out` with the next event to analyse; false at the end of all inputs.
  bool next(decode::Event& out) {
    for (;;) {
      if (!pull(out)) return false;
      if (reports_ && ++tick_ % 1024 == 0) {
        // The time is looked at every 1024 events, the callback runs at most every interval.
        const auto now = std::chrono::steady_clock::now();
        if (std::chrono::duration<double>(now - last_report_).count() >= options_.progress_interval_s) {
          last_report_ = now;
          report_progress(false);
        }
      }
      if ((options_.since && out.ts < *options_.since) || (options_.until && out.ts > *options_.until)) {
        ++outside_;
        continue;
      }
      return true;
    }
  }

 public:
  // Runs on the thread that reads the sources (their counters are not shared).
  void report_progress(bool done) const {
    Progress p;
    for (const auto& src : sources_) {
      p.bytes_read += src->stats().bytes_read;
      p.bytes_total += src->stats().bytes_total;
      p.records += src->stats().records;
    }
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    p.done = done;
    options_.progress(p);
  }

 private:
  bool pull(decode::Event& out) {
    if (sources_.empty()) return false;
    if (sources_.size() == 1) return sources_[0]->next(out);  // no merge: decode in place
    if (refill_ < sources_.size()) {
      // The source of the event handed out last reads its next record only now: that event's
      // bytes (Event::app_payload) are valid until its source reads on.
      live_[refill_] = sources_[refill_]->next(pending_[refill_]);
      refill_ = sources_.size();
    }
    std::size_t best = sources_.size();
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (live_[i] && (best == sources_.size() || pending_[i].ts < pending_[best].ts)) best = i;
    }
    if (best == sources_.size()) return false;
    std::swap(out, pending_[best]);
    refill_ = best;
    return true;
  }

  std::vector<std::unique_ptr<ingest::EventSource>>& sources_;
  const AnalyzeOptions& options_;
  bool reports_;
  std::uint64_t& outside_;
  std::chrono::steady_clock::time_point start_, last_report_;
  std::uint32_t tick_ = 0;
  std::vector<decode::Event> pending_;
  std::vector<bool> live_;
  std::size_t refill_ = ~std::size_t{0};  // the source to read on at the next pull
};

// Everything done with one analysed event on the engine's main thread: the engine's
// bookkeeping and the detectors that share its context (all of them when not split), and
// the report collectors.
class Consumer {
 public:
  Consumer(const AnalyzeOptions& options, AnalysisResult& out) : options_(options), out_(out) {}
  void operator()(const decode::Event& ev) {
    out_.engine->on_event_main(ev);
    if (options_.collect_baseline && out_.engine->context().inside(ev.src)) out_.baseline.add(ev);
    if (out_.data) out_.data->on_event(ev);
  }

 private:
  const AnalyzeOptions& options_;
  AnalysisResult& out_;
};

void run_single(Merger& merger, Consumer& consume) {
  decode::Event ev;
  while (merger.next(ev)) consume(ev);
}

// Logs, and captures mixed with logs or read live:
// threads == 2: the reader thread reads, decodes and runs the engine's main part; one side
// thread runs the parallel-safe detectors (Engine::on_event_side).
// threads >= 3: reading and decoding get a thread of their own, the main part runs on the
// calling thread, and threads - 2 side threads share the parallel-safe detectors.
// Every stage sees every event in input order, so the findings equal the single-threaded
// run's (tests/report/pipeline_test.cpp compares them).
void run_threaded(Merger& merger, Consumer& consume, detect::Engine& engine, unsigned threads) {
  const unsigned side_threads = threads >= 3 ? threads - 2 : 1;
  const bool own_reader = threads >= 3;
  // With a thread of its own the main part is the lightest of the three (reader, main, side):
  // the light parallel-safe detectors stay on it, the heavy ones go to the side threads.
  engine.split_side(side_threads, own_reader);
  std::vector<Batch> batches(kBatches);
  Channel free_batches, decoded;
  std::vector<Channel> side_queues(side_threads);
  for (auto& b : batches) free_batches.push(&b);

  std::vector<std::thread> side;
  side.reserve(side_threads);
  for (unsigned g = 0; g < side_threads; ++g) {
    side.emplace_back([&, g] {
      for (Batch* b = side_queues[g].pop(); b != nullptr; b = side_queues[g].pop()) {
        const std::size_t used = b->used;
        for (std::size_t i = 0; i < used; ++i) engine.on_event_side(b->events[i], g);
        if (b->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) free_batches.push(b);
      }
    });
  }
  // A batch the main part is done with goes to every side thread (nullptr: the end).
  auto to_side = [&](Batch* b) {
    if (b != nullptr) b->pending.store(side_threads, std::memory_order_release);
    for (auto& q : side_queues) q.push(b);
  };
  // Fills one batch; false at the end of the inputs (the batch may still hold events).
  auto fill = [&](Batch* b) {
    std::size_t used = 0;
    b->payload.clear();
    b->oversized.clear();
    while (used < kBatchEvents && b->payload.size() < kBatchPayloadBytes) {
      decode::Event& ev = b->events[used];
      if (!merger.next(ev)) {
        b->used = used;
        return false;
      }
      ++used;
      if (ev.app_payload.empty()) continue;
      if (b->payload.capacity() == 0) b->payload.reserve(kBatchPayloadBytes + limits::kMaxPcapRecordBytes);
      const std::size_t n = ev.app_payload.size();
      if (n > b->payload.capacity() - b->payload.size()) {
        // Larger than what is left (pcapng blocks reach 16 MiB): its own copy, and the batch ends.
        b->oversized.emplace_back(ev.app_payload.begin(), ev.app_payload.end());
        ev.app_payload = b->oversized.back();
        break;
      }
      const std::size_t at = b->payload.size();
      b->payload.insert(b->payload.end(), ev.app_payload.begin(), ev.app_payload.end());
      ev.app_payload = std::span<const std::uint8_t>(b->payload.data() + at, n);
    }
    b->used = used;
    return true;
  };

  if (own_reader) {
    std::thread reader([&] {
      for (;;) {
        Batch* b = free_batches.pop();
        const bool more = fill(b);
        if (b->used != 0) decoded.push(b);
        else free_batches.push(b);
        if (!more) {
          decoded.push(nullptr);
          return;
        }
      }
    });
    for (Batch* b = decoded.pop(); b != nullptr; b = decoded.pop()) {
      const std::size_t used = b->used;
      for (std::size_t i = 0; i < used; ++i) consume(b->events[i]);
      to_side(b);
    }
    reader.join();
  } else {
    for (;;) {
      Batch* b = free_batches.pop();
      const bool more = fill(b);
      for (std::size_t i = 0; i < b->used; ++i) consume(b->events[i]);
      if (b->used != 0) to_side(b);
      else free_batches.push(b);
      if (!more) break;
    }
  }
  to_side(nullptr);
  for (auto& t : side) t.join();
  engine.split_side(0);
}

// Every input a capture: each side group reads the inputs again on a thread of its own,
// decoding only as deep as its detectors ask (Engine::side_decode_options: addresses, ports,
// flags, ICMP and the DNS/NBNS header; no names, no checksums), while the calling thread
// reads, decodes in full and runs the main part with the light parallel-safe detectors.
// Nothing passes between the threads until finish(): handing every decoded Event to another
// core cost more than decoding the frame a second time (docs/performance.md, fifth round).
// Each group sees every event in input order, as in run_threaded.
void run_replayed(Merger& merger, Consumer& consume, detect::Engine& engine,
                  std::vector<std::vector<std::unique_ptr<ingest::EventSource>>>& side_sources,
                  const AnalyzeOptions& options, std::chrono::steady_clock::time_point start) {
  std::vector<std::thread> side;
  side.reserve(side_sources.size());
  for (unsigned g = 0; g < side_sources.size(); ++g) {
    side.emplace_back([&, g] {
      std::uint64_t outside = 0;  // the main part's merger counts these
      Merger mine(side_sources[g], options, outside, start, false);
      decode::Event ev;
      while (mine.next(ev)) engine.on_event_side(ev, g);
    });
  }
  run_single(merger, consume);
  for (auto& t : side) t.join();
  engine.split_side(0);
}

bool all_replayable(const std::vector<std::unique_ptr<ingest::EventSource>>& sources) {
  return !sources.empty() && std::all_of(sources.begin(), sources.end(), [](const auto& s) { return s->replayable(); });
}

// After split_side(): each side group's own readers of the inputs, decoding to its depth.
std::vector<std::vector<std::unique_ptr<ingest::EventSource>>> replay_sources(
    const std::vector<std::unique_ptr<ingest::EventSource>>& sources, const detect::Engine& engine) {
  std::vector<std::vector<std::unique_ptr<ingest::EventSource>>> out(engine.side_groups());
  for (unsigned g = 0; g < out.size(); ++g) {
    for (const auto& src : sources) out[g].push_back(src->replay(engine.side_decode_options(g)));
  }
  return out;
}

}  // namespace

unsigned choose_threads(const std::vector<std::string>& inputs, bool replayable) {
  std::uint64_t bytes = 0;
  for (const auto& path : inputs) {
    struct stat st {};
    if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) bytes += static_cast<std::uint64_t>(st.st_size);
  }
  if (bytes < kLargeInputBytes) return 1;
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores < 2) return 1;
  // Captures: one thread per core, each reading for itself (a third thread on two cores
  // only decodes the capture once more). Logs: a reader, the engine's main part and the side
  // groups, one more thread than cores, which keeps both cores of a 2-core machine busy
  // (measured: 3 beats 2 and 4 there). Beyond 6 side groups there are not enough heavy
  // detectors to share.
  return replayable ? std::min(cores, 7u) : std::min(cores, 6u) + 1;
}

Result<void> run_analysis(const AnalyzeOptions& options, AnalysisResult& out) {
  const auto start = std::chrono::steady_clock::now();
  NETSEEN_TRY_ASSIGN(out.engine, detect::Engine::create(options.engine));
  for (const auto& [detector, prior] : options.prior) out.engine->context_mut().set_prior(detector, prior);
  std::vector<std::unique_ptr<ingest::EventSource>> sources;
  for (std::size_t i = 0; i < options.inputs.size(); ++i) {
    ingest::OpenOptions open = options.open;
    open.input_index = static_cast<std::uint32_t>(i);
    open.decode = out.engine->decode_options();
    auto src = ingest::open_input(options.inputs[i], open);
    if (!src) {
      out.unreadable.push_back({options.inputs[i], src.error().detail});
      continue;
    }
    sources.push_back(std::move(*src));
  }
  if (options.collect_report_data) out.data = std::make_unique<ReportData>();
  const bool replayable = all_replayable(sources);
  out.threads =
      options.threads == 0 ? choose_threads(options.inputs, replayable) : std::min(options.threads, kMaxThreads);
  {
    Merger merger(sources, options, out.outside_time_window, start);
    Consumer consume(options, out);
    if (out.threads >= 2 && replayable) {
      // The main part (with the light parallel-safe detectors: measured faster than sending
      // them to the side) and threads - 1 side groups.
      out.engine->split_side(out.threads - 1, true);
      auto side_sources = replay_sources(sources, *out.engine);
      run_replayed(merger, consume, *out.engine, side_sources, options, start);
    } else if (out.threads >= 2) {
      run_threaded(merger, consume, *out.engine, out.threads);
    } else {
      run_single(merger, consume);
    }
    if (options.progress) merger.report_progress(true);
  }
  out.engine->finish();
  for (auto& s : sources) out.inputs.push_back(s->stats());
  // Name inputs as the caller wishes (the bundled example is shown without its install path).
  for (std::size_t i = 0, j = 0; i < options.inputs.size() && j < out.inputs.size(); ++i) {
    if (out.inputs[j].path != options.inputs[i]) continue;
    if (i < options.display_names.size()) out.inputs[j].path = options.display_names[i];
    ++j;
  }
  for (auto& u : out.unreadable) {
    for (std::size_t i = 0; i < options.inputs.size() && i < options.display_names.size(); ++i) {
      if (u.path == options.inputs[i]) u.path = options.display_names[i];
    }
  }
  out.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Ok{};
}

}  // namespace netseen::report
