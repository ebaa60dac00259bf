#!/bin/sh
# One Deeploy test folder through `ortigia test-network` at several platform
# configurations (memory sizes and core counts, which the compiled network's
# plan and link must follow); every point must match the expected outputs
# bit for bit. Skipped (exit 77) when the test data is absent.
# usage: sweep_test.sh ORTIGIA TESTDATA_DIR REL_PATH
ortigia=$1 data=$2 rel=$3
[ -n "$ORTIGIA_DEEPLOY_TESTDATA" ] && data=$ORTIGIA_DEEPLOY_TESTDATA
if [ ! -f "$data/$rel/network.onnx" ]; then
  echo "SKIP: $data/$rel not found (Deeploy test data lives in ../shared/testdata/deeploy," \
       "or set ORTIGIA_DEEPLOY_TESTDATA)"
  exit 77
fi
status=0
for point in "l1.size=65536" "l1.size=131072" "l1.size=262144" "l1.size=524288" "l1.size=2097152" \
             "l2.size=1048576" "l2.size=4194304" \
             "cluster.cores=2" "cluster.cores=8" \
             "l1.size=131072 cluster.cores=2 l2.size=1048576"; do
  sets=""
  for kv in $point; do sets="$sets --set $kv"; done
  out=$("$ortigia" test-network $sets "$data/$rel" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && echo "$out" | grep -q '^Errors: 0 out of [1-9]'; then
    echo "ok   $point: $(echo "$out" | grep '^Cycles:')"
  else
    echo "FAIL $point (status $rc):"; echo "$out"
    status=1
  fi
done
exit $status
