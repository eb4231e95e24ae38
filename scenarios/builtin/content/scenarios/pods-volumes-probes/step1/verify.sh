#!/bin/bash
set -e
test "$(kubectl get pod pair -o jsonpath='{.status.phase}')" = "Running"
test "$(kubectl exec pair -c reader -- cat /shared/message)" = "hello from writer"
kubectl exec pair -c reader -- sh -c 'echo x > /shared/other' 2>&1 | grep -q "can't create /shared/other: Read-only file system"
