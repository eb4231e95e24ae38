#!/bin/bash
# Ready within two minutes.
for i in $(seq 1 60); do
  if kubectl get node node01 | grep -qw Ready; then exit 0; fi
  sleep 2
done
exit 1
