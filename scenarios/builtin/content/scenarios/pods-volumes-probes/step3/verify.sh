#!/bin/bash
set -e
test "$(kubectl get configmap game -o jsonpath='{.data.lives}')" = "5"
kubectl exec cfg -- test -f /etc/game/level
test "$(kubectl exec cfg -- cat /etc/game/level)" = "easy"
test "$(kubectl exec cfg -- cat /etc/game/lives)" = "5"
