#!/bin/bash
set -e
test "$(kubectl get deployment php-apache -o jsonpath='{.spec.replicas}')" -gt 1
kubectl get events --field-selector reason=SuccessfulRescale -o jsonpath='{.items[*].message}' | grep -q 'above target'
kubectl top pods | grep -q '^php-apache-'
