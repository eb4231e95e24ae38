#!/bin/bash
set -e
kubectl get node node01 -o jsonpath='{.spec.taints[*].key}' | grep -qw team
test "$(kubectl get pod plain -o jsonpath='{.status.phase}')" = "Pending"
test "$(kubectl get pod plain -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}')" = "Unschedulable"
