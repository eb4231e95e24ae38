#!/bin/bash
# Done when pod myapache is gone.
if kubectl get pod myapache >/dev/null 2>&1; then
  echo "pod myapache still exists"
  exit 1
fi
