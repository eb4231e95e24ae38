#!/bin/bash
set -e
test "$(kubectl get pvc manual-claim -o jsonpath='{.status.phase}')" = "Bound"
test "$(kubectl get pvc manual-claim -o jsonpath='{.spec.volumeName}')" = "manual-pv"
test "$(kubectl get pvc manual-claim -o jsonpath='{.status.capacity.storage}')" = "2Gi"
