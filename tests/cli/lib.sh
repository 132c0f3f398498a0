# Shared by the end-to-end scripts: check and expect_text count into
# $passed / $failed and show the output of what failed. Needs $work.
passed=0
failed=0

check() {  # check NAME EXPECTED_EXIT COMMAND... ; output in $work/out, $work/err
  local name="$1" want="$2"
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -eq $want ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $got, wanted $want"
    sed 's/^/  out: /' "$work/out" | head -20
    sed 's/^/  err: /' "$work/err" | head -20
  fi
}

expect_text() {  # expect_text NAME FILE PATTERN
  if grep -qE -- "$3" "$2"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1: no /$3/ in $2:"
    head -20 "$2" | sed 's/^/  /'
  fi
}
