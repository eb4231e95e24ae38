#!/bin/bash
set -e
test "$(kubectl get node node01 -o jsonpath='{.metadata.labels.disktype}')" = "ssd"
