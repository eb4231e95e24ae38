#!/bin/bash
for i in $(seq 1 30); do
  kubectl get deployment important >/dev/null 2>&1 && exit 0
  sleep 2
done
exit 1
