#!/bin/bash
set -e
! kubectl get pod writer >/dev/null 2>&1
test "$(kubectl get pod reader -o jsonpath='{.status.phase}')" = "Running"
test "$(kubectl exec reader -- cat /data/message)" = "hello from writer"
