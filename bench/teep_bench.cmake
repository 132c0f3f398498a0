# TEEP message layer benchmark (src/core/teep), included from bench/CMakeLists.txt.
add_executable(bench_teep ${CMAKE_CURRENT_LIST_DIR}/teep_bench.cc)
target_link_libraries(bench_teep PRIVATE teep_teep benchmark::benchmark_main)
