#!/bin/bash
set -e
test "$(kubectl get pod liveness-exec -o jsonpath='{.status.containerStatuses[0].restartCount}')" -ge 1
kubectl get events --field-selector involvedObject.name=liveness-exec,reason=Unhealthy -o jsonpath='{.items[*].message}' | grep -q "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
kubectl get events --field-selector involvedObject.name=liveness-exec,reason=Killing -o jsonpath='{.items[*].message}' | grep -q 'Container liveness failed liveness probe, will be restarted'
