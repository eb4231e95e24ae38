#!/bin/bash
set -e
test "$(kubectl get pvc data -o jsonpath='{.status.phase}')" = "Bound"
test "$(kubectl get pod writer -o jsonpath='{.status.phase}')" = "Running"
test "$(kubectl exec writer -- cat /data/message)" = "hello from writer"
