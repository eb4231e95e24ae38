#!/bin/bash
set -e
test "$(kubectl get hpa php-apache -o jsonpath='{.spec.metrics[0].resource.target.averageUtilization}')" = "50"
test "$(kubectl get hpa php-apache -o jsonpath='{.spec.maxReplicas}')" = "10"
test "$(kubectl get hpa php-apache -o jsonpath='{.status.currentMetrics[0].resource.current.averageUtilization}')" = "0"
