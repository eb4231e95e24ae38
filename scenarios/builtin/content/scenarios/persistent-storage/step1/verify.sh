#!/bin/bash
set -e
test "$(kubectl get pvc data -o jsonpath='{.spec.storageClassName}')" = "standard"
test "$(kubectl get pvc data -o jsonpath='{.status.phase}')" = "Pending"
