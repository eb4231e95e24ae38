#!/bin/bash
set -e
test "$(kubectl get pod web -o jsonpath='{.status.phase}')" = "Running"
test "$(kubectl get pod web -o jsonpath='{.status.initContainerStatuses[0].state.terminated.reason}')" = "Completed"
test "$(kubectl exec web -- cat /usr/share/nginx/html/index.html)" = "prepared by init"
