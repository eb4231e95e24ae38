#!/bin/bash
set -e
test "$(kubectl get pod blue -o jsonpath='{.spec.tolerations[?(@.key=="team")].effect}')" = "NoSchedule"
test "$(kubectl get pod blue -o jsonpath='{.spec.nodeName}')" = "node01"
test "$(kubectl get pod blue -o jsonpath='{.status.phase}')" = "Running"
