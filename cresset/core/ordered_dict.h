#pragma once
// An insertion-ordered map from names to values: what nn::Module::named_parameters() and friends
// return, in the order Python's state_dict() lists its keys. Lookups by key go through a hash
// index, so listing a large model's parameters stays linear.
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cresset/core/error.h"

namespace cresset {

template <typename Key, typename Value>
class OrderedDict {
 public:
  /// One entry: `item.key()` and `item.value()`.
  class Item {
   public:
    Item(Key key, Value value) : key_(std::move(key)), value_(std::move(value)) {}
    const Key& key() const noexcept { return key_; }
    Value& value() noexcept { return value_; }
    const Value& value() const noexcept { return value_; }

   private:
    Key key_;
    Value value_;
  };

  using iterator = typename std::vector<Item>::iterator;
  using const_iterator = typename std::vector<Item>::const_iterator;

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const noexcept { return items_.size(); }
  bool empty() const noexcept { return items_.empty(); }
  Item& operator[](size_t index) { return items_.at(index); }
  const Item& operator[](size_t index) const { return items_.at(index); }

  /// The value stored under `key`, or nullptr.
  Value* find(const Key& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  const Value* find(const Key& key) const { return const_cast<OrderedDict*>(this)->find(key); }
  bool contains(const Key& key) const { return find(key) != nullptr; }
  /// The value stored under `key`; IndexError when there is none.
  Value& operator[](const Key& key) {
    Value* value = find(key);
    CRESSET_CHECK(value, IndexError, "[OrderedDict] key '", key, "' is not present");
    return *value;
  }
  const Value& operator[](const Key& key) const { return (*const_cast<OrderedDict*>(this))[key]; }

  /// Appends a new entry; ValueError when `key` is already present.
  Value& insert(Key key, Value value) {
    CRESSET_CHECK(!contains(key), ValueError, "[OrderedDict] key '", key, "' already defined");
    index_.emplace(key, items_.size());
    items_.emplace_back(std::move(key), std::move(value));
    return items_.back().value();
  }
  /// Replaces the value under `key`, or appends it.
  Value& insert_or_assign(const Key& key, Value value) {
    if (Value* old = find(key)) return *old = std::move(value);
    return insert(key, std::move(value));
  }

  std::vector<Key> keys() const {
    std::vector<Key> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.key());
    return out;
  }
  std::vector<Value> values() const {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.value());
    return out;
  }

 private:
  std::vector<Item> items_;
  std::unordered_map<Key, size_t> index_;  // key -> position in items_
};

}  // namespace cresset
