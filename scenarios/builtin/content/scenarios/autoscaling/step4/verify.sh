#!/bin/bash
set -e
! kubectl get pod load-generator >/dev/null 2>&1
test "$(kubectl get deployment php-apache -o jsonpath='{.spec.replicas}')" = "1"
kubectl get events --field-selector reason=SuccessfulRescale -o jsonpath='{.items[*].message}' | grep -q 'All metrics below target'
