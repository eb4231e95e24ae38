#!/bin/bash
[ "$(kubeadm version -o short)" = v1.28.15 ] && apt-mark showhold | grep -qx kubeadm
