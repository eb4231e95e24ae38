#!/bin/bash
set -e
test "$(kubectl get service web -o jsonpath='{.spec.type}')" = "ClusterIP"
test "$(kubectl get service web -o jsonpath='{.spec.ports[0].port}')" = "80"
test "$(kubectl get endpoints web -o jsonpath='{.subsets[0].addresses[*].ip}' | wc -w)" -eq 4
