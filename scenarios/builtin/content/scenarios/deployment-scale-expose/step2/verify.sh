#!/bin/bash
set -e
test "$(kubectl get deployment web -o jsonpath='{.spec.replicas}')" = "4"
test "$(kubectl get deployment web -o jsonpath='{.status.readyReplicas}')" = "4"
test "$(kubectl get pods -l app=web --no-headers | grep -c Running)" = "4"
