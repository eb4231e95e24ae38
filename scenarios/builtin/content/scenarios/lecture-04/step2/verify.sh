#!/bin/bash
# Done when pod myapache runs image httpd:2.4 and is Running.
set -e
test "$(kubectl get pod myapache -o jsonpath='{.spec.containers[0].image}')" = "httpd:2.4"
test "$(kubectl get pod myapache -o jsonpath='{.status.phase}')" = "Running"
