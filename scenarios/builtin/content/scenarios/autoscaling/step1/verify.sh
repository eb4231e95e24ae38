#!/bin/bash
set -e
test "$(kubectl get deployment php-apache -o jsonpath='{.status.readyReplicas}')" = "1"
test "$(kubectl get service php-apache -o jsonpath='{.spec.ports[0].port}')" = "80"
