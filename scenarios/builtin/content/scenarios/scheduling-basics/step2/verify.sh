#!/bin/bash
set -e
test "$(kubectl get pod fast -o jsonpath='{.spec.nodeSelector.disktype}')" = "ssd"
test "$(kubectl get pod fast -o jsonpath='{.spec.nodeName}')" = "node01"
test "$(kubectl get pod fast -o jsonpath='{.status.phase}')" = "Running"
