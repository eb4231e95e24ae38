#!/bin/bash
for i in $(seq 1 60); do
  if [ "$(kubectl get pod web -o jsonpath='{.status.phase}')" = Running ]; then exit 0; fi
  sleep 2
done
exit 1
