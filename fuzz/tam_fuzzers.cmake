# TAM core fuzzer, included from fuzz/CMakeLists.txt after teep_fuzzer() is
# defined. Seeds: fuzz/corpus/tam/, written by make_tam_seeds (payloads that
# the harness signs with its fixed device keys; Evidence signed with its
# fixed attestation key over its fixed challenge, plus the published D.1-D.6
# payloads):
#   build/fuzz/fuzz/make_tam_seeds fuzz/corpus
teep_fuzzer(fuzz_tam SOURCE ${CMAKE_CURRENT_LIST_DIR}/tam_fuzzer.cc DEPS teep_tam)
add_executable(make_tam_seeds ${CMAKE_CURRENT_LIST_DIR}/make_tam_seeds.cc)
target_link_libraries(make_tam_seeds PRIVATE teep_tam teep_agent)
target_compile_definitions(make_tam_seeds PRIVATE TEEP_SPEC_DIR="${TEEP_SPEC_DIR}")
