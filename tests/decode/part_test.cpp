// Part<T>, the optional protocol part of an Event: optional-like semantics, storage kept
// across resets (what makes a reused Event allocation-free), deep copies, moves that leave
// the source empty, and reset_event leaving no part visible.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "decode/event.hpp"
#include "decode/frame.hpp"

namespace netseen::decode {
namespace {

TEST(Part, StartsEmptyAndEngagesWithAFreshValue) {
  Part<Dns> p;
  EXPECT_FALSE(p);
  EXPECT_FALSE(p.has_value());
  EXPECT_EQ(p.storage(), nullptr);
  Dns& d = p.emplace();
  EXPECT_TRUE(p);
  EXPECT_EQ(&d, &*p);
  EXPECT_EQ(p->id, 0);
  EXPECT_TRUE(p->qname.empty());
}

TEST(Part, ResetKeepsTheStorageAndTheNextEmplaceStartsClean) {
  Part<Dns> p;
  p.emplace().qname = "old.example";
  p->id = 7;
  p->ptr_targets.push_back("x");
  const Dns* first = p.storage();
  p.reset();
  EXPECT_FALSE(p);
  EXPECT_EQ(p.storage(), first);  // kept for the next packet
  Dns& again = p.emplace();
  EXPECT_EQ(&again, first);  // no new allocation
  EXPECT_EQ(again.id, 0);    // nothing of the old value shows through
  EXPECT_TRUE(again.qname.empty());
  EXPECT_TRUE(again.ptr_targets.empty());
}

TEST(Part, CopiesAreDeepAndCopyingEmptyDisengages) {
  Part<Nbss> a;
  a.emplace().type = 0x81;
  Part<Nbss> b(a);
  ASSERT_TRUE(b);
  EXPECT_NE(b.storage(), a.storage());
  b->type = 0x82;
  EXPECT_EQ(a->type, 0x81);
  Part<Nbss> empty;
  b = empty;
  EXPECT_FALSE(b);
  b = a;
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, 0x81);
  const Part<Nbss>& same = b;
  b = same;  // self-assignment keeps the value
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, 0x81);
}

TEST(Part, MovesTakeTheStorageAndLeaveTheSourceEmpty) {
  Part<Smb> a;
  a.emplace().command = 0x72;
  const Smb* storage = a.storage();
  Part<Smb> b(std::move(a));
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  ASSERT_TRUE(b);
  EXPECT_EQ(b.storage(), storage);
  EXPECT_EQ(b->command, 0x72);
  Part<Smb> c;
  c = std::move(b);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move)
  ASSERT_TRUE(c);
  EXPECT_EQ(c->command, 0x72);
}

TEST(Part, AssignsFromAValue) {
  Part<Icmp> p;
  Icmp v;
  v.type = 3;
  v.code = 4;
  v.mtu = 1400;
  p = v;
  ASSERT_TRUE(p);
  EXPECT_EQ(p->mtu, 1400);
  p = Icmp{};
  ASSERT_TRUE(p);
  EXPECT_EQ(p->mtu, 0);
}

TEST(Part, ResetEventHidesEveryPartAndCopiesOfEventsAreIndependent) {
  Event ev;
  ev.icmp.emplace().type = 8;
  ev.dns.emplace().qname = "a.example";
  ev.nbns.emplace().id = 0x1337;
  ev.nbds.emplace().msg_type = 0x11;
  ev.nbss.emplace().type = 0x85;
  ev.smb.emplace().version = 2;
  ev.rule = "DROP";
  ev.in_iface = "eth0";
  Event copy = ev;
  reset_event(ev);
  EXPECT_FALSE(ev.icmp || ev.dns || ev.nbns || ev.nbds || ev.nbss || ev.smb);
  EXPECT_TRUE(ev.rule.empty());
  EXPECT_TRUE(ev.in_iface.empty());
  ASSERT_TRUE(copy.icmp && copy.dns && copy.nbns && copy.nbds && copy.nbss && copy.smb);
  EXPECT_EQ(copy.icmp->type, 8);
  EXPECT_EQ(copy.dns->qname, "a.example");
  EXPECT_EQ(copy.nbns->id, 0x1337);
  EXPECT_EQ(copy.rule, "DROP");
}

}  // namespace
}  // namespace netseen::decode
