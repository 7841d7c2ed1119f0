// The HTTP/1.1 connection's read tuning as named types (hyper's ReadStrategy tests): how the
// body read size follows what reads bring, and when a response head's first read is deferred.
#include "transport/read_policy.hpp"

#include <gtest/gtest.h>

namespace {

using httpx::transport::AdaptiveReadSize;
using httpx::transport::HeadReadDeferral;

TEST(AdaptiveReadSize, StartsAt64KiBAndNeverAsksMoreThanTheBodyLeaves) {
    AdaptiveReadSize size;
    EXPECT_EQ(size.next(1 << 30), 64u * 1024);
    EXPECT_EQ(size.next(100), 100u);
}

TEST(AdaptiveReadSize, FullReadsDoubleTheNextUpTo256KiB) {
    AdaptiveReadSize size;
    std::size_t asked = size.next(1 << 30);
    size.record(asked, asked);
    EXPECT_EQ(size.next(1 << 30), 128u * 1024);
    for (int i = 0; i < 5; ++i) {
        asked = size.next(1 << 30);
        size.record(asked, asked);
    }
    EXPECT_EQ(size.next(1 << 30), AdaptiveReadSize::kMax);
}

TEST(AdaptiveReadSize, ReadsUnderHalfFullHalveTheNextDownTo16KiB) {
    AdaptiveReadSize size;
    size.record(size.next(1 << 30), 100);
    EXPECT_EQ(size.next(1 << 30), 32u * 1024);
    for (int i = 0; i < 5; ++i) size.record(size.next(1 << 30), 100);
    EXPECT_EQ(size.next(1 << 30), AdaptiveReadSize::kMin);
}

TEST(AdaptiveReadSize, ReadsBetweenHalfAndFullKeepTheSize) {
    AdaptiveReadSize size;
    const std::size_t asked = size.next(1 << 30);
    size.record(asked, asked / 2);
    size.record(asked, asked - 1);
    EXPECT_EQ(size.next(1 << 30), asked);
}

TEST(AdaptiveReadSize, AFullReadOfWhatTheBodyLeftStillCountsAsFull) {
    // The last read of a body asks only for what is left; filling it doubles the size (the
    // next response starts over anyway).
    AdaptiveReadSize size;
    size.record(size.next(1000), 1000);
    EXPECT_EQ(size.next(1 << 30), 128u * 1024);
    size.reset();
    EXPECT_EQ(size.next(1 << 30), AdaptiveReadSize::kInitial);
}

TEST(HeadReadDeferral, AConnectionDefersItsFirstHeadRead) {
    HeadReadDeferral deferral;
    EXPECT_TRUE(deferral.defer());
}

TEST(HeadReadDeferral, ADeferredReadThatLetNothingRunPausesTheDeferralForEightReads) {
    HeadReadDeferral deferral;
    ASSERT_TRUE(deferral.defer());
    deferral.record();  // no other deferred read started or ended meanwhile
    for (int i = 0; i < HeadReadDeferral::kPause; ++i) EXPECT_FALSE(deferral.defer()) << i;
    EXPECT_TRUE(deferral.defer());
}

TEST(HeadReadDeferral, DeferredReadsOfOtherConnectionsInBetweenKeepItDeferring) {
    // Two connections on one thread, their head reads in flight together (c64's case).
    HeadReadDeferral a, b;
    for (int round = 0; round < 3; ++round) {
        ASSERT_TRUE(a.defer()) << round;
        ASSERT_TRUE(b.defer()) << round;
        a.record();
        b.record();
    }
    EXPECT_TRUE(a.defer());
    EXPECT_TRUE(b.defer());
}

TEST(HeadReadDeferral, AReadDuringWhichNoOtherStartedOrEndedPausesItsConnectionOnly) {
    HeadReadDeferral a, b;
    ASSERT_TRUE(a.defer());
    ASSERT_TRUE(b.defer());
    b.record();  // b's read started after a's: a's ticket moved on, b's did not
    a.record();
    EXPECT_FALSE(b.defer());
    EXPECT_TRUE(a.defer());
}

}  // namespace
