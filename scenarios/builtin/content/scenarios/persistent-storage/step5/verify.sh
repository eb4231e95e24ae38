#!/bin/bash
set -e
! kubectl get pvc manual-claim >/dev/null 2>&1
test "$(kubectl get pv manual-pv -o jsonpath='{.status.phase}')" = "Released"
