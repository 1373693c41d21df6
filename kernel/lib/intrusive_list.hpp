// A doubly linked FIFO of nodes embedded in their owners, so queueing a
// thread never allocates. A node is in at most one list at a time.
#pragma once

#include <cstddef>

namespace lib {

struct ListNode {
    ListNode* next = nullptr;
    ListNode* prev = nullptr;
    bool linked = false;
};

class IntrusiveList {
public:
    bool empty() const { return head_ == nullptr; }
    ListNode* front() const { return head_; }

    void push_back(ListNode* n) {
        n->next = nullptr;
        n->prev = tail_;
        if (tail_) tail_->next = n;
        else head_ = n;
        tail_ = n;
        n->linked = true;
    }

    void push_front(ListNode* n) {
        n->prev = nullptr;
        n->next = head_;
        if (head_) head_->prev = n;
        else tail_ = n;
        head_ = n;
        n->linked = true;
    }

    // n must be in this list.
    void remove(ListNode* n) {
        if (n->prev) n->prev->next = n->next;
        else head_ = n->next;
        if (n->next) n->next->prev = n->prev;
        else tail_ = n->prev;
        n->next = n->prev = nullptr;
        n->linked = false;
    }

    ListNode* pop_front() {
        ListNode* n = head_;
        if (n) remove(n);
        return n;
    }

private:
    ListNode* head_ = nullptr;
    ListNode* tail_ = nullptr;
};

// The owner of an embedded node: container_of for one member.
template <typename Owner, ListNode Owner::*Member>
Owner* owner_of(ListNode* node) {
    if (!node) return nullptr;
    const size_t offset = reinterpret_cast<size_t>(&(static_cast<Owner*>(nullptr)->*Member));
    return reinterpret_cast<Owner*>(reinterpret_cast<char*>(node) - offset);
}

}  // namespace lib
