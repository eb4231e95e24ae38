#!/bin/bash
set -e
test "$(kubectl get deployment web -o jsonpath='{.spec.template.spec.containers[0].image}')" = "httpd:2.4"
test "$(kubectl get deployment web -o jsonpath='{.status.updatedReplicas}')" = "4"
test "$(kubectl get deployment web -o jsonpath='{.status.readyReplicas}')" = "4"
curl -s "http://$(kubectl get service web -o jsonpath='{.spec.clusterIP}')" | grep -q 'It works!'
