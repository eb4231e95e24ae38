#!/bin/bash
[ "$(kubectl get node controlplane -o jsonpath='{.status.nodeInfo.kubeletVersion}')" = v1.28.15 ] &&
  [ -z "$(kubectl get node controlplane -o jsonpath='{.spec.unschedulable}')" ] &&
  apt-mark showhold | grep -qx kubelet
