#!/bin/bash
set -e
if kubectl get node node01 -o jsonpath='{.spec.taints[*].key}' | grep -qw team; then
  echo "node01 still has the team taint"
  exit 1
fi
test "$(kubectl get pod plain -o jsonpath='{.spec.nodeName}')" = "node01"
test "$(kubectl get pod plain -o jsonpath='{.status.phase}')" = "Running"
