// Host unit tests for sched::RunQueue (kernel/sched/run_queue.cpp) and
// lib::IntrusiveList (kernel/lib/intrusive_list.hpp).
#include "sched/run_queue.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lib/intrusive_list.hpp"

namespace {

using lib::IntrusiveList;
using lib::ListNode;
using sched::RunQueue;

// A stand-in for a thread: the node is not the first member, and there is
// a second node, so owner_of must really subtract the member's offset.
struct Task {
    int id = 0;
    char name[13] = {};
    ListNode run_node;
    unsigned priority = 0;
    ListNode wait_node;
};

Task* task_of(ListNode* node) { return lib::owner_of<Task, &Task::run_node>(node); }

// Ids of the nodes of a list from front to back, following next, and
// checking the prev links on the way.
std::vector<int> ids(ListNode* front) {
    std::vector<int> out;
    ListNode* prev = nullptr;
    for (ListNode* n = front; n && out.size() < 10000; n = n->next) {
        EXPECT_EQ(n->prev, prev) << "at position " << out.size();
        EXPECT_TRUE(n->linked);
        out.push_back(task_of(n)->id);
        prev = n;
    }
    return out;
}

std::unique_ptr<Task[]> make_tasks(size_t n) {
    std::unique_ptr<Task[]> tasks(new Task[n]);
    for (size_t i = 0; i < n; ++i) tasks[i].id = int(i);
    return tasks;
}

// --- IntrusiveList -----------------------------------------------------------

TEST(IntrusiveList, StartsEmpty) {
    IntrusiveList list;
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.front(), nullptr);
    EXPECT_EQ(list.pop_front(), nullptr);
    ListNode node;
    EXPECT_FALSE(node.linked);
    EXPECT_EQ(node.next, nullptr);
    EXPECT_EQ(node.prev, nullptr);
}

TEST(IntrusiveList, PushBackIsFifo) {
    auto t = make_tasks(4);
    IntrusiveList list;
    for (int i = 0; i < 4; ++i) list.push_back(&t[i].run_node);
    EXPECT_FALSE(list.empty());
    EXPECT_EQ(ids(list.front()), (std::vector<int>{0, 1, 2, 3}));
    for (int i = 0; i < 4; ++i) {
        ListNode* n = list.pop_front();
        ASSERT_NE(n, nullptr);
        EXPECT_EQ(task_of(n)->id, i);
        EXPECT_FALSE(n->linked);
        EXPECT_EQ(n->next, nullptr);
        EXPECT_EQ(n->prev, nullptr);
    }
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.pop_front(), nullptr);
}

TEST(IntrusiveList, PushFrontGoesFirst) {
    auto t = make_tasks(4);
    IntrusiveList list;
    list.push_front(&t[0].run_node);  // into an empty list: head and tail
    list.push_back(&t[1].run_node);
    list.push_front(&t[2].run_node);
    list.push_back(&t[3].run_node);
    EXPECT_EQ(ids(list.front()), (std::vector<int>{2, 0, 1, 3}));
    EXPECT_TRUE(t[2].run_node.linked);
}

TEST(IntrusiveList, RemoveHeadMiddleTailAndOnly) {
    auto t = make_tasks(5);
    IntrusiveList list;
    for (int i = 0; i < 5; ++i) list.push_back(&t[i].run_node);
    list.remove(&t[2].run_node);  // middle
    EXPECT_EQ(ids(list.front()), (std::vector<int>{0, 1, 3, 4}));
    EXPECT_FALSE(t[2].run_node.linked);
    EXPECT_EQ(t[2].run_node.next, nullptr);
    EXPECT_EQ(t[2].run_node.prev, nullptr);
    list.remove(&t[0].run_node);  // head
    EXPECT_EQ(ids(list.front()), (std::vector<int>{1, 3, 4}));
    list.remove(&t[4].run_node);  // tail: push_back must append after 3 now
    EXPECT_EQ(ids(list.front()), (std::vector<int>{1, 3}));
    list.push_back(&t[2].run_node);
    EXPECT_EQ(ids(list.front()), (std::vector<int>{1, 3, 2}));
    list.remove(&t[1].run_node);
    list.remove(&t[2].run_node);
    list.remove(&t[3].run_node);  // the only one
    EXPECT_TRUE(list.empty());
    EXPECT_EQ(list.front(), nullptr);
    // Empty again: both ends were reset.
    list.push_back(&t[4].run_node);
    list.push_front(&t[0].run_node);
    EXPECT_EQ(ids(list.front()), (std::vector<int>{0, 4}));
}

TEST(IntrusiveList, OwnerOf) {
    Task task;
    task.id = 42;
    EXPECT_EQ((lib::owner_of<Task, &Task::run_node>(&task.run_node)), &task);
    EXPECT_EQ((lib::owner_of<Task, &Task::wait_node>(&task.wait_node)), &task);
    EXPECT_EQ(task_of(&task.run_node)->id, 42);
    EXPECT_EQ(task_of(nullptr), nullptr);
    EXPECT_EQ((lib::owner_of<Task, &Task::wait_node>(nullptr)), nullptr);
    // The two nodes of one owner work independently.
    IntrusiveList run, wait;
    run.push_back(&task.run_node);
    wait.push_back(&task.wait_node);
    EXPECT_EQ(task_of(run.front()), &task);
    EXPECT_EQ((lib::owner_of<Task, &Task::wait_node>(wait.front())), &task);
    // Owners in an array.
    auto t = make_tasks(3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(task_of(&t[i].run_node), &t[i]);
}

// --- RunQueue ----------------------------------------------------------------

struct RunQueueTest : ::testing::Test {
    RunQueue queue;
    std::unique_ptr<Task[]> t = make_tasks(32);
    ListNode* node(int i) { return &t[i].run_node; }
    int front_id() {
        ListNode* f = queue.front();
        return f ? task_of(f)->id : -1;
    }
    // Round robin at the highest level: take the front, put it at the back.
    int rotate() {
        ListNode* f = queue.front();
        if (!f) return -1;
        unsigned p = queue.highest_priority();
        queue.remove(f, p);
        queue.push_back(f, p);
        return task_of(f)->id;
    }
};

TEST_F(RunQueueTest, StartsEmpty) {
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.front(), nullptr);
}

TEST_F(RunQueueTest, RoundRobinWithinLevel) {
    for (int i = 0; i < 5; ++i) queue.push_back(node(i), 10);
    EXPECT_FALSE(queue.empty());
    EXPECT_EQ(queue.highest_priority(), 10u);
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{0, 1, 2, 3, 4}));
    std::vector<int> order;
    for (int i = 0; i < 15; ++i) order.push_back(rotate());
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4}));
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(queue.highest_priority(), 10u);
}

TEST_F(RunQueueTest, RoundRobinAlone) {
    queue.push_back(node(7), 3);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(rotate(), 7);
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{7}));
}

TEST_F(RunQueueTest, EachBoundaryLevelAlone) {
    for (unsigned p : {0u, 1u, 62u, 63u, 64u, 65u, 127u, 128u, 191u, 192u, 254u, 255u}) {
        SCOPED_TRACE(p);
        queue.push_back(node(0), p);
        EXPECT_FALSE(queue.empty());
        EXPECT_EQ(queue.highest_priority(), p);
        EXPECT_EQ(queue.front(), node(0));
        queue.remove(node(0), p);
        EXPECT_TRUE(queue.empty());
        EXPECT_EQ(queue.front(), nullptr);
    }
}

TEST_F(RunQueueTest, HighestPriorityFirstAcrossLevels) {
    const unsigned levels[] = {0, 63, 64, 127, 128, 255};
    // Queue in a scrambled order, two tasks per level.
    const int order[] = {2, 0, 5, 3, 1, 4};
    for (int k : order) {
        queue.push_back(node(2 * k), levels[k]);
        queue.push_back(node(2 * k + 1), levels[k]);
    }
    // Taking the front and removing it drains from 255 down to 0, FIFO within each.
    std::vector<int> drained;
    std::vector<unsigned> seen_levels;
    while (!queue.empty()) {
        unsigned p = queue.highest_priority();
        seen_levels.push_back(p);
        ListNode* f = queue.front();
        ASSERT_NE(f, nullptr);
        drained.push_back(task_of(f)->id);
        queue.remove(f, p);
    }
    EXPECT_EQ(drained, (std::vector<int>{10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1}));
    EXPECT_EQ(seen_levels, (std::vector<unsigned>{255, 255, 128, 128, 127, 127, 64, 64, 63, 63, 0, 0}));
    EXPECT_EQ(queue.front(), nullptr);
}

TEST_F(RunQueueTest, LowerLevelDoesNotMaskHigher) {
    queue.push_back(node(0), 255);
    queue.push_back(node(1), 0);
    EXPECT_EQ(queue.highest_priority(), 255u);
    EXPECT_EQ(front_id(), 0);
    queue.push_back(node(2), 64);
    EXPECT_EQ(queue.highest_priority(), 255u);
    queue.remove(node(0), 255);
    EXPECT_EQ(queue.highest_priority(), 64u);
    EXPECT_EQ(front_id(), 2);
    queue.push_back(node(3), 63);  // same word as 0, below 64
    EXPECT_EQ(queue.highest_priority(), 64u);
    queue.remove(node(2), 64);
    EXPECT_EQ(queue.highest_priority(), 63u);
    EXPECT_EQ(front_id(), 3);
}

TEST_F(RunQueueTest, PushFront) {
    queue.push_back(node(0), 20);
    queue.push_back(node(1), 20);
    queue.push_back(node(5), 19);
    queue.push_front(node(2), 20);
    EXPECT_EQ(front_id(), 2);
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{2, 0, 1}));
    // Into an empty level: that level becomes non-empty, and higher.
    queue.push_front(node(3), 21);
    EXPECT_EQ(queue.highest_priority(), 21u);
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{3}));
    // Into a lower level: the front does not change.
    queue.push_front(node(4), 19);
    EXPECT_EQ(front_id(), 3);
    queue.remove(node(3), 21);
    queue.remove(node(2), 20);
    queue.remove(node(0), 20);
    queue.remove(node(1), 20);
    EXPECT_EQ(queue.highest_priority(), 19u);
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{4, 5}));
}

TEST_F(RunQueueTest, RemoveMiddleHeadTail) {
    for (int i = 0; i < 5; ++i) queue.push_back(node(i), 100);
    queue.push_back(node(9), 99);
    queue.remove(node(2), 100);  // middle
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{0, 1, 3, 4}));
    EXPECT_FALSE(node(2)->linked);
    queue.remove(node(0), 100);  // head
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{1, 3, 4}));
    EXPECT_EQ(front_id(), 1);
    queue.remove(node(4), 100);  // tail
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{1, 3}));
    queue.push_back(node(4), 100);  // appended after 3
    EXPECT_EQ(ids(queue.front()), (std::vector<int>{1, 3, 4}));
    EXPECT_EQ(queue.highest_priority(), 100u);
}

TEST_F(RunQueueTest, RemovingLastNodeClearsLevel) {
    queue.push_back(node(0), 200);
    queue.push_back(node(1), 200);
    queue.push_back(node(2), 130);
    queue.remove(node(0), 200);
    EXPECT_EQ(queue.highest_priority(), 200u);  // still one left
    queue.remove(node(1), 200);
    EXPECT_EQ(queue.highest_priority(), 130u);
    EXPECT_EQ(front_id(), 2);
    EXPECT_FALSE(queue.empty());
    queue.remove(node(2), 130);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.front(), nullptr);
    // The level can be used again, and a removed node can go to another level.
    queue.push_back(node(0), 5);
    EXPECT_EQ(queue.highest_priority(), 5u);
    EXPECT_EQ(front_id(), 0);
    queue.push_back(node(1), 200);
    EXPECT_EQ(queue.highest_priority(), 200u);
    queue.remove(node(1), 200);
    EXPECT_EQ(queue.highest_priority(), 5u);
}

TEST_F(RunQueueTest, LevelsInOneWordAreIndependent) {
    // Clearing one bit must leave its neighbours in the same word set.
    for (unsigned p = 60; p < 68; ++p) queue.push_back(node(int(p - 60)), p);
    for (unsigned p = 67; p >= 60; --p) {
        EXPECT_EQ(queue.highest_priority(), p);
        EXPECT_EQ(front_id(), int(p - 60));
        queue.remove(node(int(p - 60)), p);
    }
    EXPECT_TRUE(queue.empty());
    // Removing from a lower level keeps the higher.
    queue.push_back(node(0), 1);
    queue.push_back(node(1), 0);
    queue.remove(node(1), 0);
    EXPECT_EQ(queue.highest_priority(), 1u);
}

TEST_F(RunQueueTest, OwnerOfFront) {
    t[17].priority = 77;
    queue.push_back(node(17), t[17].priority);
    Task* owner = task_of(queue.front());
    ASSERT_EQ(owner, &t[17]);
    EXPECT_EQ(owner->id, 17);
    EXPECT_EQ(owner->priority, 77u);
    EXPECT_EQ(task_of(RunQueue{}.front()), nullptr);
}

// --- randomized --------------------------------------------------------------

// The model: priority -> queued ids in order; levels with no ids are erased.
using Model = std::map<int, std::deque<int>>;

::testing::AssertionResult matches(const RunQueue& queue, const Model& model, Task* tasks, size_t n) {
    if (queue.empty() != model.empty())
        return ::testing::AssertionFailure() << "empty() is " << queue.empty();
    if (model.empty()) {
        if (queue.front()) return ::testing::AssertionFailure() << "front() of an empty queue is not null";
    } else {
        const auto& [top, ids_at_top] = *model.rbegin();
        if (queue.highest_priority() != unsigned(top))
            return ::testing::AssertionFailure()
                   << "highest_priority() is " << queue.highest_priority() << ", expected " << top;
        if (queue.front() != &tasks[ids_at_top.front()].run_node)
            return ::testing::AssertionFailure() << "front() is not task " << ids_at_top.front();
    }
    // Every level's order, through the nodes' own links.
    std::vector<bool> queued(n);
    for (const auto& [p, level] : model) {
        for (size_t i = 0; i < level.size(); ++i) {
            const ListNode& node = tasks[level[i]].run_node;
            queued[level[i]] = true;
            const ListNode* prev = i ? &tasks[level[i - 1]].run_node : nullptr;
            const ListNode* next = i + 1 < level.size() ? &tasks[level[i + 1]].run_node : nullptr;
            if (!node.linked || node.prev != prev || node.next != next)
                return ::testing::AssertionFailure()
                       << "task " << level[i] << " at position " << i << " of level " << p << " is mislinked";
        }
    }
    for (size_t i = 0; i < n; ++i)
        if (!queued[i] && (tasks[i].run_node.linked || tasks[i].run_node.next || tasks[i].run_node.prev))
            return ::testing::AssertionFailure() << "task " << i << " is not queued but linked";
    return ::testing::AssertionSuccess();
}

TEST(RunQueueRandom, MatchesModel) {
    constexpr size_t n = 48;
    for (uint32_t seed = 1; seed <= 30; ++seed) {
        std::mt19937 rng(seed);
        auto pick = [&](size_t k) { return std::uniform_int_distribution<size_t>(0, k - 1)(rng); };
        // Priorities clustered near the word boundaries, and anywhere.
        auto random_priority = [&]() -> unsigned {
            static const unsigned near[] = {0, 1, 62, 63, 64, 65, 127, 128, 129, 191, 192, 254, 255};
            return pick(2) ? near[pick(std::size(near))] : unsigned(pick(sched::priority_levels));
        };
        auto tasks = make_tasks(n);
        std::vector<int> priority_of(n, -1);  // -1: not queued
        RunQueue queue;
        Model model;
        std::ostringstream trace;

        auto remove = [&](int id) {
            int p = priority_of[id];
            queue.remove(&tasks[id].run_node, unsigned(p));
            auto& level = model[p];
            for (auto it = level.begin(); it != level.end(); ++it)
                if (*it == id) {
                    level.erase(it);
                    break;
                }
            if (level.empty()) model.erase(p);
            priority_of[id] = -1;
        };

        for (int step = 0; step < 2000; ++step) {
            std::vector<int> idle, queued;
            for (size_t i = 0; i < n; ++i) (priority_of[i] < 0 ? idle : queued).push_back(int(i));
            int op = int(pick(100));
            if (op < 30 && !idle.empty()) {
                int id = idle[pick(idle.size())];
                unsigned p = random_priority();
                trace << "push_back " << id << " @" << p << "\n";
                queue.push_back(&tasks[id].run_node, p);
                model[int(p)].push_back(id);
                priority_of[id] = int(p);
            } else if (op < 45 && !idle.empty()) {
                int id = idle[pick(idle.size())];
                unsigned p = random_priority();
                trace << "push_front " << id << " @" << p << "\n";
                queue.push_front(&tasks[id].run_node, p);
                model[int(p)].push_front(id);
                priority_of[id] = int(p);
            } else if (op < 70 && !queued.empty()) {
                int id = queued[pick(queued.size())];
                trace << "remove " << id << "\n";
                remove(id);
            } else if (op < 85 && !queue.empty()) {
                // Round robin: the front goes to the back of its level.
                ListNode* f = queue.front();
                int id = task_of(f)->id;
                trace << "rotate " << id << "\n";
                int p = priority_of[id];
                ASSERT_EQ(p, int(queue.highest_priority()));
                remove(id);
                queue.push_back(f, unsigned(p));
                model[p].push_back(id);
                priority_of[id] = p;
            } else if (!queued.empty()) {
                // A priority change: out of one level, to the back of another.
                int id = queued[pick(queued.size())];
                unsigned p = random_priority();
                trace << "reprioritize " << id << " @" << p << "\n";
                remove(id);
                queue.push_back(&tasks[id].run_node, p);
                model[int(p)].push_back(id);
                priority_of[id] = int(p);
            }
            ASSERT_TRUE(matches(queue, model, tasks.get(), n)) << "seed " << seed << " step " << step << "\n"
                                                               << trace.str();
        }
    }
}

}  // namespace

// pop_front is what the scheduler takes its next thread with: the first of
// the level, FIFO, and the level's bits go when it empties, not before,
// whatever the word boundaries.
TEST_F(RunQueueTest, PopFrontTakesTheFirstAndClearsEmptyLevels) {
    for (unsigned p : {6u, 63u, 64u, 200u, 255u}) {
        SCOPED_TRACE(p);
        queue.push_back(node(1), p);
        queue.push_back(node(2), p);
        queue.push_back(node(3), 5);  // a lower level keeps the queue non-empty
        EXPECT_EQ(queue.pop_front(p), node(1));
        EXPECT_EQ(queue.highest_priority(), p);  // node 2 is still there
        EXPECT_EQ(queue.pop_front(p), node(2));
        EXPECT_FALSE(queue.empty());
        EXPECT_EQ(queue.highest_priority(), 5u);  // level p is gone from the bitmap
        EXPECT_EQ(queue.pop_front(5), node(3));
        EXPECT_TRUE(queue.empty());
        EXPECT_EQ(queue.front(), nullptr);
    }
}

// A yield to a thread of the same level: the yielder goes back first, then
// the front comes off; the level never empties and the order rotates.
TEST_F(RunQueueTest, YieldRotationKeepsTheLevel) {
    queue.push_back(node(1), 100);
    std::vector<int> order;
    int running = 0;
    for (int i = 0; i < 4; ++i) {
        queue.push_back(node(running), 100);
        ListNode* next = queue.pop_front(queue.highest_priority());
        running = task_of(next)->id;
        order.push_back(running);
        EXPECT_EQ(queue.highest_priority(), 100u);
    }
    EXPECT_EQ(order, (std::vector<int>{1, 0, 1, 0}));
}
