# SUIT manifest processor fuzzer (src/core/suit), included from
# fuzz/CMakeLists.txt after teep_fuzzer() is defined. Seeds:
# fuzz/corpus/suit_process/, written by make_suit_seeds (signed with the
# fuzzer's fixed keys, so that they authenticate) plus the published vectors:
#   build/fuzz/fuzz/make_suit_seeds fuzz/corpus/suit_process
teep_fuzzer(fuzz_suit_process SOURCE ${CMAKE_CURRENT_LIST_DIR}/suit_process_fuzzer.cc DEPS teep_suit)
add_executable(make_suit_seeds ${CMAKE_CURRENT_LIST_DIR}/make_suit_seeds.cc)
target_link_libraries(make_suit_seeds PRIVATE teep_suit)
# The manifest DSL shared with tests/suit.
target_include_directories(make_suit_seeds PRIVATE ${CMAKE_SOURCE_DIR}/tests/suit)
target_compile_definitions(make_suit_seeds PRIVATE TEEP_SPEC_DIR="${TEEP_SPEC_DIR}")
