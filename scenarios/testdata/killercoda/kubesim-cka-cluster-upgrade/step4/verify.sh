#!/bin/bash
[ "$(kubectl get node node01 -o jsonpath='{.status.nodeInfo.kubeletVersion}')" = v1.28.15 ] &&
  [ -z "$(kubectl get node node01 -o jsonpath='{.spec.unschedulable}')" ] &&
  [ "$(ssh node01 kubelet --version)" = "Kubernetes v1.28.15" ] &&
  ssh node01 apt-mark showhold | grep -qx kubelet
