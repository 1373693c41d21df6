// Host unit tests for the capability derivation tree
// (kernel/object/cap_tree.cpp, kernel/object/capability.hpp).
//
// The kernel's operations are modelled by a few helpers over plain Slot
// arrays hanging from a sentinel slot, as the kernel's boot sentinel does:
//   copy(src, dst)          dst->cap = src->cap, as a child of src
//   retype(untyped, dst, a) a new object at address a, as a child of untyped
//   remove(slot)            is_final, then unlink and clear; returns is_final
//   revoke(slot)            remove(leaf_descendant(slot)) until there is none
// libsys's `namespace abi` clashes with libstdc++'s global alias
// `namespace abi = __cxxabiv1;` in <cxxabi.h>, which GoogleTest includes
// only to demangle type names. Keep GoogleTest from including it.
#define GTEST_HAS_CXXABI_H_ 0

#include "object/cap_tree.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

using object::Capability;
using object::ObjectType;
using object::Slot;
namespace cap_tree = object::cap_tree;

constexpr uint64_t kUntypedBase = 0xffff800000100000;

Capability make_cap(ObjectType type, uint64_t address, uint8_t size_bits = 0) {
    Capability cap;
    cap.type = type;
    cap.rights = abi::rights::read | abi::rights::write;
    cap.size_bits = size_bits;
    cap.object = address;
    return cap;
}

Capability untyped_cap(uint64_t address, uint8_t size_bits) { return make_cap(ObjectType::untyped, address, size_bits); }

// The fixtures below describe trees with children in the order they were
// made. The kernel inserts at the head (constant time), so building in
// order here means: insert, then move the new child to the end of its
// siblings with the tree's own operations checked elsewhere.
void append_child(Slot* parent, Slot* child) {
    cap_tree::insert_child(parent, child);
    Slot* last = child;
    while (last->next_sibling) last = last->next_sibling;
    if (last == child) return;
    parent->first_child = child->next_sibling;
    child->next_sibling->prev_sibling = nullptr;
    last->next_sibling = child;
    child->prev_sibling = last;
    child->next_sibling = nullptr;
}

void copy(Slot* src, Slot* dst) {
    dst->cap = src->cap;
    append_child(src, dst);
}

void retype(Slot* untyped, Slot* dst, uint64_t address, ObjectType type = ObjectType::frame, uint8_t size_bits = 0) {
    dst->cap = make_cap(type, address, size_bits);
    append_child(untyped, dst);
}

bool remove(Slot* slot) {
    bool final = cap_tree::is_final(slot);
    cap_tree::unlink(slot);
    slot->cap = Capability{};
    return final;
}

// The capabilities that were final when they were removed, in order.
std::vector<Capability> revoke(Slot* slot) {
    std::vector<Capability> destroyed;
    for (int guard = 0; Slot* leaf = cap_tree::leaf_descendant(slot); ++guard) {
        if (guard > 10000) {
            ADD_FAILURE() << "revoke does not end";
            break;
        }
        Capability cap = leaf->cap;
        if (remove(leaf)) destroyed.push_back(cap);
    }
    return destroyed;
}

// The children of slot, following first_child and next_sibling.
std::vector<Slot*> children(const Slot* slot) {
    std::vector<Slot*> out;
    for (Slot* c = slot->first_child; c && out.size() < 10000; c = c->next_sibling) out.push_back(c);
    return out;
}

bool unlinked(const Slot& s) {
    return !s.parent && !s.first_child && !s.next_sibling && !s.prev_sibling;
}

// Every child of slot points back at it, and the sibling links agree in
// both directions.
::testing::AssertionResult links_consistent(const Slot* slot) {
    const Slot* prev = nullptr;
    size_t i = 0;
    for (const Slot* c = slot->first_child; c; c = c->next_sibling, ++i) {
        if (i > 10000) return ::testing::AssertionFailure() << "sibling list does not end";
        if (c->parent != slot) return ::testing::AssertionFailure() << "child " << i << " has the wrong parent";
        if (c->prev_sibling != prev)
            return ::testing::AssertionFailure() << "child " << i << " has the wrong prev_sibling";
        prev = c;
    }
    return ::testing::AssertionSuccess();
}

// A small forest: a sentinel and numbered slots.
struct Forest {
    Slot sentinel;
    std::vector<Slot> slots;
    explicit Forest(size_t n) : slots(n) {}
    Slot* operator[](size_t i) { return &slots.at(i); }
};

// --- Capability --------------------------------------------------------------

TEST(Capability, SameObjectComparesTypeAddressAndSize) {
    Capability a = make_cap(ObjectType::endpoint, 0x1000);
    Capability b = a;
    b.rights = 0;
    b.data = 42;  // a badge
    b.asid = 7;
    EXPECT_TRUE(a.same_object(b));
    EXPECT_TRUE(b.same_object(a));
    EXPECT_FALSE(a.same_object(make_cap(ObjectType::endpoint, 0x2000)));
    EXPECT_FALSE(a.same_object(make_cap(ObjectType::notification, 0x1000)));
    EXPECT_FALSE(untyped_cap(0x1000, 16).same_object(untyped_cap(0x1000, 12)));
    EXPECT_TRUE(untyped_cap(0x1000, 16).same_object(untyped_cap(0x1000, 16)));
}

TEST(Capability, DefaultIsNullAndSlotIsEmpty) {
    Capability cap;
    EXPECT_TRUE(cap.is_null());
    EXPECT_FALSE(make_cap(ObjectType::frame, 0x1000).is_null());
    Slot slot;
    EXPECT_TRUE(slot.cap.is_null());
    EXPECT_TRUE(unlinked(slot));
    EXPECT_EQ(sizeof(Slot), 1u << abi::cnode_slot_size_bits);
}

// --- insert_child ------------------------------------------------------------

TEST(InsertChild, InsertsAtTheHeadInConstantTime) {
    Forest f(4);
    f[0]->cap = untyped_cap(kUntypedBase, 16);
    cap_tree::insert_child(&f.sentinel, f[0]);
    for (size_t i = 1; i <= 3; ++i) {
        f[i]->cap = make_cap(ObjectType::frame, kUntypedBase + i * 0x1000);
        cap_tree::insert_child(f[0], f[i]);
    }
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[3], f[2], f[1]}));
    EXPECT_EQ(f[3]->prev_sibling, nullptr);
    EXPECT_EQ(f[1]->next_sibling, nullptr);
    EXPECT_TRUE(links_consistent(f[0]));
}

TEST(InsertChild, AppendsChildrenInOrder) {
    Forest f(5);
    f.sentinel.cap = Capability{};
    f[0]->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, f[0]);
    EXPECT_EQ(f.sentinel.first_child, f[0]);
    EXPECT_EQ(f[0]->parent, &f.sentinel);
    EXPECT_EQ(f[0]->prev_sibling, nullptr);
    EXPECT_EQ(f[0]->next_sibling, nullptr);

    for (size_t i = 1; i <= 3; ++i) retype(f[0], f[i], kUntypedBase + i * 0x1000);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[1], f[2], f[3]}));
    EXPECT_EQ(f[0]->first_child, f[1]);
    EXPECT_EQ(f[1]->prev_sibling, nullptr);
    EXPECT_EQ(f[3]->next_sibling, nullptr);
    EXPECT_EQ(f[2]->prev_sibling, f[1]);
    EXPECT_EQ(f[2]->next_sibling, f[3]);
    EXPECT_TRUE(links_consistent(f[0]));
    EXPECT_TRUE(links_consistent(&f.sentinel));
    for (size_t i = 1; i <= 3; ++i) EXPECT_EQ(f[i]->first_child, nullptr);

    // A grandchild does not disturb its parent's siblings.
    copy(f[2], f[4]);
    EXPECT_EQ(f[2]->first_child, f[4]);
    EXPECT_EQ(f[4]->parent, f[2]);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[1], f[2], f[3]}));
    EXPECT_TRUE(links_consistent(f[2]));
    EXPECT_EQ(f[4]->cap.object, f[2]->cap.object);
}

// Names for tests parameterized by the position among three siblings.
std::string position_name(const ::testing::TestParamInfo<int>& info) {
    static const char* const names[] = {"First", "Middle", "Last"};
    return names[info.param];
}

// --- unlink ------------------------------------------------------------------

// Sentinel -> untyped 0 -> leaves 1, 2, 3.
struct ThreeLeaves : ::testing::Test {
    Forest f{8};
    void SetUp() override {
        f[0]->cap = untyped_cap(kUntypedBase, 16);
        append_child(&f.sentinel, f[0]);
        for (size_t i = 1; i <= 3; ++i) retype(f[0], f[i], kUntypedBase + i * 0x1000);
    }
};

TEST_F(ThreeLeaves, UnlinkFirstLeaf) {
    Capability cap = f[1]->cap;
    cap_tree::unlink(f[1]);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[2], f[3]}));
    EXPECT_EQ(f[0]->first_child, f[2]);
    EXPECT_TRUE(links_consistent(f[0]));
    EXPECT_TRUE(unlinked(*f[1]));
    // The capability is the caller's to clear.
    EXPECT_TRUE(f[1]->cap.same_object(cap));
}

TEST_F(ThreeLeaves, UnlinkMiddleLeaf) {
    cap_tree::unlink(f[2]);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[1], f[3]}));
    EXPECT_EQ(f[1]->next_sibling, f[3]);
    EXPECT_EQ(f[3]->prev_sibling, f[1]);
    EXPECT_TRUE(links_consistent(f[0]));
    EXPECT_TRUE(unlinked(*f[2]));
}

TEST_F(ThreeLeaves, UnlinkLastLeaf) {
    cap_tree::unlink(f[3]);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[1], f[2]}));
    EXPECT_EQ(f[2]->next_sibling, nullptr);
    EXPECT_TRUE(links_consistent(f[0]));
    EXPECT_TRUE(unlinked(*f[3]));
    // Appending after an unlink still goes at the end.
    retype(f[0], f[4], kUntypedBase + 0x9000);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[1], f[2], f[4]}));
    EXPECT_TRUE(links_consistent(f[0]));
}

TEST_F(ThreeLeaves, UnlinkAllLeavesEmptiesParent) {
    cap_tree::unlink(f[2]);
    cap_tree::unlink(f[1]);
    cap_tree::unlink(f[3]);
    EXPECT_EQ(f[0]->first_child, nullptr);
    EXPECT_EQ(f.sentinel.first_child, f[0]);
    retype(f[0], f[4], kUntypedBase + 0x9000);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[4]}));
    EXPECT_TRUE(links_consistent(f[0]));
}

// The node to unlink, with two children (each with a child of its own),
// at a given position among three siblings under the untyped.
struct UnlinkWithChildren : ::testing::TestWithParam<int> {};

TEST_P(UnlinkWithChildren, ChildrenTakeItsPlaceInOrder) {
    const int position = GetParam();
    Forest f(12);
    Slot* u = f[0];
    u->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, u);
    Slot* siblings[3] = {f[1], f[2], f[3]};
    for (int i = 0; i < 3; ++i) retype(u, siblings[i], kUntypedBase + (i + 1) * 0x1000);
    Slot* node = siblings[position];
    copy(node, f[4]);
    copy(node, f[5]);
    copy(f[4], f[6]);  // grandchildren stay where they are
    copy(f[5], f[7]);

    cap_tree::unlink(node);

    std::vector<Slot*> expected;
    for (int i = 0; i < 3; ++i) {
        if (i == position) {
            expected.push_back(f[4]);
            expected.push_back(f[5]);
        } else {
            expected.push_back(siblings[i]);
        }
    }
    EXPECT_EQ(children(u), expected);
    EXPECT_EQ(u->first_child, expected.front());
    EXPECT_EQ(f[4]->parent, u);
    EXPECT_EQ(f[5]->parent, u);
    EXPECT_TRUE(links_consistent(u));
    EXPECT_EQ(expected.back()->next_sibling, nullptr);
    EXPECT_EQ(children(f[4]), (std::vector<Slot*>{f[6]}));
    EXPECT_EQ(children(f[5]), (std::vector<Slot*>{f[7]}));
    EXPECT_TRUE(links_consistent(f[4]));
    EXPECT_TRUE(links_consistent(f[5]));
    EXPECT_TRUE(unlinked(*node));
    EXPECT_TRUE(links_consistent(&f.sentinel));
}

INSTANTIATE_TEST_SUITE_P(Position, UnlinkWithChildren, ::testing::Values(0, 1, 2),
position_name);

TEST(Unlink, OnlyChildWithChildren) {
    Forest f(5);
    f[0]->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, f[0]);
    retype(f[0], f[1], kUntypedBase);
    copy(f[1], f[2]);
    copy(f[1], f[3]);
    copy(f[1], f[4]);
    cap_tree::unlink(f[1]);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[2], f[3], f[4]}));
    EXPECT_EQ(f[2]->prev_sibling, nullptr);
    EXPECT_EQ(f[4]->next_sibling, nullptr);
    EXPECT_TRUE(links_consistent(f[0]));
    EXPECT_TRUE(unlinked(*f[1]));
}

TEST(Unlink, ChildOfSentinelSplicesIntoSentinel) {
    Forest f(4);
    f[0]->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, f[0]);
    f[3]->cap = make_cap(ObjectType::debug_console, 0);
    append_child(&f.sentinel, f[3]);
    retype(f[0], f[1], kUntypedBase);
    retype(f[0], f[2], kUntypedBase + 0x1000);
    cap_tree::unlink(f[0]);
    EXPECT_EQ(children(&f.sentinel), (std::vector<Slot*>{f[1], f[2], f[3]}));
    EXPECT_TRUE(links_consistent(&f.sentinel));
    EXPECT_TRUE(unlinked(*f[0]));
}

// --- move --------------------------------------------------------------------

struct MoveAt : ::testing::TestWithParam<int> {};

TEST_P(MoveAt, TransfersCapabilityPositionAndChildren) {
    const int position = GetParam();
    Forest f(10);
    Slot* u = f[0];
    u->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, u);
    Slot* siblings[3] = {f[1], f[2], f[3]};
    for (int i = 0; i < 3; ++i) retype(u, siblings[i], kUntypedBase + (i + 1) * 0x1000, ObjectType::endpoint);
    Slot* from = siblings[position];
    from->cap.data = 0x1234;  // a badge, to see the whole capability moves
    copy(from, f[4]);
    copy(from, f[5]);
    copy(f[4], f[6]);
    Capability cap = from->cap;

    Slot* to = f[9];
    cap_tree::move(from, to);

    EXPECT_TRUE(from->cap.is_null());
    EXPECT_TRUE(unlinked(*from));
    EXPECT_TRUE(to->cap.same_object(cap));
    EXPECT_EQ(to->cap.data, 0x1234u);
    EXPECT_EQ(to->cap.rights, cap.rights);
    EXPECT_EQ(to->parent, u);
    std::vector<Slot*> expected(std::begin(siblings), std::end(siblings));
    expected[position] = to;
    EXPECT_EQ(children(u), expected);
    EXPECT_EQ(u->first_child, expected.front());
    EXPECT_TRUE(links_consistent(u));
    EXPECT_EQ(children(to), (std::vector<Slot*>{f[4], f[5]}));
    EXPECT_TRUE(links_consistent(to));
    EXPECT_EQ(children(f[4]), (std::vector<Slot*>{f[6]}));
    EXPECT_TRUE(links_consistent(f[4]));

    // The moved capability behaves as the original did.
    EXPECT_FALSE(cap_tree::is_final(to));
    EXPECT_TRUE(revoke(to).empty());
    EXPECT_TRUE(cap_tree::is_final(to));
    EXPECT_EQ(to->first_child, nullptr);
    EXPECT_TRUE(remove(to));
    EXPECT_EQ(children(u).size(), 2u);
    EXPECT_TRUE(links_consistent(u));
}

INSTANTIATE_TEST_SUITE_P(Position, MoveAt, ::testing::Values(0, 1, 2),
position_name);

TEST(Move, OnlyChildLeaf) {
    Forest f(3);
    f[0]->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, f[0]);
    retype(f[0], f[1], kUntypedBase);
    cap_tree::move(f[1], f[2]);
    EXPECT_EQ(children(f[0]), (std::vector<Slot*>{f[2]}));
    EXPECT_EQ(f[2]->prev_sibling, nullptr);
    EXPECT_EQ(f[2]->next_sibling, nullptr);
    EXPECT_EQ(f[2]->first_child, nullptr);
    EXPECT_TRUE(f[1]->cap.is_null());
    EXPECT_TRUE(unlinked(*f[1]));
    EXPECT_TRUE(cap_tree::is_final(f[2]));
}

TEST(Move, UntypedKeepsItsObjects) {
    Forest f(5);
    f[0]->cap = untyped_cap(kUntypedBase, 16);
    append_child(&f.sentinel, f[0]);
    retype(f[0], f[1], kUntypedBase);
    retype(f[0], f[2], kUntypedBase + 0x1000);
    cap_tree::move(f[0], f[4]);
    EXPECT_EQ(f.sentinel.first_child, f[4]);
    EXPECT_EQ(children(f[4]), (std::vector<Slot*>{f[1], f[2]}));
    EXPECT_TRUE(links_consistent(f[4]));
    EXPECT_TRUE(links_consistent(&f.sentinel));
    EXPECT_TRUE(unlinked(*f[0]));
    EXPECT_TRUE(f[0]->cap.is_null());
    std::vector<Capability> destroyed = revoke(f[4]);
    EXPECT_EQ(destroyed.size(), 2u);
}

// --- is_final ----------------------------------------------------------------

struct OneUntyped : ::testing::Test {
    Forest f{16};
    Slot* u = nullptr;
    void SetUp() override {
        u = f[15];
        u->cap = untyped_cap(kUntypedBase, 20);
        append_child(&f.sentinel, u);
    }
};

TEST_F(OneUntyped, OnlyCapabilityIsFinal) {
    retype(u, f[0], kUntypedBase, ObjectType::endpoint);
    EXPECT_TRUE(cap_tree::is_final(f[0]));
    // Neighbouring caps to other objects do not count.
    retype(u, f[1], kUntypedBase + 0x1000, ObjectType::endpoint);
    retype(u, f[2], kUntypedBase + 0x2000, ObjectType::endpoint);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(cap_tree::is_final(f[i])) << i;
    // Nor does another type at the same address.
    retype(u, f[3], kUntypedBase + 0x1000, ObjectType::notification);
    EXPECT_TRUE(cap_tree::is_final(f[1]));
    EXPECT_TRUE(cap_tree::is_final(f[3]));
    EXPECT_TRUE(remove(f[1]));
    EXPECT_TRUE(remove(f[0]));
}

TEST_F(OneUntyped, CopiesAreNotFinal) {
    retype(u, f[0], kUntypedBase, ObjectType::endpoint);
    copy(f[0], f[1]);
    EXPECT_FALSE(cap_tree::is_final(f[0]));  // it has a copy
    EXPECT_FALSE(cap_tree::is_final(f[1]));  // its source exists
    // A mint (other rights and a badge) names the same object.
    copy(f[1], f[2]);
    f[2]->cap.rights = abi::rights::write;
    f[2]->cap.data = 99;
    EXPECT_FALSE(cap_tree::is_final(f[2]));
    EXPECT_FALSE(remove(f[2]));
    EXPECT_FALSE(remove(f[1]));
    EXPECT_TRUE(cap_tree::is_final(f[0]));
    EXPECT_TRUE(remove(f[0]));
}

TEST_F(OneUntyped, CopiesOfDeletedOriginalBecomeSiblings) {
    retype(u, f[9], kUntypedBase + 0x8000, ObjectType::endpoint);  // neighbours to other objects
    retype(u, f[0], kUntypedBase, ObjectType::endpoint);
    retype(u, f[8], kUntypedBase + 0x9000, ObjectType::endpoint);
    copy(f[0], f[1]);
    copy(f[0], f[2]);
    copy(f[0], f[3]);
    EXPECT_FALSE(remove(f[0]));
    EXPECT_EQ(children(u), (std::vector<Slot*>{f[9], f[1], f[2], f[3], f[8]}));
    for (int i = 1; i <= 3; ++i) EXPECT_FALSE(cap_tree::is_final(f[i])) << i;
    EXPECT_FALSE(remove(f[2]));  // the middle one
    EXPECT_FALSE(cap_tree::is_final(f[1]));
    EXPECT_FALSE(cap_tree::is_final(f[3]));
    EXPECT_FALSE(remove(f[1]));
    EXPECT_TRUE(cap_tree::is_final(f[3]));
    EXPECT_TRUE(cap_tree::is_final(f[9]));
    EXPECT_TRUE(cap_tree::is_final(f[8]));
    EXPECT_TRUE(remove(f[3]));
    EXPECT_EQ(children(u), (std::vector<Slot*>{f[9], f[8]}));
}

TEST_F(OneUntyped, ChainWithMiddleDeleted) {
    retype(u, f[0], kUntypedBase, ObjectType::notification);
    copy(f[0], f[1]);
    copy(f[1], f[2]);
    EXPECT_FALSE(remove(f[1]));
    EXPECT_EQ(f[2]->parent, f[0]);
    EXPECT_FALSE(cap_tree::is_final(f[0]));
    EXPECT_FALSE(cap_tree::is_final(f[2]));
    EXPECT_FALSE(remove(f[0]));
    EXPECT_EQ(f[2]->parent, u);
    EXPECT_TRUE(cap_tree::is_final(f[2]));
}

TEST_F(OneUntyped, UntypedIsFinalEvenWithChildren) {
    EXPECT_TRUE(cap_tree::is_final(u));
    retype(u, f[0], kUntypedBase, ObjectType::frame);
    retype(u, f[1], kUntypedBase + 0x1000, ObjectType::frame);
    EXPECT_TRUE(cap_tree::is_final(u));
    EXPECT_TRUE(cap_tree::is_final(f[0]));
    EXPECT_TRUE(cap_tree::is_final(f[1]));
}

TEST_F(OneUntyped, SmallerUntypedAtSameBaseIsAnotherObject) {
    retype(u, f[0], kUntypedBase, ObjectType::untyped, 16);
    EXPECT_TRUE(cap_tree::is_final(u));
    EXPECT_TRUE(cap_tree::is_final(f[0]));
    retype(f[0], f[1], kUntypedBase, ObjectType::untyped, 12);
    EXPECT_TRUE(cap_tree::is_final(f[0]));
    EXPECT_TRUE(cap_tree::is_final(f[1]));
    retype(f[1], f[2], kUntypedBase, ObjectType::frame);
    EXPECT_TRUE(cap_tree::is_final(f[2]));
    // Deleting the middle untyped puts the smaller one next to nothing of
    // its own kind: all still final.
    EXPECT_TRUE(remove(f[0]));
    EXPECT_EQ(f[1]->parent, u);
    EXPECT_TRUE(cap_tree::is_final(f[1]));
    EXPECT_TRUE(cap_tree::is_final(u));
    // Two untyped siblings of different sizes at one base.
    retype(u, f[3], kUntypedBase, ObjectType::untyped, 13);
    EXPECT_EQ(f[1]->next_sibling, f[3]);
    EXPECT_TRUE(cap_tree::is_final(f[1]));
    EXPECT_TRUE(cap_tree::is_final(f[3]));
}

// --- leaf_descendant ---------------------------------------------------------

TEST_F(OneUntyped, LeafDescendantFollowsFirstChildren) {
    EXPECT_EQ(cap_tree::leaf_descendant(u), nullptr);
    retype(u, f[0], kUntypedBase);
    EXPECT_EQ(cap_tree::leaf_descendant(u), f[0]);
    EXPECT_EQ(cap_tree::leaf_descendant(f[0]), nullptr);
    retype(u, f[1], kUntypedBase + 0x1000);
    EXPECT_EQ(cap_tree::leaf_descendant(u), f[0]);  // the first branch
    copy(f[1], f[3]);
    copy(f[1], f[4]);
    copy(f[3], f[5]);
    EXPECT_EQ(cap_tree::leaf_descendant(u), f[0]);
    EXPECT_EQ(cap_tree::leaf_descendant(f[1]), f[5]);  // f[1] -> f[3] -> f[5]
    copy(f[0], f[2]);
    copy(f[2], f[6]);
    EXPECT_EQ(cap_tree::leaf_descendant(u), f[6]);
    EXPECT_EQ(cap_tree::leaf_descendant(f[3]), f[5]);
    EXPECT_EQ(cap_tree::leaf_descendant(f[6]), nullptr);
    EXPECT_EQ(cap_tree::leaf_descendant(&f.sentinel), f[6]);
}

// --- revoke ------------------------------------------------------------------

TEST(Revoke, UntypedWithCopiedObjectsReportsEachObjectOnce) {
    Forest f(16);
    Slot* u = f[0];
    u->cap = untyped_cap(kUntypedBase, 20);
    append_child(&f.sentinel, u);
    // Siblings of the untyped, which the revoke must leave alone.
    f[13]->cap = make_cap(ObjectType::debug_console, 0);
    append_child(&f.sentinel, f[13]);
    f[14]->cap = untyped_cap(kUntypedBase + (1 << 20), 20);
    append_child(&f.sentinel, f[14]);
    retype(f[14], f[15], kUntypedBase + (1 << 20));

    const ObjectType types[3] = {ObjectType::endpoint, ObjectType::frame, ObjectType::notification};
    for (int i = 0; i < 3; ++i) {
        Slot* obj = f[1 + 3 * i];
        retype(u, obj, kUntypedBase + i * 0x1000, types[i]);
        copy(obj, f[2 + 3 * i]);
        copy(obj, f[3 + 3 * i]);
    }
    // One copy of a copy, too.
    copy(f[2], f[10]);

    std::vector<Capability> destroyed = revoke(u);
    ASSERT_EQ(destroyed.size(), 3u);
    std::set<std::tuple<int, uint64_t>> seen;
    for (const Capability& cap : destroyed) seen.emplace(int(cap.type), cap.object);
    EXPECT_EQ(seen.size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(seen.count({int(types[i]), kUntypedBase + i * 0x1000})) << i;

    for (int i = 1; i <= 10; ++i) {
        EXPECT_TRUE(f[i]->cap.is_null()) << i;
        EXPECT_TRUE(unlinked(*f[i])) << i;
    }
    EXPECT_EQ(u->first_child, nullptr);
    EXPECT_EQ(u->parent, &f.sentinel);
    EXPECT_EQ(u->cap.type, ObjectType::untyped);
    EXPECT_EQ(children(&f.sentinel), (std::vector<Slot*>{u, f[13], f[14]}));
    EXPECT_TRUE(links_consistent(&f.sentinel));
    EXPECT_EQ(children(f[14]), (std::vector<Slot*>{f[15]}));
    EXPECT_EQ(f[15]->cap.type, ObjectType::frame);
    EXPECT_TRUE(cap_tree::is_final(u));
}

TEST(Revoke, CopyRevokesOnlyItsSubtree) {
    Forest f(10);
    Slot* u = f[0];
    u->cap = untyped_cap(kUntypedBase, 20);
    append_child(&f.sentinel, u);
    retype(u, f[1], kUntypedBase, ObjectType::endpoint);
    retype(u, f[9], kUntypedBase + 0x1000, ObjectType::endpoint);
    copy(f[1], f[2]);
    copy(f[1], f[3]);  // sibling of f[2]: untouched
    copy(f[2], f[4]);
    copy(f[2], f[5]);
    copy(f[4], f[6]);

    EXPECT_TRUE(revoke(f[2]).empty());  // f[2] still names the object
    for (int i : {4, 5, 6}) {
        EXPECT_TRUE(f[i]->cap.is_null()) << i;
        EXPECT_TRUE(unlinked(*f[i])) << i;
    }
    EXPECT_EQ(children(f[1]), (std::vector<Slot*>{f[2], f[3]}));
    EXPECT_EQ(f[2]->first_child, nullptr);
    EXPECT_EQ(children(u), (std::vector<Slot*>{f[1], f[9]}));
    EXPECT_TRUE(links_consistent(f[1]));
    EXPECT_FALSE(cap_tree::is_final(f[2]));

    // Revoking a leaf does nothing.
    EXPECT_TRUE(revoke(f[3]).empty());
    EXPECT_EQ(children(f[1]), (std::vector<Slot*>{f[2], f[3]}));

    // Revoking the original leaves it the only capability.
    EXPECT_TRUE(revoke(f[1]).empty());
    EXPECT_TRUE(cap_tree::is_final(f[1]));
    EXPECT_TRUE(f[9]->cap.type == ObjectType::endpoint);
}

TEST(Revoke, NestedUntypedReportsEveryObjectBelow) {
    Forest f(10);
    Slot* u = f[0];
    u->cap = untyped_cap(kUntypedBase, 20);
    append_child(&f.sentinel, u);
    retype(u, f[1], kUntypedBase, ObjectType::untyped, 16);
    retype(f[1], f[2], kUntypedBase, ObjectType::frame);
    retype(f[1], f[3], kUntypedBase + 0x1000, ObjectType::frame);
    copy(f[3], f[4]);
    retype(u, f[5], kUntypedBase + 0x10000, ObjectType::endpoint);
    // The inner untyped, its two frames and the endpoint.
    EXPECT_EQ(revoke(u).size(), 4u);
    for (int i = 1; i <= 5; ++i) EXPECT_TRUE(f[i]->cap.is_null()) << i;
}

// --- randomized --------------------------------------------------------------

using ObjectKey = std::tuple<int, uint64_t, int>;

ObjectKey key_of(const Capability& cap) { return {int(cap.type), cap.object, cap.size_bits}; }

std::string describe(const ObjectKey& k) {
    std::ostringstream out;
    out << "type " << std::get<0>(k) << " at 0x" << std::hex << std::get<1>(k) << std::dec << " size "
        << std::get<2>(k);
    return out.str();
}

class Model {
public:
    explicit Model(uint32_t seed) : rng_(seed), slots_(kSlots) { new_root_untyped(); }

    void step() {
        std::vector<Slot*> full = filled(), empty = empties();
        int op = pick(100);
        if (op < 25 && !empty.empty()) {
            // Copy (or mint) any non-untyped capability.
            std::vector<Slot*> sources;
            for (Slot* s : full)
                if (s->cap.type != ObjectType::untyped) sources.push_back(s);
            if (sources.empty()) return;
            Slot* src = sources[pick(sources.size())];
            Slot* dst = empty[pick(empty.size())];
            trace_ << "copy " << index(src) << " -> " << index(dst) << "\n";
            copy(src, dst);
            if (pick(2)) dst->cap.data = pick(1000), dst->cap.rights = uint8_t(pick(8));
        } else if (op < 45 && !empty.empty()) {
            // Retype a new object from some untyped (a new root if none is left).
            std::vector<Slot*> untyped;
            for (Slot* s : full)
                if (s->cap.type == ObjectType::untyped) untyped.push_back(s);
            if (untyped.empty()) {
                new_root_untyped();
                return;
            }
            Slot* from = untyped[pick(untyped.size())];
            Slot* dst = empty[pick(empty.size())];
            static const ObjectType types[] = {ObjectType::endpoint, ObjectType::frame, ObjectType::notification,
                                               ObjectType::cnode, ObjectType::untyped};
            ObjectType type = types[pick(5)];
            if (type == ObjectType::untyped && from->cap.size_bits < abi::untyped_min_bits + 3) type = ObjectType::frame;
            uint8_t size_bits = type == ObjectType::untyped ? uint8_t(from->cap.size_bits - 1 - pick(3))
                                : type == ObjectType::cnode ? 4 : 0;
            // Untyped regions are carved at the parent's base at times, so
            // that only their size tells them apart. (The kernel's watermark
            // never carves a region that is still live twice; nor does this.)
            uint64_t address = fresh_address();
            if (type == ObjectType::untyped && pick(2) &&
                !count_caps().count(key_of(untyped_cap(from->cap.object, size_bits))))
                address = from->cap.object;
            trace_ << "retype " << index(from) << " -> " << index(dst) << " type " << int(type) << "\n";
            retype(from, dst, address, type, size_bits);
            created(dst->cap);
        } else if (op < 70 && !full.empty()) {
            Slot* s = full[pick(full.size())];
            trace_ << "delete " << index(s) << "\n";
            remove_and_record(s);
        } else if (op < 80 && !full.empty()) {
            Slot* s = full[pick(full.size())];
            trace_ << "revoke " << index(s) << "\n";
            for (int guard = 0; Slot* leaf = cap_tree::leaf_descendant(s); ++guard) {
                ASSERT_LT(guard, 1000) << "revoke does not end";
                ASSERT_TRUE(is_descendant(leaf, s));
                ASSERT_EQ(leaf->first_child, nullptr);
                remove_and_record(leaf);
            }
            ASSERT_EQ(s->first_child, nullptr);
            ASSERT_FALSE(s->cap.is_null());
        } else if (!full.empty() && !empty.empty()) {
            Slot* from = full[pick(full.size())];
            Slot* to = empty[pick(empty.size())];
            trace_ << "move " << index(from) << " -> " << index(to) << "\n";
            Capability cap = from->cap;
            Slot* parent = from->parent;
            Slot* prev = from->prev_sibling;
            Slot* next = from->next_sibling;
            std::vector<Slot*> kids = children(from);
            cap_tree::move(from, to);
            ASSERT_TRUE(from->cap.is_null());
            ASSERT_TRUE(unlinked(*from));
            ASSERT_TRUE(to->cap.same_object(cap));
            ASSERT_EQ(to->cap.data, cap.data);
            ASSERT_EQ(to->parent, parent);
            ASSERT_EQ(to->prev_sibling, prev);
            ASSERT_EQ(to->next_sibling, next);
            ASSERT_EQ(children(to), kids);
        }
    }

    // Checks every invariant; returns a failure naming the first broken one.
    ::testing::AssertionResult check() {
        // Links: parents, children and siblings agree; empty slots are unlinked.
        for (Slot* s : all()) {
            if (s->cap.is_null()) {
                if (!unlinked(*s)) return fail() << "empty slot " << index(s) << " is linked";
                continue;
            }
            if (!s->parent) return fail() << "slot " << index(s) << " has no parent";
            if (s->prev_sibling && s->prev_sibling->next_sibling != s)
                return fail() << "slot " << index(s) << ": prev_sibling does not point back";
            if (s->next_sibling && s->next_sibling->prev_sibling != s)
                return fail() << "slot " << index(s) << ": next_sibling does not point back";
            if (!s->prev_sibling && s->parent->first_child != s)
                return fail() << "slot " << index(s) << " has no prev_sibling but is not its parent's first child";
            if (s->next_sibling && s->next_sibling->parent != s->parent)
                return fail() << "slot " << index(s) << ": sibling with another parent";
            if (auto r = links_consistent(s); !r) return fail() << "slot " << index(s) << ": " << r.message();
        }
        if (auto r = links_consistent(&sentinel_); !r) return fail() << "sentinel: " << r.message();

        // Reachability from the sentinel, each slot once.
        std::set<const Slot*> reached;
        std::vector<Slot*> stack{&sentinel_};
        while (!stack.empty()) {
            Slot* s = stack.back();
            stack.pop_back();
            for (Slot* c : children(s)) {
                if (!reached.insert(c).second) return fail() << "slot " << index(c) << " reached twice";
                if (c->cap.is_null()) return fail() << "empty slot " << index(c) << " is in the tree";
                stack.push_back(c);
            }
        }
        for (Slot* s : filled())
            if (!reached.count(s)) return fail() << "slot " << index(s) << " is not reachable from the sentinel";

        // Children of non-untyped caps are copies; caps to one object are
        // contiguous among siblings.
        for (Slot* p : all_with_sentinel()) {
            std::vector<Slot*> kids = children(p);
            std::set<ObjectKey> finished;
            for (size_t i = 0; i < kids.size(); ++i) {
                if (p != &sentinel_ && p->cap.type != ObjectType::untyped && !kids[i]->cap.same_object(p->cap))
                    return fail() << "slot " << index(kids[i]) << " is not a copy of its parent " << index(p);
                ObjectKey k = key_of(kids[i]->cap);
                if (finished.count(k))
                    return fail() << "caps to " << describe(k) << " under " << index(p) << " are not contiguous";
                if (i + 1 == kids.size() || key_of(kids[i + 1]->cap) != k) finished.insert(k);
            }
        }

        // is_final against a brute-force count; leaf_descendant is a leaf below.
        std::map<ObjectKey, int> counts = count_caps();
        for (Slot* s : filled()) {
            bool expected = counts[key_of(s->cap)] == 1;
            if (cap_tree::is_final(s) != expected)
                return fail() << "is_final(" << index(s) << ") for " << describe(key_of(s->cap)) << " is "
                              << !expected << " with " << counts[key_of(s->cap)] << " caps";
            Slot* leaf = cap_tree::leaf_descendant(s);
            if (!s->first_child != !leaf) return fail() << "leaf_descendant(" << index(s) << ") wrong";
            if (leaf && (leaf->first_child || !is_descendant(leaf, s)))
                return fail() << "leaf_descendant(" << index(s) << ") is not a leaf below it";
        }

        // Each object destroyed exactly once, when and only when its last cap
        // went. Objects found dead are checked once and retired: they have
        // no caps left to be destroyed through again.
        for (const auto& [k, n] : counts)
            if (!live_objects_.count(k)) return fail() << describe(k) << " has caps but was never created";
        for (auto it = live_objects_.begin(); it != live_objects_.end();) {
            const ObjectKey& k = *it;
            int live = counts.count(k) ? counts[k] : 0;
            int destroyed = destroyed_.count(k) ? destroyed_[k] : 0;
            if (destroyed != (live == 0 ? 1 : 0))
                return fail() << describe(k) << " has " << live << " caps and was destroyed " << destroyed
                              << " times";
            if (live == 0) it = live_objects_.erase(it);
            else ++it;
        }
        return ::testing::AssertionSuccess();
    }

    std::string trace() const { return trace_.str(); }
    size_t destructions() const { return destroyed_total_; }
    size_t objects() const { return objects_; }

private:
    static constexpr size_t kSlots = 32;

    ::testing::AssertionResult fail() {
        return ::testing::AssertionFailure() << "after\n" << trace_.str() << "\n";
    }

    size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

    uint64_t fresh_address() { return next_address_ += 0x1000; }

    void new_root_untyped() {
        std::vector<Slot*> empty = empties();
        if (empty.empty()) return;
        Slot* dst = empty[pick(empty.size())];
        trace_ << "root untyped -> " << index(dst) << "\n";
        dst->cap = untyped_cap(fresh_address(), 24);
        append_child(&sentinel_, dst);
        created(dst->cap);
    }

    void created(const Capability& cap) {
        // Addresses are fresh except for untyped carved at a parent's base,
        // which may repeat a region destroyed earlier: a new incarnation.
        ObjectKey k = key_of(cap);
        destroyed_.erase(k);
        live_objects_.insert(k);
        ++objects_;
    }

    void remove_and_record(Slot* s) {
        ObjectKey k = key_of(s->cap);
        bool final = remove(s);
        int live = 0;
        for (Slot* t : filled())
            if (key_of(t->cap) == k) ++live;
        EXPECT_EQ(final, live == 0) << describe(k) << "\n" << trace_.str();
        if (final) {
            ++destroyed_[k];
            ++destroyed_total_;
        }
    }

    std::map<ObjectKey, int> count_caps() {
        std::map<ObjectKey, int> counts;
        for (Slot* s : filled()) ++counts[key_of(s->cap)];
        return counts;
    }

    bool is_descendant(const Slot* s, const Slot* ancestor) const {
        for (const Slot* p = s->parent; p; p = p->parent)
            if (p == ancestor) return true;
        return false;
    }

    std::vector<Slot*> all() {
        std::vector<Slot*> out;
        for (Slot& s : slots_) out.push_back(&s);
        return out;
    }
    std::vector<Slot*> all_with_sentinel() {
        std::vector<Slot*> out = all();
        out.push_back(&sentinel_);
        return out;
    }
    std::vector<Slot*> filled() {
        std::vector<Slot*> out;
        for (Slot& s : slots_)
            if (!s.cap.is_null()) out.push_back(&s);
        return out;
    }
    std::vector<Slot*> empties() {
        std::vector<Slot*> out;
        for (Slot& s : slots_)
            if (s.cap.is_null()) out.push_back(&s);
        return out;
    }
    long index(const Slot* s) const { return s == &sentinel_ ? -1 : long(s - slots_.data()); }

    std::mt19937 rng_;
    Slot sentinel_;
    std::vector<Slot> slots_;
    uint64_t next_address_ = 0xffff800000000000;
    std::set<ObjectKey> live_objects_;  // created and not yet seen destroyed
    size_t objects_ = 0;
    std::map<ObjectKey, int> destroyed_;
    size_t destroyed_total_ = 0;
    std::ostringstream trace_;
};

TEST(CapTreeRandom, InvariantsHoldUnderRandomOperations) {
    size_t destructions = 0, objects = 0;
    for (uint32_t seed = 1; seed <= 25; ++seed) {
        auto model = std::make_unique<Model>(seed);
        for (int step = 0; step < 800; ++step) {
            model->step();
            if (::testing::Test::HasFatalFailure()) return;
            ::testing::AssertionResult ok = model->check();
            ASSERT_TRUE(ok) << "seed " << seed << " step " << step;
        }
        destructions += model->destructions();
        objects += model->objects();
    }
    std::printf("%zu objects created, %zu destroyed\n", objects, destructions);
    // The sequences really did create and destroy things.
    EXPECT_GT(objects, 1000u);
    EXPECT_GT(destructions, 500u);
}

}  // namespace
