#!/bin/bash
for i in $(seq 1 30); do
  if kubectl get --raw /version | grep -q '"gitVersion": "v1.28.15"' &&
     [ "$(kubectl -n kube-system get pod kube-scheduler-controlplane -o jsonpath='{.spec.containers[0].image}')" = registry.k8s.io/kube-scheduler:v1.28.15 ]; then
    exit 0
  fi
  sleep 2
done
exit 1
