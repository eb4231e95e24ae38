#!/bin/bash
sed -i 's#image: registry.k8s.io/kube-scheduler:\(v[0-9.]*\)#image: registry.k8s.io/kube-scheduler:\1-broken#' /etc/kubernetes/manifests/kube-scheduler.yaml
sleep 30
kubectl run web --image=nginx
