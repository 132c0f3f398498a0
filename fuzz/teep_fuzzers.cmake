# TEEP message layer fuzzers (src/core/teep), included from fuzz/CMakeLists.txt
# after teep_fuzzer() is defined. Seeds: fuzz/corpus/<name without "fuzz_">/
# (regenerate with fuzz/make_teep_seeds.py); dictionary: fuzz/teep.dict.
teep_fuzzer(fuzz_teep_decode SOURCE ${CMAKE_CURRENT_LIST_DIR}/teep_decode_fuzzer.cc DEPS teep_teep)
teep_fuzzer(fuzz_teep_query_request SOURCE ${CMAKE_CURRENT_LIST_DIR}/teep_query_request_fuzzer.cc DEPS teep_teep)
teep_fuzzer(fuzz_teep_query_response SOURCE ${CMAKE_CURRENT_LIST_DIR}/teep_query_response_fuzzer.cc DEPS teep_teep)
teep_fuzzer(fuzz_teep_update SOURCE ${CMAKE_CURRENT_LIST_DIR}/teep_update_fuzzer.cc DEPS teep_teep)
teep_fuzzer(fuzz_teep_success SOURCE ${CMAKE_CURRENT_LIST_DIR}/teep_success_fuzzer.cc DEPS teep_teep)
teep_fuzzer(fuzz_teep_error SOURCE ${CMAKE_CURRENT_LIST_DIR}/teep_error_fuzzer.cc DEPS teep_teep)
