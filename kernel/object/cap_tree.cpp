#include "object/cap_tree.hpp"

#include <initializer_list>

namespace object::cap_tree {

void insert_child(Slot* parent, Slot* child) {
    // At the head: constant time however many children there are. Where
    // the children are copies they all name one object, so any position
    // keeps them adjacent.
    child->parent = parent;
    child->first_child = nullptr;
    child->prev_sibling = nullptr;
    child->next_sibling = parent->first_child;
    if (child->next_sibling) child->next_sibling->prev_sibling = child;
    parent->first_child = child;
}

void unlink(Slot* slot) {
    Slot* parent = slot->parent;
    Slot* first = slot->first_child;
    // The children take the slot's place among its siblings, in order.
    Slot* before = slot->prev_sibling;
    Slot* after = slot->next_sibling;
    Slot* last = first;
    for (Slot* c = first; c; c = c->next_sibling) {
        c->parent = parent;
        last = c;
    }
    Slot* head = first ? first : after;
    Slot* tail = first ? last : before;
    if (before) before->next_sibling = head;
    else if (parent) parent->first_child = head;
    if (first) {
        first->prev_sibling = before;
        last->next_sibling = after;
    }
    if (after) after->prev_sibling = tail;
    slot->parent = slot->first_child = slot->next_sibling = slot->prev_sibling = nullptr;
}

void move(Slot* from, Slot* to) {
    to->cap = from->cap;
    to->parent = from->parent;
    to->first_child = from->first_child;
    to->next_sibling = from->next_sibling;
    to->prev_sibling = from->prev_sibling;
    if (to->prev_sibling) to->prev_sibling->next_sibling = to;
    else if (to->parent) to->parent->first_child = to;
    if (to->next_sibling) to->next_sibling->prev_sibling = to;
    for (Slot* c = to->first_child; c; c = c->next_sibling) c->parent = to;
    from->cap = Capability{};
    from->parent = from->first_child = from->next_sibling = from->prev_sibling = nullptr;
}

bool is_final(const Slot* slot) {
    const Capability& cap = slot->cap;
    // An untyped region's children are new objects, not copies of it.
    if (cap.type != ObjectType::untyped && slot->first_child) return false;
    for (const Slot* s : {slot->parent, slot->prev_sibling, slot->next_sibling})
        if (s && s->cap.same_object(cap)) return false;
    return true;
}

Slot* leaf_descendant(Slot* slot) {
    Slot* s = slot->first_child;
    if (!s) return nullptr;
    while (s->first_child) s = s->first_child;
    return s;
}

}  // namespace object::cap_tree

