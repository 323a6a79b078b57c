#include "report/pipeline.hpp"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include "core/limits.hpp"
#include "report/balance.hpp"

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

struct Plan;

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
  std::vector<std::uint8_t> kinds = std::vector<std::uint8_t>(kBatchEvents);  // interest::of each event
  std::size_t used = 0;
  std::uint64_t seq = 0;        // its place in the input, set by the main part
  const Plan* plan = nullptr;        // where the parallel-safe detectors run on it
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

// Where the parallel-safe detectors run from batch `from_seq` on: each lane's (0 the main
// part, 1.. the side groups) as indices into Engine::parallel_detectors(), in registry
// order, and for each lane the lanes it takes a detector from under this plan: before its
// first batch it waits until they are done with every earlier batch, so the detector goes
// on where the other thread left it.
struct Plan {
  std::uint64_t from_seq = 0;
  std::vector<std::vector<std::size_t>> lanes;
  std::vector<std::vector<unsigned>> wait_for;
};

// The parallel-safe detectors of a threaded analysis and the lanes that run them. Every lane
// runs every batch, in order; the main part picks each batch's plan (plan_for) and, every
// `window` batches, moves one detector from the busiest lane to the least busy one when that
// evens them out (choose_move), from measured busy times. Which lane runs a detector never
// changes what it finds.
class Lanes {
 public:
  static constexpr std::size_t kMaxPlans = 256;  // bounds the moves (and the plans kept)
  static constexpr std::uint64_t kFreezeWindows = 8;  // a moved detector stays this long

  // `measure`: move detectors by their measured costs (with more threads than cores the
  // threads' time on a core is not theirs to share out, and moving did not help there).
  Lanes(detect::Engine& engine, unsigned side_lanes, bool light_on_main, bool measure, const AnalyzeOptions& options)
      : engine_(engine),
        dets_(engine.parallel_detectors()),
        lanes_(side_lanes + 1),
        lane_(std::make_unique<LaneState[]>(side_lanes + 1)),
        cost_ns_(dets_.size()),
        cost_batches_(dets_.size()),
        window_(options.balance_rotate || measure ? options.balance_window : 0),
        rotate_(options.balance_rotate),
        frozen_until_(dets_.size(), 0),
        prev_cost_ns_(dets_.size(), 0),
        prev_cost_batches_(dets_.size(), 0),
        prev_busy_(lanes_, 0),
        prev_done_(lanes_, 0),
        prev_cpu_(lanes_, 0),
        clocks_(lanes_) {
    // The start: the light detectors on a main part with a thread of its own, the rest round
    // the side groups in registry order.
    Plan p;
    p.lanes.resize(lanes_);
    p.wait_for.resize(lanes_);
    unsigned next = 0;
    for (std::size_t i = 0; i < dets_.size(); ++i) {
      if (light_on_main && dets_[i]->load() == detect::Detector::Load::Light) {
        p.lanes[0].push_back(i);
      } else {
        p.lanes[1 + next].push_back(i);
        next = (next + 1) % side_lanes;
      }
    }
    plans_.push_back(std::move(p));
  }

  // The main part, for batch `seq` (0, 1, 2, … in input order): the plan it runs under.
  const Plan* plan_for(std::uint64_t seq) {
    if (window_ != 0 && seq != 0 && seq % window_ == 0 && plans_.size() < kMaxPlans) rebalance(seq);
    return &plans_.back();
  }

  // Lane l's detectors of the batch's plan over its events. Returns the nanoseconds spent
  // waiting for a detector's previous lane (not busy time).
  std::uint64_t run(unsigned l, const Plan& plan, std::span<const decode::Event> events,
                    std::span<const std::uint8_t> kinds) {
    std::uint64_t waited = 0;
    for (unsigned from : plan.wait_for[l]) {
      std::uint64_t v = lane_[from].done.load(std::memory_order_acquire);
      if (v >= plan.from_seq) continue;
      const auto t0 = now_ns();
      while (v < plan.from_seq) {
        lane_[from].done.wait(v, std::memory_order_acquire);
        v = lane_[from].done.load(std::memory_order_acquire);
      }
      waited += now_ns() - t0;
    }
    auto t = now_ns();
    for (std::size_t i : plan.lanes[l]) {
      engine_.run_detector(*dets_[i], events, kinds);
      const auto t1 = now_ns();
      cost_ns_[i].fetch_add(t1 - t, std::memory_order_relaxed);
      cost_batches_[i].fetch_add(1, std::memory_order_relaxed);
      t = t1;
    }
    return waited;
  }

  // Lane l is done with batch seq after `busy_ns` of work on it.
  void done(unsigned l, std::uint64_t seq, std::uint64_t busy_ns) {
    lane_[l].busy_ns.fetch_add(busy_ns, std::memory_order_relaxed);
    lane_[l].done.store(seq + 1, std::memory_order_release);
    lane_[l].done.notify_all();
  }

  // The CPU clock of lane l's thread (pthread_getcpuclockid), for rebalance().
  void set_clock(unsigned l, clockid_t clock) {
    if (l < lanes_) clocks_[l] = clock;
  }

  [[nodiscard]] unsigned moves() const noexcept { return static_cast<unsigned>(plans_.size() - 1); }

  static std::uint64_t now_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  }

 private:
  struct alignas(64) LaneState {
    std::atomic<std::uint64_t> done{0};  // batches finished (the next one's seq)
    std::atomic<std::uint64_t> busy_ns{0};
  };

  void rebalance(std::uint64_t seq) {
    const auto& cur = plans_.back();
    std::vector<unsigned> owner(dets_.size(), 0);
    for (unsigned l = 0; l < lanes_; ++l) {
      for (std::size_t i : cur.lanes[l]) owner[i] = l;
    }
    std::optional<BalanceMove> move;
    if (rotate_) {
      if (!dets_.empty()) {
        const std::size_t i = (seq / window_) % dets_.size();
        move = BalanceMove{i, owner[i], (owner[i] + 1) % lanes_};
      }
    } else {
      // Busy time per batch of each lane and cost per batch of each detector over the window
      // (the side lanes trail the main part by a few batches; each is measured over its own).
      std::vector<double> busy(lanes_), cost(dets_.size());
      std::vector<std::uint8_t> movable(dets_.size());
      if (!settled_) {
        // After a move, measure only once every lane runs under the new plan: a window
        // that mixes both would show the move not yet made and make another.
        for (unsigned l = 0; l < lanes_; ++l) {
          if (lane_[l].done.load(std::memory_order_acquire) <= cur.from_seq) return;
        }
        snapshot();
        settled_ = true;
        return;
      }
      // Busy means the lane's thread on a CPU: with more threads than cores a thread waits
      // for a core while its clock runs, so each lane's CPU time (when its thread's clock
      // can be read) scales its wall-clock figures, the detectors' included.
      std::vector<double> on_cpu(lanes_, 1.0);
      for (unsigned l = 0; l < lanes_; ++l) {
        const auto d = lane_[l].done.load(std::memory_order_acquire);
        const auto b = lane_[l].busy_ns.load(std::memory_order_relaxed);
        if (d == prev_done_[l]) return;  // a lane without a finished batch: wait for more
        const auto wall = static_cast<double>(b - prev_busy_[l]);
        busy[l] = wall / static_cast<double>(d - prev_done_[l]);
        if (const auto cpu = cpu_ns(l); cpu && wall > 0) {
          on_cpu[l] = std::min(1.0, static_cast<double>(*cpu - prev_cpu_[l]) / wall);
          busy[l] *= on_cpu[l];
        }
      }
      for (std::size_t i = 0; i < dets_.size(); ++i) {
        const auto ns = cost_ns_[i].load(std::memory_order_relaxed);
        const auto n = cost_batches_[i].load(std::memory_order_relaxed);
        cost[i] = n > prev_cost_batches_[i]
                      ? static_cast<double>(ns - prev_cost_ns_[i]) / static_cast<double>(n - prev_cost_batches_[i])
                      : 0.0;
        cost[i] *= on_cpu[owner[i]];
        movable[i] = seq >= frozen_until_[i] ? 1 : 0;
      }
      snapshot();
      move = choose_move(busy, cost, owner, movable);
      // Only a move two windows in a row ask for: a table growing or being rehashed makes
      // one window's figures an outlier, not the load.
      const bool again = move && pending_ && move->detector == pending_->detector && move->to == pending_->to;
      pending_ = move;
      if (!again) move.reset();
    }
    if (!move || move->from == move->to) return;
    Plan next;
    next.from_seq = seq;
    next.lanes = cur.lanes;
    next.wait_for.resize(lanes_);
    auto& from = next.lanes[move->from];
    from.erase(std::remove(from.begin(), from.end(), move->detector), from.end());
    auto& to = next.lanes[move->to];
    to.insert(std::upper_bound(to.begin(), to.end(), move->detector), move->detector);
    next.wait_for[move->to].push_back(move->from);
    frozen_until_[move->detector] = seq + kFreezeWindows * window_;
    settled_ = false;
    pending_.reset();
    plans_.push_back(std::move(next));
  }

  std::optional<std::uint64_t> cpu_ns(unsigned l) const {
    timespec ts{};
    if (!clocks_[l] || ::clock_gettime(*clocks_[l], &ts) != 0) return std::nullopt;
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }

  // The counters as they are now become the start of the next window.
  void snapshot() {
    for (unsigned l = 0; l < lanes_; ++l) {
      prev_cpu_[l] = cpu_ns(l).value_or(0);
      prev_done_[l] = lane_[l].done.load(std::memory_order_acquire);
      prev_busy_[l] = lane_[l].busy_ns.load(std::memory_order_relaxed);
    }
    for (std::size_t i = 0; i < dets_.size(); ++i) {
      prev_cost_ns_[i] = cost_ns_[i].load(std::memory_order_relaxed);
      prev_cost_batches_[i] = cost_batches_[i].load(std::memory_order_relaxed);
    }
  }

  detect::Engine& engine_;
  std::vector<detect::Detector*> dets_;
  unsigned lanes_;
  std::unique_ptr<LaneState[]> lane_;
  std::vector<std::atomic<std::uint64_t>> cost_ns_, cost_batches_;  // written by the running lane
  std::deque<Plan> plans_;  // main part only; batches point at them (a deque never moves them)
  std::uint64_t window_;
  bool rotate_;
  // The main part's: when each detector may move again, and the counters at the last window.
  std::vector<std::uint64_t> frozen_until_, prev_cost_ns_, prev_cost_batches_, prev_busy_, prev_done_;
  std::vector<std::uint64_t> prev_cpu_;
  std::vector<std::optional<clockid_t>> clocks_;
  std::optional<BalanceMove> pending_;  // what the last window asked for
  bool settled_ = false;  // every lane is past the last move (the first window: past the start)
};

void run_single(Merger& merger, Consumer& consume) {
  decode::Event ev;
  while (merger.next(ev)) consume(ev);
}

// Fills one batch from the merger; false at the end of the inputs (the batch may still hold
// events).
bool fill_batch(Merger& merger, Batch& b) {
  std::size_t used = 0;
  b.payload.clear();
  b.oversized.clear();
  while (used < kBatchEvents && b.payload.size() < kBatchPayloadBytes) {
    decode::Event& ev = b.events[used];
    if (!merger.next(ev)) {
      b.used = used;
      return false;
    }
    b.kinds[used] = detect::interest::of(ev);
    ++used;
    if (ev.app_payload.empty()) continue;
    if (b.payload.capacity() == 0) b.payload.reserve(kBatchPayloadBytes + limits::kMaxPcapRecordBytes);
    const std::size_t n = ev.app_payload.size();
    if (n > b.payload.capacity() - b.payload.size()) {
      // Larger than what is left (pcapng blocks reach 16 MiB): its own copy, and the batch ends.
      b.oversized.emplace_back(ev.app_payload.begin(), ev.app_payload.end());
      ev.app_payload = b.oversized.back();
      break;
    }
    const std::size_t at = b.payload.size();
    b.payload.insert(b.payload.end(), ev.app_payload.begin(), ev.app_payload.end());
    ev.app_payload = std::span<const std::uint8_t>(b.payload.data() + at, n);
  }
  b.used = used;
  return true;
}

// A batch's main part: every event through the consumer in order, the host-table lines of
// events further on loaded meanwhile (Engine::prefetch_main).
void main_part_of(std::span<const decode::Event> events, Consumer& consume, const detect::Engine& engine) {
  constexpr std::size_t kStep = detect::Detector::kPrefetchStep;
  const std::size_t n = events.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 2 * kStep < n) engine.prefetch_main(events[i + 2 * kStep], detect::Detector::Prefetch::Tags);
    if (i + kStep < n) engine.prefetch_main(events[i + kStep], detect::Detector::Prefetch::Entry);
    consume(events[i]);
  }
}

// Logs on one thread: as with more threads, the engine's main part takes a batch event by
// event, then each parallel-safe detector goes through the whole batch before the next one
// (Engine::run_detector). Each detector's tables, code and the batch stay warm for 256
// events instead of every detector taking its turn on every line; the findings are the
// same as event by event (every detector still sees every event in input order).
void run_batched(Merger& merger, Consumer& consume, detect::Engine& engine) {
  engine.split_side(1);
  const auto detectors = engine.parallel_detectors();
  auto b = std::make_unique<Batch>();
  for (;;) {
    const bool more = fill_batch(merger, *b);
    const std::span events(b->events.data(), b->used);
    const std::span kinds(b->kinds.data(), b->used);
    main_part_of(events, consume, engine);
    for (auto* d : detectors) engine.run_detector(*d, events, kinds);
    if (!more) break;
  }
  engine.split_side(0);
}

// Logs, and captures mixed with logs or read live:
// threads == 2: the reader thread reads, decodes and runs the engine's main part; one side
// thread runs parallel-safe detectors (at the start all of them).
// threads >= 3: reading and decoding get a thread of their own, the main part runs on the
// calling thread with the light parallel-safe detectors, and threads - 2 side threads share
// the others.
// From there the parallel-safe detectors move between the main part and the side threads
// toward equal busy time (Lanes). Every detector sees every event in input order, so the
// findings equal the single-threaded run's (tests/scripts/analyze_threads.sh and
// tests/report/balance_test.cpp compare them).
unsigned run_threaded(Merger& merger, Consumer& consume, detect::Engine& engine, unsigned threads,
                      const AnalyzeOptions& options) {
  const unsigned side_threads = threads >= 3 ? threads - 2 : 1;
  const bool own_reader = threads >= 3;
  // split_side() keeps only the engine's own work and the detectors that share its state on
  // on_event_main(); Lanes runs the parallel-safe ones.
  engine.split_side(1);
  Lanes lanes(engine, side_threads, own_reader, threads <= std::max(1u, std::thread::hardware_concurrency()), options);
  std::vector<Batch> batches(kBatches);
  Channel free_batches, decoded;
  std::vector<Channel> side_queues(side_threads);
  for (auto& b : batches) free_batches.push(&b);

  std::vector<std::thread> side;
  side.reserve(side_threads);
  for (unsigned g = 0; g < side_threads; ++g) {
    side.emplace_back([&, g] {
      for (Batch* b = side_queues[g].pop(); b != nullptr; b = side_queues[g].pop()) {
        const auto t0 = Lanes::now_ns();
        const auto waited = lanes.run(g + 1, *b->plan, std::span(b->events.data(), b->used),
                                      std::span(b->kinds.data(), b->used));
        lanes.done(g + 1, b->seq, Lanes::now_ns() - t0 - waited);
        if (b->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) free_batches.push(b);
      }
    });
  }
  for (unsigned l = 0; l <= side_threads; ++l) {
    clockid_t clock{};
    if (::pthread_getcpuclockid(l == 0 ? ::pthread_self() : side[l - 1].native_handle(), &clock) == 0) {
      lanes.set_clock(l, clock);
    }
  }
  // A batch the main part is done with goes to every side thread (nullptr: the end).
  auto to_side = [&](Batch* b) {
    if (b != nullptr) b->pending.store(side_threads, std::memory_order_release);
    for (auto& q : side_queues) q.push(b);
  };
  // The main part's work on a filled batch (busy_ns: time already spent on it, the reading).
  std::uint64_t seq = 0;
  auto main_part = [&](Batch* b, std::uint64_t busy_ns) {
    const auto t0 = Lanes::now_ns();
    b->seq = seq++;
    b->plan = lanes.plan_for(b->seq);
    main_part_of(std::span<const decode::Event>(b->events.data(), b->used), consume, engine);
    const auto waited =
        lanes.run(0, *b->plan, std::span(b->events.data(), b->used), std::span(b->kinds.data(), b->used));
    lanes.done(0, b->seq, busy_ns + (Lanes::now_ns() - t0 - waited));
    to_side(b);
  };

  if (own_reader) {
    std::thread reader([&] {
      for (;;) {
        Batch* b = free_batches.pop();
        const bool more = fill_batch(merger, *b);
        if (b->used != 0) decoded.push(b);
        else free_batches.push(b);
        if (!more) {
          decoded.push(nullptr);
          return;
        }
      }
    });
    for (Batch* b = decoded.pop(); b != nullptr; b = decoded.pop()) main_part(b, 0);
    reader.join();
  } else {
    for (;;) {
      Batch* b = free_batches.pop();
      const auto t0 = Lanes::now_ns();
      const bool more = fill_batch(merger, *b);
      if (b->used != 0) main_part(b, Lanes::now_ns() - t0);
      else free_batches.push(b);
      if (!more) break;
    }
  }
  to_side(nullptr);
  for (auto& t : side) t.join();
  engine.split_side(0);
  return lanes.moves();
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

unsigned choose_threads(const std::vector<std::string>& inputs) {
  std::uint64_t bytes = 0;
  for (const auto& path : inputs) {
    struct stat st {};
    if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) bytes += static_cast<std::uint64_t>(st.st_size);
  }
  if (bytes < kLargeInputBytes) return 1;
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores < 2) return 1;
  // One thread per core. Captures: each reads for itself (a third thread on two cores only
  // decodes the capture once more). Logs: on two cores the reader also runs the engine's
  // main part and the detectors move between it and the side thread until both are as busy
  // (measured: faster than a reader of its own as a third thread, which was 3-4 % ahead of
  // two threads before the detectors moved); from three, the reader has a thread of its own.
  // Beyond 5 side groups there are not enough heavy detectors to share.
  return std::min(cores, 7u);
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
      options.threads == 0 ? choose_threads(options.inputs) : std::min(options.threads, kMaxThreads);
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
      out.detector_moves = run_threaded(merger, consume, *out.engine, out.threads, options);
    } else if (!replayable && !options.event_by_event) {
      run_batched(merger, consume, *out.engine);
    } else {
      run_single(merger, consume);
    }
    if (options.progress) merger.report_progress(true);
  }
  out.engine->finish(out.threads);
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
