# SUIT manifest processing benchmark (src/core/suit), included from
# bench/CMakeLists.txt. Reads the published TEEP vectors from TEEP_SPEC_DIR.
add_executable(bench_suit ${CMAKE_CURRENT_LIST_DIR}/suit_bench.cc ${CMAKE_CURRENT_LIST_DIR}/heap_counter.cc)
target_link_libraries(bench_suit PRIVATE teep_suit OpenSSL::Crypto benchmark::benchmark_main)
target_compile_definitions(bench_suit PRIVATE TEEP_SPEC_DIR="${TEEP_SPEC_DIR}")
