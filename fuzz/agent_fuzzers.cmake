# TEEP Agent and device-side decoder fuzzers, included from
# fuzz/CMakeLists.txt after teep_fuzzer() is defined. Seeds:
# fuzz/corpus/agent/ and fuzz/corpus/device_codecs/, written by
# make_agent_seeds (manifests signed with the fuzzers' fixed keys, plus the
# published TEEP vectors):
#   build/fuzz/fuzz/make_agent_seeds fuzz/corpus
teep_fuzzer(fuzz_agent SOURCE ${CMAKE_CURRENT_LIST_DIR}/agent_fuzzer.cc DEPS teep_agent)
teep_fuzzer(fuzz_device_codecs SOURCE ${CMAKE_CURRENT_LIST_DIR}/device_codecs_fuzzer.cc
            DEPS teep_host_device teep_agent)
add_executable(make_agent_seeds ${CMAKE_CURRENT_LIST_DIR}/make_agent_seeds.cc)
target_link_libraries(make_agent_seeds PRIVATE teep_agent teep_host_device)
target_compile_definitions(make_agent_seeds PRIVATE TEEP_SPEC_DIR="${TEEP_SPEC_DIR}")
