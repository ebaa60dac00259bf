#!/bin/sh
# One Deeploy test folder through `ortigia test-network`, skipped (exit 77,
# ctest's SKIP_RETURN_CODE) with a message when the test data is absent.
# usage: deeploy_test.sh ORTIGIA TESTDATA_DIR REL_PATH [test-network options]
ortigia=$1 data=$2 rel=$3
shift 3
[ -n "$ORTIGIA_DEEPLOY_TESTDATA" ] && data=$ORTIGIA_DEEPLOY_TESTDATA
if [ ! -f "$data/$rel/network.onnx" ]; then
  echo "SKIP: $data/$rel not found (Deeploy test data lives in ../shared/testdata/deeploy," \
       "or set ORTIGIA_DEEPLOY_TESTDATA)"
  exit 77
fi
out=$("$ortigia" test-network "$@" "$data/$rel" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || exit 1
echo "$out" | grep -q '^Errors: 0 out of [1-9]' || { echo "FAIL: no 'Errors: 0 out of N' line"; exit 1; }
