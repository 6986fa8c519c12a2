// The edit distance behind every "did you mean" of the config and workload loaders: the fewest
// single-character insertions, deletions and substitutions that turn one string into the other
// (Levenshtein). It is at least the difference in length, so callers that only want close
// matches skip a candidate whose length already rules it out (length_gap) instead of comparing
// it letter by letter: an unknown key of 46 kB once took seconds against every known key.
#pragma once

#include <cstddef>
#include <string_view>

namespace npu {

[[nodiscard]] size_t edit_distance(std::string_view a, std::string_view b);

// |a.size() - b.size()|: a lower bound of edit_distance(a, b).
[[nodiscard]] inline size_t length_gap(std::string_view a, std::string_view b) {
    return a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
}

}  // namespace npu
