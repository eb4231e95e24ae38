#!/bin/bash
set -e
test "$(kubectl get deployment web -o jsonpath='{.spec.template.spec.containers[0].image}')" = "nginx:1.27"
test "$(kubectl get deployment web -o jsonpath='{.status.readyReplicas}')" = "2"
