#!/bin/bash
set -e
test "$(kubectl get configmap game -o jsonpath='{.data.lives}')" = "5"
test "$(kubectl exec cfg -- cat /etc/game/level)" = "easy"
test "$(kubectl exec cfg -- cat /etc/game/lives)" = "5"
